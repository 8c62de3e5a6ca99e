import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { insurancePoolAbi } from "../../generated/abis.js";
import { insuranceAddresses } from "../../insurance/addresses.js";
import { writeAndWait } from "../../internal/write.js";

export type CompleteWithdrawParameters = {
  /** Who receives the stablecoin (default: the client's account). */
  receiver?: Address;
};
export type CompleteWithdrawReturnType = { hash: Hash; shares: bigint; assets: bigint };
export type CompleteWithdrawErrorType =
  | CogFiContractError<"NoWithdrawRequest" | "ERC4626ExceededMaxRedeem" | "ZeroAddress" | "ZeroAmount">
  | CogFiError;

/**
 * Redeems as many of the account's matured queued shares as the free capital allows (`maxRedeem`): the rest stays
 * queued. Reverts with `ERC4626ExceededMaxRedeem` before the cooldown ends, while running policies need the capital,
 * or when the free capital would pay 0 assets for the shares (they are never burned for nothing).
 * @example
 * const { assets } = await completeWithdraw(client);
 */
export async function completeWithdraw(client: CogFiClient, parameters: CompleteWithdrawParameters = {}): Promise<CompleteWithdrawReturnType> {
  const wallet = requireWallet(client, "completeWithdraw");
  const { insurancePool } = insuranceAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "completeWithdraw", {
    address: insurancePool,
    abi: insurancePoolAbi,
    functionName: "completeWithdraw",
    args: [parameters.receiver ?? wallet.account.address],
  });
  const [event] = parseEventLogs({ abi: insurancePoolAbi, eventName: "Withdraw", logs: receipt.logs });
  if (!event) throw new CogFiError(`completeWithdraw ${hash} emitted no Withdraw event`);
  return { hash, shares: event.args.shares, assets: event.args.assets };
}
