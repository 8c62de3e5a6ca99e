import { parseEventLogs, type Address, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type SettleRevenueParameters = {
  marketParams: MarketParams;
  /** The position whose credited revenue repays its debt (anyone may settle anyone's: it only lowers debt). */
  borrower: Address;
};
export type SettleRevenueReturnType = {
  hash: Hash;
  /** Debt repaid by the credited revenue (zero outside self-repaying markets or without credit). */
  repaidAssets: bigint;
  /** Borrow shares burned by it. */
  repaidShares: bigint;
};
export type SettleRevenueErrorType = CogFiContractError<"MarketNotCreated"> | CogFiError;

/**
 * Indexes the collateral share's revenue and lets a borrower's credit repay its debt (self-repaying markets), without
 * moving collateral: what a keeper or `npm start` calls so that a borrower's debt visibly shrinks as inference revenue
 * settles.
 * @example
 * const { repaidAssets } = await settleRevenue(client, { marketParams, borrower });
 */
export async function settleRevenue(client: CogFiClient, parameters: SettleRevenueParameters): Promise<SettleRevenueReturnType> {
  const { lendingMarket } = lendingAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "settleRevenue", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "settleRevenue",
    args: [parameters.marketParams, parameters.borrower],
  });
  const repaid = parseEventLogs({ abi: lendingMarketAbi, eventName: "RepayWithRevenue", logs: receipt.logs });
  return {
    hash,
    repaidAssets: repaid.reduce((sum, event) => sum + event.args.assets, 0n),
    repaidShares: repaid.reduce((sum, event) => sum + event.args.shares, 0n),
  };
}
