/**
 * Caps from liquidity (pure). The LendingMarket has supply and borrow caps only (`setCaps`), no collateral cap, so
 * the sellable-collateral rule is applied to debt: **a market's borrow cap is the most a position holding all the
 * sellable collateral could borrow**, `floor(floor(sellableShares x price / 1e36) x lltv / 1e18)`. Then at the moment
 * the whole capped debt becomes liquidatable it is backed by at most `sellableShares` of collateral at the LLTV, and
 * a liquidation of all of it seizes `debt x incentive / price < sellableShares` (since lltv x incentive < 1): every
 * seized share can be sold within the incentive. The supply cap is left open (supplying adds no collateral risk).
 */
import { maxBorrow } from "./math.js";

/** Largest borrow cap the market stores (`uint120`): also "no cap". */
export const MAX_BORROW_CAP = (1n << 120n) - 1n;
/** Largest supply cap the market stores (`uint128`): also "no cap". */
export const MAX_SUPPLY_CAP = (1n << 128n) - 1n;

export type CapsFromLiquidityParameters = {
  /** `getSellableCollateral(...).shares` at the market's LLTV. */
  sellableShares: bigint;
  /** The market oracle's `price()`, 1e36-scaled. */
  price: bigint;
  /** The market's LLTV, WAD. */
  lltv: bigint;
};
export type CapsFromLiquidityReturnType = { supplyCap: bigint; borrowCap: bigint };

/**
 * The caps a pool's liquidity supports (see the rule above): the borrow cap is the max borrow of the sellable
 * collateral; the supply cap stays open.
 * @example
 * const { shares } = await getSellableCollateral(client, { pool, lltv });
 * const { borrowCap, supplyCap } = capsFromLiquidity({ sellableShares: shares, price, lltv });
 */
export function capsFromLiquidity(parameters: CapsFromLiquidityParameters): CapsFromLiquidityReturnType {
  const cap = maxBorrow(parameters.sellableShares, parameters.price, parameters.lltv);
  return { supplyCap: MAX_SUPPLY_CAP, borrowCap: cap < MAX_BORROW_CAP ? cap : MAX_BORROW_CAP };
}
