/** Pure AMM definitions: fee tiers, tick-bitmap words and the shape of a fetched pool. */
import type { Token } from "@uniswap/sdk-core";
import type { Pool, Tick } from "@uniswap/v3-sdk";
import type { Address } from "viem";

/** The standard fee tiers (hundredths of a bip) and their tick spacings. */
export const FEE_TIERS = { 500: 10, 3000: 60, 10000: 200 } as const;
export type FeeTier = keyof typeof FEE_TIERS;

const MIN_TICK = -887272;
const MAX_TICK = 887272;

/** The bitmap words that can hold usable ticks for a tick spacing (as `TickLens.wordRange`). */
export function tickWordRange(tickSpacing: number): [number, number] {
  const compressedMin = Math.floor(MIN_TICK / tickSpacing);
  const compressedMax = Math.trunc(MAX_TICK / tickSpacing);
  return [compressedMin >> 8, compressedMax >> 8];
}

/** A pool's on-chain state, and the `@uniswap/v3-sdk` `Pool` built from it. */
export type PoolState = {
  address: Address;
  /** The v3-sdk pool (ticks from the tick lens): quote with it, or with `quoteExactInput` / `quoteExactOutput`. */
  pool: Pool;
  token0: Token;
  token1: Token;
  fee: FeeTier;
  tickSpacing: number;
  sqrtPriceX96: bigint;
  tick: number;
  liquidity: bigint;
  /** Initialized ticks, ascending. */
  ticks: Tick[];
};
