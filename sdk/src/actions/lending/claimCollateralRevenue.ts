import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type ClaimCollateralRevenueParameters = {
  marketParams: MarketParams;
  /** Whose position (default: the client's account; another needs its `setAuthorization`). */
  onBehalf?: Address;
  /** Receiver of the revenue (default: the client's account). */
  receiver?: Address;
};
export type ClaimCollateralRevenueReturnType = {
  hash: Hash;
  /** Revenue-token units paid to the receiver. */
  amount: bigint;
  /** Debt the credit repaid first (self-repaying markets). */
  repaidWithRevenue: bigint;
};
export type ClaimCollateralRevenueErrorType = CogFiContractError<"MarketNotCreated" | "ZeroAddress" | "Unauthorized"> | CogFiError;

/**
 * Pays out the revenue credited to a position's collateral, after it has repaid the position's debt (in a market that
 * lends the share's revenue token): a borrower without debt receives it all.
 * @example
 * const { amount, repaidWithRevenue } = await claimCollateralRevenue(client, { marketParams });
 */
export async function claimCollateralRevenue(
  client: CogFiClient,
  parameters: ClaimCollateralRevenueParameters,
): Promise<ClaimCollateralRevenueReturnType> {
  const wallet = requireWallet(client, "claimCollateralRevenue");
  const { lendingMarket } = lendingAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "claimCollateralRevenue", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "claimCollateralRevenue",
    args: [parameters.marketParams, parameters.onBehalf ?? wallet.account.address, parameters.receiver ?? wallet.account.address],
  });
  const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "ClaimCollateralRevenue", logs: receipt.logs });
  if (!event) throw new CogFiError(`claimCollateralRevenue ${hash} emitted no ClaimCollateralRevenue event`);
  const repaid = parseEventLogs({ abi: lendingMarketAbi, eventName: "RepayWithRevenue", logs: receipt.logs });
  return { hash, amount: event.args.amount, repaidWithRevenue: repaid.reduce((sum, e) => sum + e.args.assets, 0n) };
}
