import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type WithdrawCollateralParameters = {
  marketParams: MarketParams;
  /** Model-share units to take out. */
  assets: bigint;
  /** Whose position (default: the client's account; another needs its `setAuthorization`). */
  onBehalf?: Address;
  /** Receiver of the shares (default: the client's account). */
  receiver?: Address;
};
export type WithdrawCollateralReturnType = {
  hash: Hash;
  /** Debt the position's credited revenue repaid first, in this call (self-repaying markets). */
  repaidWithRevenue: bigint;
};
export type WithdrawCollateralErrorType =
  | CogFiContractError<"MarketNotCreated" | "ZeroAmount" | "ZeroAddress" | "Unauthorized" | "InsufficientCollateral" | "ZeroPrice" | "StaleFeed" | "SpotDeviates">
  | CogFiError;

/**
 * Takes collateral out; with debt, the position must stay healthy at the oracle's `borrowPrice`. The position's
 * credited revenue repays its debt first.
 * @example
 * const { collateral } = await getPosition(client, { marketParams, user });
 * await withdrawCollateral(client, { marketParams, assets: collateral }); // after repaying everything
 */
export async function withdrawCollateral(client: CogFiClient, parameters: WithdrawCollateralParameters): Promise<WithdrawCollateralReturnType> {
  const wallet = requireWallet(client, "withdrawCollateral");
  const { lendingMarket } = lendingAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "withdrawCollateral", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "withdrawCollateral",
    args: [parameters.marketParams, parameters.assets, parameters.onBehalf ?? wallet.account.address, parameters.receiver ?? wallet.account.address],
  });
  const repaid = parseEventLogs({ abi: lendingMarketAbi, eventName: "RepayWithRevenue", logs: receipt.logs });
  return { hash, repaidWithRevenue: repaid.reduce((sum, event) => sum + event.args.assets, 0n) };
}
