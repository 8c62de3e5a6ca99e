/**
 * The ShareOracle's in-range liquidity floor (pure). `borrowPrice` stops while the pool's time-weighted (harmonic-mean)
 * in-range liquidity over either window it reads is below `minInRangeLiquidity`: the defence against a spike through
 * the pool's empty or thin ranges, which moves a TWAP for little cost.
 *
 * The rule: **the floor is a fraction (default half, `SHARE_ORACLE_LIQUIDITY_FLOOR_BPS`) of the lowest in-range
 * liquidity the pool holds between its price and the liquidation floor price** (the price divided by the liquidation
 * incentive factor of the market's LLTV), the liquidity `sellableCollateral` sells through to size the market's
 * caps. While the time-weighted liquidity is above it, the caps are backed by at least that fraction of what they
 * assumed; below it, new borrows wait for liquidity (or for new caps and a new oracle). At least 1 (the contract's
 * smallest floor, which accepts any pool).
 */
import { TickMath } from "@uniswap/v3-sdk";
import { getAddress, type Address } from "viem";
import { SHARE_ORACLE_LIQUIDITY_FLOOR_BPS } from "../constants.js";
import { CogFiError } from "../errors.js";
import type { PoolState } from "../amm/pool.js";
import { toBigInt, toJsbi } from "../amm/internal.js";
import { liquidationFloorSqrtPriceX96 } from "./sellable.js";

export type SuggestLiquidityFloorParameters = {
  /** The pool's state with its initialized ticks (`getPool`). */
  pool: PoolState;
  /** The model share (one of the pool's tokens). */
  share: Address;
  /** The market's LLTV, WAD-scaled: sets the liquidation floor price. */
  lltv: bigint;
  /** The fraction of the lowest liquidity taken, bps in (0, 10,000] (default `SHARE_ORACLE_LIQUIDITY_FLOOR_BPS`). */
  fractionBps?: number;
};
export type SuggestLiquidityFloorReturnType = {
  /** The floor to pass as the oracle's `minInRangeLiquidity` (at least 1). */
  minInRangeLiquidity: bigint;
  /** The lowest in-range liquidity between the price and the liquidation floor price. */
  lowestLiquidity: bigint;
  /** The liquidation floor price's tick (the band's far end). */
  floorTick: number;
};

/**
 * The suggested liquidity floor (see the rule above): walks the initialized ticks from the pool's tick toward the
 * liquidation floor price (down if the share is token0, up if token1), tracking the in-range liquidity.
 * @example
 * const state = await getPool(client, { pool });
 * const { minInRangeLiquidity } = suggestLiquidityFloor({ pool: state, share, lltv: 770_000_000_000_000_000n });
 */
export function suggestLiquidityFloor(parameters: SuggestLiquidityFloorParameters): SuggestLiquidityFloorReturnType {
  const { pool: state, lltv } = parameters;
  const fractionBps = parameters.fractionBps ?? SHARE_ORACLE_LIQUIDITY_FLOOR_BPS;
  if (!Number.isInteger(fractionBps) || fractionBps <= 0 || fractionBps > 10_000) {
    throw new CogFiError(`suggestLiquidityFloor: fractionBps ${fractionBps} is not an integer in (0, 10000]`);
  }
  const share = getAddress(parameters.share);
  const shareIsToken0 = share === state.token0.address;
  if (!shareIsToken0 && share !== state.token1.address) {
    throw new CogFiError(`suggestLiquidityFloor: ${share} is not a token of pool ${state.address}`);
  }
  const floorTick = TickMath.getTickAtSqrtRatio(toJsbi(liquidationFloorSqrtPriceX96(state.sqrtPriceX96, shareIsToken0, lltv)));
  let liquidity = state.liquidity;
  let lowest = liquidity;
  if (shareIsToken0) {
    // Selling the share lowers the tick: crossing tick i downward (floorTick < i <= tick) removes its liquidityNet.
    for (let i = state.ticks.length - 1; i >= 0; i--) {
      const t = state.ticks[i]!;
      if (t.index > state.tick) continue;
      if (t.index <= floorTick) break;
      liquidity -= toBigInt(t.liquidityNet);
      if (liquidity < lowest) lowest = liquidity;
    }
  } else {
    // Selling the share raises the tick: crossing tick i upward (tick < i <= floorTick) adds its liquidityNet.
    for (const t of state.ticks) {
      if (t.index <= state.tick) continue;
      if (t.index > floorTick) break;
      liquidity += toBigInt(t.liquidityNet);
      if (liquidity < lowest) lowest = liquidity;
    }
  }
  const scaled = (lowest * BigInt(fractionBps)) / 10_000n;
  return { minInRangeLiquidity: scaled > 0n ? scaled : 1n, lowestLiquidity: lowest, floorTick };
}
