import { CurrencyAmount } from "@uniswap/sdk-core";
import type { Pool } from "@uniswap/v3-sdk";
import { getAddress, type Address } from "viem";
import { CogFiError } from "../errors.js";
import type { PoolState } from "./pool.js";
import { toBigInt, toJsbi } from "./internal.js";

/** A quote computed by `@uniswap/v3-sdk` on a pool's state. */
export type SwapQuote = {
  /** Exact input: the amount given. Exact output: the input the swap costs. */
  amountIn: bigint;
  /** Exact input: the output it buys. Exact output: the output delivered (less than asked if the limit is hit). */
  amountOut: bigint;
  sqrtPriceX96After: bigint;
  tickAfter: number;
  liquidityAfter: bigint;
  /** The pool after the swap (its ticks are unchanged by swaps, so it can quote the next one). */
  poolAfter: Pool;
  /** The swap stopped at its price limit (or at the price bound, out of liquidity); an exact input then uses only
   * part of `amountIn`. */
  limitReached: boolean;
};

export type QuoteExactInputParameters = {
  pool: PoolState;
  tokenIn: Address;
  amountIn: bigint;
  /** The price the swap may not pass (as the pool's `swap`); none by default. */
  sqrtPriceLimitX96?: bigint;
};
export type QuoteExactInputReturnType = SwapQuote;
export type QuoteExactInputErrorType = CogFiError;

/** Which way a swap goes, checking that the token is in the pool. */
export function zeroForOneOf(state: PoolState, tokenIn: Address): boolean {
  const token = getAddress(tokenIn);
  if (token === state.token0.address) return true;
  if (token === state.token1.address) return false;
  throw new CogFiError(`token ${tokenIn} is not in pool ${state.address}`);
}

/**
 * Quotes an exact-input swap with `@uniswap/v3-sdk` (`Pool.getOutputAmount`): the same amount, price, tick and
 * liquidity as the pool will compute, to the wei.
 * @example
 * const state = await getPool(client, { pool });
 * const { amountOut } = await quoteExactInput({ pool: state, tokenIn: stablecoin, amountIn: 1_000_000n });
 */
export async function quoteExactInput(parameters: QuoteExactInputParameters): Promise<QuoteExactInputReturnType> {
  const { pool: state, amountIn, sqrtPriceLimitX96 } = parameters;
  const zeroForOne = zeroForOneOf(state, parameters.tokenIn);
  const input = CurrencyAmount.fromRawAmount(zeroForOne ? state.token0 : state.token1, amountIn.toString());
  try {
    const [output, poolAfter] = await state.pool.getOutputAmount(
      input,
      sqrtPriceLimitX96 === undefined ? undefined : toJsbi(sqrtPriceLimitX96),
    );
    const sqrtPriceX96After = toBigInt(poolAfter.sqrtRatioX96);
    return {
      amountIn,
      amountOut: toBigInt(output.quotient),
      sqrtPriceX96After,
      tickAfter: poolAfter.tickCurrent,
      liquidityAfter: toBigInt(poolAfter.liquidity),
      poolAfter,
      // Without a limit the swap stops at the price bound when the liquidity runs out.
      limitReached: sqrtPriceX96After === (sqrtPriceLimitX96 ?? (zeroForOne ? MIN_SQRT_PLUS_ONE : MAX_SQRT_MINUS_ONE)),
    };
  } catch (cause) {
    throw new CogFiError(`quoteExactInput: ${(cause as Error).message}`, { cause });
  }
}

/** The default price limits of a swap without one: one inside the price bounds. */
export const MIN_SQRT_PLUS_ONE = 4295128740n;
export const MAX_SQRT_MINUS_ONE = 1461446703485210103287273052203988822378723970341n;
