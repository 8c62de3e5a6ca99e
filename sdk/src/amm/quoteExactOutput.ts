import { CurrencyAmount } from "@uniswap/sdk-core";
import type { Address } from "viem";
import { CogFiError } from "../errors.js";
import type { PoolState } from "./pool.js";
import { toBigInt, toJsbi } from "./internal.js";
import { MAX_SQRT_MINUS_ONE, MIN_SQRT_PLUS_ONE, type SwapQuote, zeroForOneOf } from "./quoteExactInput.js";

export type QuoteExactOutputParameters = {
  pool: PoolState;
  tokenOut: Address;
  amountOut: bigint;
  /** The price the swap may not pass (as the pool's `swap`); none by default. */
  sqrtPriceLimitX96?: bigint;
};
export type QuoteExactOutputReturnType = SwapQuote;
export type QuoteExactOutputErrorType = CogFiError;

/**
 * Quotes an exact-output swap with `@uniswap/v3-sdk` (`Pool.getInputAmount`). When the pool runs out of
 * liquidity or the limit is hit first, `amountOut` is what it can deliver (the pool does the same; the router
 * refuses a short fill without a limit).
 * @example
 * const { amountIn } = await quoteExactOutput({ pool: state, tokenOut: share, amountOut: parseUnits("10", 18) });
 */
export async function quoteExactOutput(parameters: QuoteExactOutputParameters): Promise<QuoteExactOutputReturnType> {
  const { pool: state, amountOut, sqrtPriceLimitX96 } = parameters;
  const zeroForOne = !zeroForOneOf(state, parameters.tokenOut);
  const output = CurrencyAmount.fromRawAmount(zeroForOne ? state.token1 : state.token0, amountOut.toString());
  try {
    const [input, poolAfter] = await state.pool.getInputAmount(
      output,
      sqrtPriceLimitX96 === undefined ? undefined : toJsbi(sqrtPriceLimitX96),
    );
    const sqrtPriceX96After = toBigInt(poolAfter.sqrtRatioX96);
    // The sdk reports only the input; the delivered output is the full amount unless the swap stopped early,
    // in which case it is the output between the start and end prices, which re-quoting that input gives back.
    const stoppedEarly =
      sqrtPriceX96After === (sqrtPriceLimitX96 ?? (zeroForOne ? MIN_SQRT_PLUS_ONE : MAX_SQRT_MINUS_ONE));
    let delivered = amountOut;
    if (stoppedEarly) {
      const [again] = await state.pool.getOutputAmount(input, toJsbi(sqrtPriceX96After));
      delivered = toBigInt(again.quotient) < amountOut ? toBigInt(again.quotient) : amountOut;
    }
    return {
      amountIn: toBigInt(input.quotient),
      amountOut: delivered,
      sqrtPriceX96After,
      tickAfter: poolAfter.tickCurrent,
      liquidityAfter: toBigInt(poolAfter.liquidity),
      poolAfter,
      limitReached: stoppedEarly,
    };
  } catch (cause) {
    throw new CogFiError(`quoteExactOutput: ${(cause as Error).message}`, { cause });
  }
}
