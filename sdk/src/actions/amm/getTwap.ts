import { TickMath } from "@uniswap/v3-sdk";
import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { toBigInt } from "../../amm/internal.js";

export type GetTwapParameters = {
  pool: Address;
  /** Window length in seconds, ending now. */
  secondsAgo: number;
};
export type GetTwapReturnType = {
  /** Time-weighted mean tick over the window, rounded toward negative infinity (as Uniswap's OracleLibrary). */
  arithmeticMeanTick: number;
  /** sqrt(token1/token0) at the mean tick, Q64.96. */
  sqrtPriceX96: bigint;
  /** Time-weighted harmonic mean of the in-range liquidity. */
  harmonicMeanLiquidity: bigint;
};
export type GetTwapErrorType = CogFiContractError<"ObservationTooOld" | "NotInitialized"> | CogFiError;

/**
 * The pool's time-weighted average price over the last `secondsAgo` seconds, from its oracle. The window must
 * lie within the stored observations (grow them with `increaseObservationCardinality`).
 * @example
 * const { arithmeticMeanTick } = await getTwap(client, { pool, secondsAgo: 1800 });
 */
export async function getTwap(client: CogFiClient, parameters: GetTwapParameters): Promise<GetTwapReturnType> {
  const { secondsAgo } = parameters;
  if (!Number.isInteger(secondsAgo) || secondsAgo <= 0) throw new CogFiError("getTwap: secondsAgo must be > 0");
  const [tickCumulatives, secondsPerLiquidity] = await readOrThrow("getTwap", () =>
    client.publicClient.readContract({
      address: parameters.pool,
      abi: cognitionPoolAbi,
      functionName: "observe",
      args: [[secondsAgo, 0]],
    }),
  );
  const window = BigInt(secondsAgo);
  const delta = tickCumulatives[1]! - tickCumulatives[0]!;
  let mean = delta / window;
  if (delta < 0n && delta % window !== 0n) mean -= 1n;
  const splDelta = BigInt(secondsPerLiquidity[1]! - secondsPerLiquidity[0]!);
  const harmonicMeanLiquidity = splDelta === 0n ? 0n : (window << 128n) / splDelta;
  const arithmeticMeanTick = Number(mean);
  return {
    arithmeticMeanTick,
    sqrtPriceX96: toBigInt(TickMath.getSqrtRatioAtTick(arithmeticMeanTick)),
    harmonicMeanLiquidity,
  };
}
