import { parseEventLogs, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { insurancePoolAbi } from "../../generated/abis.js";
import { insuranceAddresses } from "../../insurance/addresses.js";
import { writeAndWait } from "../../internal/write.js";

export type RequestWithdrawParameters = {
  /** Shares to queue (default: all the account's unqueued shares). */
  shares?: bigint;
};
export type RequestWithdrawReturnType = {
  hash: Hash;
  /** Shares queued by this call, and the account's queued total. */
  shares: bigint;
  totalShares: bigint;
  /** When the queued shares may be redeemed (`completeWithdraw`). */
  unlockAt: bigint;
};
export type RequestWithdrawErrorType = CogFiContractError<"ZeroAmount" | "InsufficientShares"> | CogFiError;

/**
 * Queues pool shares for withdrawal; they keep bearing premiums and claims and may be redeemed `WITHDRAW_COOLDOWN`
 * after the latest request (each request restarts the cooldown).
 * @example
 * const { unlockAt } = await requestWithdraw(client, {});
 */
export async function requestWithdraw(client: CogFiClient, parameters: RequestWithdrawParameters = {}): Promise<RequestWithdrawReturnType> {
  const wallet = requireWallet(client, "requestWithdraw");
  const { insurancePool } = insuranceAddresses(client);
  const shares =
    parameters.shares ??
    (await client.publicClient.readContract({ address: insurancePool, abi: insurancePoolAbi, functionName: "balanceOf", args: [wallet.account.address] }));
  const { hash, receipt } = await writeAndWait(client, "requestWithdraw", {
    address: insurancePool,
    abi: insurancePoolAbi,
    functionName: "requestWithdraw",
    args: [shares],
  });
  const [event] = parseEventLogs({ abi: insurancePoolAbi, eventName: "WithdrawRequested", logs: receipt.logs });
  if (!event) throw new CogFiError(`requestWithdraw ${hash} emitted no WithdrawRequested event`);
  return { hash, shares: event.args.shares, totalShares: event.args.totalShares, unlockAt: event.args.unlockAt };
}
