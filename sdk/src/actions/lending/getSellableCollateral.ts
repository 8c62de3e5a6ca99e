import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { sellableCollateral, type SellableCollateralReturnType } from "../../lending/sellable.js";
import { getPool } from "../amm/getPool.js";

export type GetSellableCollateralParameters = {
  /** The model share's CognitionPool. */
  pool: Address;
  /** The market's liquidation loan-to-value, WAD-scaled (0.86e18 for 86%). */
  lltv: bigint;
};
export type GetSellableCollateralReturnType = SellableCollateralReturnType & {
  /** The pool's share (read from the pool). */
  share: Address;
  /** The pool's sqrt price the amount was computed from. */
  sqrtPriceX96: bigint;
};
export type GetSellableCollateralErrorType = CogFiContractError<"NotInitialized"> | CogFiError;

/**
 * Reads a pool's price, liquidity and initialized ticks (`getPool`, through the tick lens) and computes how many of
 * its shares a liquidator can sell before the price falls by the market's liquidation incentive
 * (`sellableCollateral`): the most a market at `lltv` should accept as collateral cap.
 * @example
 * const { shares } = await getSellableCollateral(client, { pool, lltv: 860_000_000_000_000_000n });
 */
export async function getSellableCollateral(
  client: CogFiClient,
  parameters: GetSellableCollateralParameters,
): Promise<GetSellableCollateralReturnType> {
  const [state, share] = await Promise.all([
    getPool(client, { pool: parameters.pool }),
    readOrThrow("getSellableCollateral", () =>
      client.publicClient.readContract({ address: parameters.pool, abi: cognitionPoolAbi, functionName: "share" }),
    ),
  ]);
  try {
    const sellable = await sellableCollateral({ pool: state, share, lltv: parameters.lltv });
    return { ...sellable, share, sqrtPriceX96: state.sqrtPriceX96 };
  } catch (cause) {
    if (cause instanceof CogFiError) throw cause;
    throw new CogFiError(`getSellableCollateral: ${(cause as Error).message}`, { cause });
  }
}
