import { zeroAddress, type Address } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { cognitionPoolFactoryAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import type { FeeTier } from "../../amm/pool.js";
import { ammAddresses } from "../../amm/internal.js";

export type GetPoolAddressParameters = { tokenA: Address; tokenB: Address; fee: FeeTier };
/** The pool, or undefined if none exists for the pair and fee. */
export type GetPoolAddressReturnType = Address | undefined;
export type GetPoolAddressErrorType = CogFiError;

/**
 * Looks up the pool of a pair (either order) and fee tier in the factory.
 * @example
 * const pool = await getPoolAddress(client, { tokenA: share, tokenB: stablecoin, fee: 3000 });
 */
export async function getPoolAddress(
  client: CogFiClient,
  parameters: GetPoolAddressParameters,
): Promise<GetPoolAddressReturnType> {
  const { factory } = ammAddresses(client);
  const pool = await readOrThrow("getPoolAddress", () =>
    client.publicClient.readContract({
      address: factory,
      abi: cognitionPoolFactoryAbi,
      functionName: "getPool",
      args: [parameters.tokenA, parameters.tokenB, parameters.fee],
    }),
  );
  return pool === zeroAddress ? undefined : pool;
}
