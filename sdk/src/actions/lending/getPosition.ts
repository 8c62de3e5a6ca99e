import type { Address, Hex } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { readAccruedMarket, readOraclePrice, resolveMarket, type MarketRef } from "../../internal/lending.js";
import { readOrThrow } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";
import {
  collateralValue,
  debtOf,
  healthFactor,
  liquidationPrice,
  maxBorrow,
  maxBorrowable,
  seizableCollateral,
  toAssetsDown,
  type MarketTotals,
} from "../../lending/math.js";

export type GetPositionParameters = MarketRef & {
  user: Address;
  /** Block to read at (default latest). */
  blockNumber?: bigint;
  /** Time to accrue interest to (default the block's timestamp; see `getMarket`). */
  timestamp?: bigint;
};
export type GetPositionReturnType = {
  id: Hex;
  params: MarketParams;
  user: Address;
  /** The market's totals after accrual, which every figure below uses. */
  market: MarketTotals;
  supplyShares: bigint;
  /** Assets of the supply shares, rounded down (what withdrawing them all pays). */
  supplyAssets: bigint;
  borrowShares: bigint;
  /** Debt: assets of the borrow shares, rounded up (what repaying them all costs, and what health counts). */
  debt: bigint;
  /** Model-share units posted. */
  collateral: bigint;
  /** The oracle's `price()` (health and liquidation), 1e36-scaled. */
  price: bigint;
  /** Collateral value in loan-token units at `price`, rounded down. */
  collateralValue: bigint;
  /** maxBorrow / debt, WAD; below 1e18 the position can be liquidated; 2^256 - 1 without debt. */
  healthFactor: bigint;
  healthy: boolean;
  /** The price at or below which it can be liquidated (1e36-scaled); null without debt. */
  liquidationPrice: bigint | null;
  /** The most debt the collateral supports at `price` (value x LLTV, rounded down). */
  maxBorrow: bigint;
  /** What can still be borrowed at `price` (borrows check `borrowPrice`, which may be lower). */
  maxBorrowable: bigint;
  /** The most collateral one liquidation can seize now (zero while healthy). */
  seizableCollateral: bigint;
  /**
   * Revenue credited to the collateral and not yet repaid or paid out, as of the share's last harvest by the market
   * (rounded down): the next `settleRevenue`, `withdrawCollateral`, `liquidate` or `claimCollateralRevenue` repays
   * debt with it first (self-repaying markets) or pays it.
   */
  revenueCredited: bigint;
  blockNumber: bigint;
};
export type GetPositionErrorType = CogFiContractError | CogFiError;

/**
 * A position with interest accrued to the block's time: supply, debt, collateral, health factor, liquidation price,
 * max borrow and the revenue credited to its collateral. The health math is `sdk/src/lending/math.ts` (the
 * contract's, to the wei).
 * @example
 * const { healthFactor, liquidationPrice, maxBorrowable } = await getPosition(client, { marketParams, user });
 */
export async function getPosition(client: CogFiClient, parameters: GetPositionParameters): Promise<GetPositionReturnType> {
  const { lendingMarket } = lendingAddresses(client);
  const blockNumber = parameters.blockNumber ?? (await readOrThrow("getPosition", () => client.publicClient.getBlockNumber({ cacheTime: 0 })));
  const { params, id } = await resolveMarket(client, "getPosition", parameters, blockNumber);
  const [accrued, balances, revenueCredited, price] = await Promise.all([
    readAccruedMarket(client, "getPosition", params, id, { blockNumber, ...(parameters.timestamp === undefined ? {} : { timestamp: parameters.timestamp }) }),
    readOrThrow("getPosition", () =>
      client.publicClient.readContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "position", args: [id, parameters.user], blockNumber }),
    ),
    readOrThrow("getPosition", () =>
      client.publicClient.readContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "collateralRevenue", args: [id, parameters.user], blockNumber }),
    ),
    readOraclePrice(client, "getPosition", params.oracle, "price", blockNumber),
  ]);
  const market = accrued.accrued;
  const [supplyShares, borrowShares, collateral] = balances;
  const position = { borrowShares, collateral };
  const health = healthFactor(position, market, price, params.lltv);
  return {
    id,
    params,
    user: parameters.user,
    market,
    supplyShares,
    supplyAssets: toAssetsDown(supplyShares, market.totalSupplyAssets, market.totalSupplyShares),
    borrowShares,
    debt: debtOf(borrowShares, market),
    collateral,
    price,
    collateralValue: collateralValue(collateral, price),
    healthFactor: health,
    healthy: borrowShares === 0n || maxBorrow(collateral, price, params.lltv) >= debtOf(borrowShares, market),
    liquidationPrice: liquidationPrice(position, market, params.lltv),
    maxBorrow: maxBorrow(collateral, price, params.lltv),
    maxBorrowable: maxBorrowable(position, market, price, params.lltv),
    seizableCollateral: seizableCollateral(position, market, price, params.lltv),
    revenueCredited,
    blockNumber,
  };
}
