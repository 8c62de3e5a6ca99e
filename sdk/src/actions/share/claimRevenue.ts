import { parseEventLogs, type Address } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { modelShareAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";

export type ClaimRevenueParameters = {
  /** The model's ModelShare (from `getModel`). */
  share: Address;
  /** Who receives the stablecoin; defaults to the client's account. */
  receiver?: Address;
};
export type ClaimRevenueReturnType = { amount: bigint; hash: `0x${string}` };
export type ClaimRevenueErrorType = CogFiError;

/**
 * Claims all revenue the client's account has accrued on a model share (streamed in, rounded down).
 * @example
 * const { amount } = await claimRevenue(client, { share: model.share });
 * console.log(formatUnits(amount, 6), "mUSD");
 */
export async function claimRevenue(client: CogFiClient, { share, receiver }: ClaimRevenueParameters): Promise<ClaimRevenueReturnType> {
  const account = requireWallet(client, "claimRevenue").account.address;
  const { hash, receipt } = await writeAndWait(client, "claimRevenue", {
    address: share,
    abi: modelShareAbi,
    functionName: "claim",
    args: [receiver ?? account],
  });
  const [event] = parseEventLogs({ abi: modelShareAbi, eventName: "RevenueClaimed", logs: receipt.logs });
  return { amount: event?.args.amount ?? 0n, hash };
}
