import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type WithdrawParameters = {
  marketParams: MarketParams;
  /** Whose supply (default: the client's account; another needs its `setAuthorization`). */
  onBehalf?: Address;
  /** Receiver of the assets (default: the client's account). */
  receiver?: Address;
} & ({ assets: bigint; shares?: never } | { shares: bigint; assets?: never });
export type WithdrawReturnType = { hash: Hash; assets: bigint; shares: bigint };
export type WithdrawErrorType =
  | CogFiContractError<"MarketNotCreated" | "InconsistentInput" | "ZeroAddress" | "Unauthorized" | "InsufficientLiquidity" | "Overflow">
  | CogFiError;

/**
 * Withdraws `assets` of a supply (shares burned rounded up) or the assets of `shares` (rounded down): by shares to
 * withdraw everything (`getPosition(...).supplyShares`). Only idle liquidity can leave (`InsufficientLiquidity`).
 * @example
 * const { supplyShares } = await getPosition(client, { marketParams, user });
 * await withdraw(client, { marketParams, shares: supplyShares });
 */
export async function withdraw(client: CogFiClient, parameters: WithdrawParameters): Promise<WithdrawReturnType> {
  const wallet = requireWallet(client, "withdraw");
  const { lendingMarket } = lendingAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "withdraw", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "withdraw",
    args: [
      parameters.marketParams,
      parameters.assets ?? 0n,
      parameters.shares ?? 0n,
      parameters.onBehalf ?? wallet.account.address,
      parameters.receiver ?? wallet.account.address,
    ],
  });
  const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "Withdraw", logs: receipt.logs });
  if (!event) throw new CogFiError(`withdraw ${hash} emitted no Withdraw event`);
  return { hash, assets: event.args.assets, shares: event.args.shares };
}
