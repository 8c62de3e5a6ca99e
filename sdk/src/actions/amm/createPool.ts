import { parseEventLogs, type Address, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi, cognitionPoolFactoryAbi } from "../../generated/abis.js";
import { ammAddresses } from "../../amm/internal.js";
import { writeAndWait } from "../../internal/write.js";
import type { FeeTier } from "../../amm/pool.js";


export type CreatePoolParameters = {
  /** The model share; the pool pairs it with the share's revenue stablecoin. */
  share: Address;
  fee: FeeTier;
  /** If set, the pool is initialized at this sqrt(token1/token0) price (Q64.96) in a second transaction. */
  sqrtPriceX96?: bigint;
};
export type CreatePoolReturnType = { pool: Address; hash: Hash; initializeHash?: Hash };
export type CreatePoolErrorType =
  | CogFiContractError<"InvalidFeeTier" | "PoolExists" | "NotModelShare" | "SqrtPriceOutOfRange" | "AlreadyInitialized">
  | CogFiError;

/**
 * Creates the CognitionPool of a model share against its stablecoin, and optionally sets its first price.
 * @example
 * const { pool } = await createPool(client, { share, fee: 3000, sqrtPriceX96: encodeSqrtRatioX96(1, 1) });
 */
export async function createPool(client: CogFiClient, parameters: CreatePoolParameters): Promise<CreatePoolReturnType> {
  const { factory } = ammAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "createPool", {
    address: factory,
    abi: cognitionPoolFactoryAbi,
    functionName: "createPool",
    args: [parameters.share, parameters.fee],
  });
  const [event] = parseEventLogs({ abi: cognitionPoolFactoryAbi, eventName: "PoolCreated", logs: receipt.logs });
  if (!event) throw new CogFiError(`createPool ${hash} emitted no PoolCreated event`);
  const pool = event.args.pool;
  if (parameters.sqrtPriceX96 === undefined) return { pool, hash };
  const initialized = await writeAndWait(client, "createPool: initialize", {
    address: pool,
    abi: cognitionPoolAbi,
    functionName: "initialize",
    args: [parameters.sqrtPriceX96],
  });
  return { pool, hash, initializeHash: initialized.hash };
}
