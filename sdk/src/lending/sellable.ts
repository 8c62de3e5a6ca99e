/**
 * Caps from liquidity (pure): how much of a model share a liquidator can sell into its CognitionPool before the
 * marginal price falls below what the liquidation incentive pays for. `caps.ts` turns it into a market's borrow cap.
 */
import { getAddress, type Address } from "viem";
import { CogFiError } from "../errors.js";
import type { PoolState } from "../amm/pool.js";
import { MAX_SQRT_MINUS_ONE, MIN_SQRT_PLUS_ONE, quoteExactInput } from "../amm/quoteExactInput.js";
import { quoteExactOutput } from "../amm/quoteExactOutput.js";
import { liquidationIncentiveFactor, WAD } from "./math.js";

/** floor(sqrt(n)) for a non-negative bigint (Newton's method). */
export function sqrtFloor(n: bigint): bigint {
  if (n < 0n) throw new CogFiError("sqrtFloor: negative");
  if (n < 2n) return n;
  let x = 1n << BigInt((n.toString(2).length + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/**
 * The pool's sqrt price at which the share is worth its price at `sqrtPriceX96` divided by the liquidation incentive
 * factor of `lltv`: where a liquidator selling seized shares stops breaking even. Share as token0: the pool's price
 * (token1 per token0) is the share's and falls by the factor; the floor is rounded up. Share as token1: the pool's
 * price is the inverse and rises by the factor; rounded down. Either way never past the pool's price range.
 */
export function liquidationFloorSqrtPriceX96(sqrtPriceX96: bigint, shareIsToken0: boolean, lltv: bigint): bigint {
  const factor = liquidationIncentiveFactor(lltv);
  const squared = sqrtPriceX96 * sqrtPriceX96;
  if (shareIsToken0) {
    const target = (squared * WAD + factor - 1n) / factor;
    const root = sqrtFloor(target);
    const floor = root * root === target ? root : root + 1n;
    return floor < MIN_SQRT_PLUS_ONE ? MIN_SQRT_PLUS_ONE : floor;
  }
  const floor = sqrtFloor((squared * factor) / WAD);
  return floor > MAX_SQRT_MINUS_ONE ? MAX_SQRT_MINUS_ONE : floor;
}

export type SellableCollateralParameters = {
  /** The pool's state with its initialized ticks (`getPool`). */
  pool: PoolState;
  /** The model share (one of the pool's tokens); the other is what the liquidator sells it for. */
  share: Address;
  /** The market's liquidation loan-to-value, WAD-scaled (0.86e18 for 86%). */
  lltv: bigint;
};

export type SellableCollateralReturnType = {
  /** The most shares an exact-input sale can sell, fee included, without the pool's price passing
   * `sqrtPriceFloorX96`: one more share unit passes it. */
  shares: bigint;
  /** What selling them pays, in the pool's other token (the stablecoin). */
  proceeds: bigint;
  /** The market's liquidation incentive factor, WAD-scaled. */
  liquidationIncentiveFactor: bigint;
  /** The pool's sqrt price at which the share is worth its current price divided by the incentive factor
   * (rounded so that the floor is never below that price). */
  sqrtPriceFloorX96: bigint;
};
export type SellableCollateralErrorType = CogFiError;

/**
 * The shares a liquidator can sell into the pool, from its current price, before the share's marginal price falls
 * by the liquidation incentive factor `f` (to `price / f`): the liquidator seizes `f` times the debt it repays in
 * collateral at the oracle price, so every share sold above `price / f` repays at least what it cost. Swapped
 * exactly across the initialized ticks with the `@uniswap/v3-sdk` math (`quoteExactOutput` down to the floor, then
 * `quoteExactInput` to take the largest sale that does not pass it), so selling `shares` through the pool stops at
 * or above the floor and selling one unit more passes it.
 *
 * The rule it serves: **a market's collateral cap is at most the sellable amount** (at the market's LLTV, on the
 * pool's current liquidity), so that all of a market's collateral can be liquidated without the sale itself eating
 * the incentive. Recompute it when liquidity leaves the pool.
 * @example
 * const state = await getPool(client, { pool });
 * const { shares } = await sellableCollateral({ pool: state, share, lltv: 860_000_000_000_000_000n });
 */
export async function sellableCollateral(parameters: SellableCollateralParameters): Promise<SellableCollateralReturnType> {
  const { pool: state, lltv } = parameters;
  const share = getAddress(parameters.share);
  const shareIsToken0 = share === state.token0.address;
  if (!shareIsToken0 && share !== state.token1.address) {
    throw new CogFiError(`sellableCollateral: ${share} is not a token of pool ${state.address}`);
  }
  const factor = liquidationIncentiveFactor(lltv);
  const sqrtPriceFloorX96 = liquidationFloorSqrtPriceX96(state.sqrtPriceX96, shareIsToken0, lltv);
  const result = { shares: 0n, proceeds: 0n, liquidationIncentiveFactor: factor, sqrtPriceFloorX96 };
  // No liquidity at all: any sale moves the price for nothing and pays nothing.
  if (state.ticks.length === 0) return result;

  const other = shareIsToken0 ? state.token1.address : state.token0.address;
  // Ask for more output than the pool holds: the quote stops at the floor and reports the input that reaches it.
  const toFloor = await quoteExactOutput({
    pool: state,
    tokenOut: getAddress(other),
    amountOut: (1n << 200n) - 1n,
    sqrtPriceLimitX96: sqrtPriceFloorX96,
  });
  if (!toFloor.limitReached) {
    throw new CogFiError(`sellableCollateral: the quote delivered ${toFloor.amountOut} without reaching the floor`);
  }
  // An exact-input sale of that amount, without a limit, lands a rounding unit or two past the floor: its last step
  // aims at the next tick, and the input net of the (rounded-up) fee moves the price a little further. Take the
  // largest input that stays at or above the floor: a few units below, found by bisection.
  const within = async (shares: bigint) => {
    const { sqrtPriceX96After, amountOut } = await quoteExactInput({ pool: state, tokenIn: share, amountIn: shares });
    const ok = shareIsToken0 ? sqrtPriceX96After >= sqrtPriceFloorX96 : sqrtPriceX96After <= sqrtPriceFloorX96;
    return { ok, amountOut };
  };
  let high = toFloor.amountIn;
  let found = await within(high);
  if (found.ok) return { ...result, shares: high, proceeds: found.amountOut };
  let low = 0n;
  let lowOut = 0n;
  // Invariant: `low` stays within the floor, `high` passes it.
  for (let step = 1n; step <= high; step *= 4n) {
    found = await within(high - step);
    if (found.ok) {
      [low, lowOut] = [high - step, found.amountOut];
      break;
    }
    high -= step;
  }
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    found = await within(mid);
    if (found.ok) [low, lowOut] = [mid, found.amountOut];
    else high = mid;
  }
  return { ...result, shares: low, proceeds: lowOut };
}
