/**
 * Pools without a chain (pure): a `PoolState` built from its parameters, full-range liquidity, and the state a quote
 * leaves, so simulations and look-ahead tools quote with the same `@uniswap/v3-sdk` math as `getPool`'s states.
 */
import { Token } from "@uniswap/sdk-core";
import JSBI from "jsbi";
import { nearestUsableTick, Pool, TickMath, Tick } from "@uniswap/v3-sdk";
import { getAddress, type Address } from "viem";
import { CogFiError } from "../errors.js";
import { FEE_TIERS, type FeeTier, type PoolState } from "./pool.js";
import { sortTokens } from "./internal.js";
import type { SwapQuote } from "./quoteExactInput.js";

export type OfflinePoolParameters = {
  /** Any address naming the pool (simulations use a made-up one). */
  address: Address;
  tokenA: { address: Address; decimals: number };
  tokenB: { address: Address; decimals: number };
  fee: FeeTier;
  sqrtPriceX96: bigint;
  /** Initialized ticks, ascending; see `fullRangeTicks`. */
  ticks: Tick[];
  /** Liquidity in range at the current price (for full-range liquidity: its amount). */
  liquidity: bigint;
  chainId?: number;
};

/** The lowest and highest usable ticks of a tick spacing. */
export function fullRangeBounds(tickSpacing: number): [number, number] {
  return [nearestUsableTick(TickMath.MIN_TICK, tickSpacing), nearestUsableTick(TickMath.MAX_TICK, tickSpacing)];
}

/** The two ticks of `liquidity` over the full range (none for zero liquidity). */
export function fullRangeTicks(tickSpacing: number, liquidity: bigint): Tick[] {
  if (liquidity === 0n) return [];
  const [lower, upper] = fullRangeBounds(tickSpacing);
  return [
    new Tick({ index: lower, liquidityGross: liquidity.toString(), liquidityNet: liquidity.toString() }),
    new Tick({ index: upper, liquidityGross: liquidity.toString(), liquidityNet: (-liquidity).toString() }),
  ];
}

/**
 * A pool's state from its parameters, as `getPool` would read it from a deployed pool holding them.
 * @example
 * const state = offlinePoolState({ address, tokenA, tokenB, fee: 3000, sqrtPriceX96, liquidity: L, ticks: fullRangeTicks(60, L) });
 */
export function offlinePoolState(parameters: OfflinePoolParameters): PoolState {
  const { fee, sqrtPriceX96, liquidity, ticks } = parameters;
  if (!(fee in FEE_TIERS)) throw new CogFiError(`offlinePoolState: unknown fee tier ${fee}`);
  const [a0, a1] = sortTokens(getAddress(parameters.tokenA.address), getAddress(parameters.tokenB.address));
  const byAddress = (address: Address) =>
    getAddress(parameters.tokenA.address) === address ? parameters.tokenA : parameters.tokenB;
  const chainId = parameters.chainId ?? 31337;
  const token0 = new Token(chainId, a0, byAddress(a0).decimals);
  const token1 = new Token(chainId, a1, byAddress(a1).decimals);
  try {
    const tick = TickMath.getTickAtSqrtRatio(toJsbiLocal(sqrtPriceX96));
    const pool = new Pool(token0, token1, fee, sqrtPriceX96.toString(), liquidity.toString(), tick, ticks);
    return { address: parameters.address, pool, token0, token1, fee, tickSpacing: FEE_TIERS[fee], sqrtPriceX96, tick, liquidity, ticks };
  } catch (cause) {
    throw new CogFiError(`offlinePoolState: ${(cause as Error).message}`, { cause });
  }
}

/** The state a quoted swap leaves (the quote's `poolAfter`; swaps leave the ticks unchanged). */
export function poolStateAfter(state: PoolState, quote: SwapQuote): PoolState {
  return {
    ...state,
    pool: quote.poolAfter,
    sqrtPriceX96: quote.sqrtPriceX96After,
    tick: quote.tickAfter,
    liquidity: quote.liquidityAfter,
  };
}

/** The state of a pool whose liquidity is all full-range, with that liquidity set to `liquidity` (LPs adding or removing). */
export function withFullRangeLiquidity(state: PoolState, liquidity: bigint): PoolState {
  if (liquidity < 0n) throw new CogFiError("withFullRangeLiquidity: negative liquidity");
  return offlinePoolState({
    address: state.address,
    tokenA: { address: state.token0.address as Address, decimals: state.token0.decimals },
    tokenB: { address: state.token1.address as Address, decimals: state.token1.decimals },
    fee: state.fee,
    sqrtPriceX96: state.sqrtPriceX96,
    liquidity,
    ticks: fullRangeTicks(state.tickSpacing, liquidity),
    chainId: state.token0.chainId,
  });
}

const toJsbiLocal = (value: bigint) => JSBI.BigInt(value.toString());
