import type { Token } from "@uniswap/sdk-core";
import { Pool, Tick } from "@uniswap/v3-sdk";
import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi, tickLensAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { FEE_TIERS, tickWordRange, type FeeTier, type PoolState } from "../../amm/pool.js";
import { ammAddresses } from "../../amm/internal.js";
import { readToken } from "../../internal/amm.js";

export type GetPoolParameters = {
  pool: Address;
  /** Ticks read earlier, to skip the tick lens when no liquidity was added or removed since. */
  ticks?: Tick[];
  /** Tokens read earlier, to skip their `decimals` calls. */
  tokens?: readonly [Token, Token];
};
export type GetPoolReturnType = PoolState;
export type GetPoolErrorType = CogFiContractError<"NotInitialized"> | CogFiError;

/**
 * Reads a pool (slot0, liquidity, and every initialized tick through the tick lens) into a v3-sdk `Pool`, which
 * quotes it to the wei.
 * @example
 * const state = await getPool(client, { pool });
 * const [out] = await state.pool.getOutputAmount(CurrencyAmount.fromRawAmount(state.token0, "1000000"));
 */
export async function getPool(client: CogFiClient, parameters: GetPoolParameters): Promise<GetPoolReturnType> {
  const address = parameters.pool;
  const read = <const F extends "slot0" | "liquidity" | "token0" | "token1" | "fee">(functionName: F) =>
    client.publicClient.readContract({ address, abi: cognitionPoolAbi, functionName });
  const [slot0, liquidity, fee, tokens] = await readOrThrow("getPool", () =>
    Promise.all([
      read("slot0"),
      read("liquidity"),
      read("fee"),
      parameters.tokens ??
        Promise.all([read("token0"), read("token1")]).then(([a, b]) =>
          Promise.all([readToken(client, a), readToken(client, b)]),
        ),
    ]),
  );
  const [sqrtPriceX96, tick] = slot0;
  if (sqrtPriceX96 === 0n) throw new CogFiError(`getPool: pool ${address} is not initialized`);
  if (!(fee in FEE_TIERS)) throw new CogFiError(`getPool: unknown fee tier ${fee}`);
  const tickSpacing = FEE_TIERS[fee as FeeTier];

  let ticks = parameters.ticks;
  if (!ticks) {
    const [wordLower, wordUpper] = tickWordRange(tickSpacing);
    const populated = await readOrThrow("getPool: ticks", () =>
      client.publicClient.readContract({
        address: ammAddresses(client).tickLens,
        abi: tickLensAbi,
        functionName: "getPopulatedTicksInWordRange",
        args: [address, wordLower, wordUpper],
      }),
    );
    ticks = populated.map(
      (t) =>
        new Tick({ index: t.tick, liquidityGross: t.liquidityGross.toString(), liquidityNet: t.liquidityNet.toString() }),
    );
  }
  const [token0, token1] = tokens;
  return {
    address,
    pool: new Pool(token0, token1, fee, sqrtPriceX96.toString(), liquidity.toString(), tick, ticks),
    token0,
    token1,
    fee: fee as FeeTier,
    tickSpacing,
    sqrtPriceX96,
    tick,
    liquidity,
    ticks,
  };
}
