import type { Hex } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { readAccruedMarket, resolveMarket, type MarketRef } from "../../internal/lending.js";
import { readOrThrow } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";
import { liquidity, rateToApy, supplyRate, utilization, type MarketTotals } from "../../lending/math.js";

export type GetMarketParameters = MarketRef & {
  /** Block to read at (default latest). */
  blockNumber?: bigint;
  /**
   * Time to accrue interest to (default the block's timestamp): what a transaction in a block at that time would see;
   * the IRM's rate is then read with the block's time overridden.
   */
  timestamp?: bigint;
};
export type GetMarketReturnType = MarketTotals & {
  id: Hex;
  params: MarketParams;
  /** The stored totals (interest accrued up to `stored.lastUpdate` only). */
  stored: MarketTotals;
  /** Interest accrued since `stored.lastUpdate` (included in the totals). */
  pendingInterest: bigint;
  /** Borrowed / supplied after accrual, WAD. */
  utilization: bigint;
  /** Supplied minus borrowed: what withdrawals and borrows can take. */
  liquidity: bigint;
  /** The IRM's rate for the period, per second, WAD; the supply side earns `supplyRate` (after the fee). */
  borrowRate: bigint;
  supplyRate: bigint;
  /** Continuously compounded APYs of those rates (0.05 = 5%). */
  borrowApy: number;
  supplyApy: number;
  supplyCap: bigint;
  borrowCap: bigint;
  /** Whether the collateral's revenue repays debt (it is paid in the loan token). */
  selfRepaying: boolean;
  blockNumber: bigint;
};
export type GetMarketErrorType = CogFiContractError | CogFiError;

/**
 * A market's totals with interest accrued to the block's time (exactly what the contract would hold after
 * `accrueInterest` in a block at that time), its utilization, rates, APYs, caps and revenue route.
 * @example
 * const { utilization, borrowApy, supplyApy, liquidity } = await getMarket(client, { marketParams });
 */
export async function getMarket(client: CogFiClient, parameters: GetMarketParameters): Promise<GetMarketReturnType> {
  const { lendingMarket } = lendingAddresses(client);
  const blockNumber = parameters.blockNumber ?? (await readOrThrow("getMarket", () => client.publicClient.getBlockNumber({ cacheTime: 0 })));
  const { params, id } = await resolveMarket(client, "getMarket", parameters, blockNumber);
  const [market, [supplyCap, borrowCap, selfRepaying]] = await Promise.all([
    readAccruedMarket(client, "getMarket", params, id, { blockNumber, ...(parameters.timestamp === undefined ? {} : { timestamp: parameters.timestamp }) }),
    readOrThrow("getMarket", () => client.publicClient.readContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "config", args: [id], blockNumber })),
  ]);
  const { accrued } = market;
  const rateOut = supplyRate(market.borrowRate, accrued);
  return {
    ...accrued,
    id,
    params,
    stored: market.stored,
    pendingInterest: market.interest,
    utilization: utilization(accrued),
    liquidity: liquidity(accrued),
    borrowRate: market.borrowRate,
    supplyRate: rateOut,
    borrowApy: rateToApy(market.borrowRate),
    supplyApy: rateToApy(rateOut),
    supplyCap,
    borrowCap,
    selfRepaying,
    blockNumber,
  };
}
