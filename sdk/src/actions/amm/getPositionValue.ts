import { Position } from "@uniswap/v3-sdk";
import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi, liquidityManagerAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { getPool } from "./getPool.js";
import { ammAddresses, toBigInt } from "../../amm/internal.js";

const MAX_UINT128 = (1n << 128n) - 1n;

export type GetPositionValueParameters = { positionId: bigint };
export type GetPositionValueReturnType = {
  owner: Address;
  pool: Address;
  tickLower: number;
  tickUpper: number;
  liquidity: bigint;
  /** Tokens the liquidity is worth at the current price if removed now (rounded down, via the v3-sdk). */
  amount0: bigint;
  amount1: bigint;
  /** What `collectFees` would pay now: fees, model-share revenue and earlier removed tokens. */
  collectable0: bigint;
  collectable1: bigint;
  /** Everything above valued in the pool's stablecoin at the current price (rounded down). */
  valueInStablecoin: bigint;
};
export type GetPositionValueErrorType = CogFiContractError<"UnknownPosition"> | CogFiError;

/**
 * Values a LiquidityManager position: principal at the current price (v3-sdk `Position`) plus what it can
 * collect (simulated `collect` from its owner, which credits fees and revenue up to now).
 * @example
 * const { valueInStablecoin } = await getPositionValue(client, { positionId });
 */
export async function getPositionValue(
  client: CogFiClient,
  parameters: GetPositionValueParameters,
): Promise<GetPositionValueReturnType> {
  const { liquidityManager } = ammAddresses(client);
  const [owner, pool, tickLower, tickUpper, liquidity] = await readOrThrow("getPositionValue", () =>
    client.publicClient.readContract({
      address: liquidityManager,
      abi: liquidityManagerAbi,
      functionName: "positions",
      args: [parameters.positionId],
    }),
  );
  if (owner === "0x0000000000000000000000000000000000000000") {
    throw new CogFiError(`getPositionValue: unknown position ${parameters.positionId}`);
  }
  const [state, stablecoin, collected] = await Promise.all([
    getPool(client, { pool }),
    readOrThrow("getPositionValue", () =>
      client.publicClient.readContract({ address: pool, abi: cognitionPoolAbi, functionName: "stablecoin" }),
    ),
    readOrThrow("getPositionValue", () =>
      client.publicClient.simulateContract({
        address: liquidityManager,
        abi: liquidityManagerAbi,
        functionName: "collect",
        args: [{ positionId: parameters.positionId, recipient: owner, amount0Max: MAX_UINT128, amount1Max: MAX_UINT128 }],
        account: owner,
      }),
    ),
  ]);
  const position = new Position({ pool: state.pool, liquidity: liquidity.toString(), tickLower, tickUpper });
  const amount0 = toBigInt(position.amount0.quotient);
  const amount1 = toBigInt(position.amount1.quotient);
  const [collectable0, collectable1] = collected.result;
  const total0 = amount0 + collectable0;
  const total1 = amount1 + collectable1;
  // price of token0 in token1 = sqrtP^2 / 2^192
  const q192 = 1n << 192n;
  const p2 = state.sqrtPriceX96 * state.sqrtPriceX96;
  const valueInStablecoin =
    stablecoin.toLowerCase() === state.token1.address.toLowerCase()
      ? total1 + (total0 * p2) / q192
      : total0 + (total1 * q192) / p2;
  return {
    owner,
    pool,
    tickLower,
    tickUpper,
    liquidity,
    amount0,
    amount1,
    collectable0,
    collectable1,
    valueInStablecoin,
  };
}
