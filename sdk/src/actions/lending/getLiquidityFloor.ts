import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { suggestLiquidityFloor, type SuggestLiquidityFloorReturnType } from "../../lending/liquidityFloor.js";
import { getPool } from "../amm/getPool.js";

export type GetLiquidityFloorParameters = {
  /** The model share's CognitionPool. */
  pool: Address;
  /** The market's LLTV, WAD-scaled (0.77e18 for 77%). */
  lltv: bigint;
  /** The fraction of the lowest liquidity taken, bps (default `SHARE_ORACLE_LIQUIDITY_FLOOR_BPS`: half). */
  fractionBps?: number;
};
export type GetLiquidityFloorReturnType = SuggestLiquidityFloorReturnType & {
  /** The pool's share (read from the pool). */
  share: Address;
  /** The pool's in-range liquidity now. */
  liquidity: bigint;
};
export type GetLiquidityFloorErrorType = CogFiContractError<"NotInitialized"> | CogFiError;

/**
 * Reads a pool's price, liquidity and initialized ticks and suggests the ShareOracle's `minInRangeLiquidity` for a
 * market at `lltv` (`suggestLiquidityFloor`: half the lowest in-range liquidity between the price and the liquidation
 * floor price, the liquidity the caps from liquidity sell through). Pass it to `createShareOracle`.
 * @example
 * const { minInRangeLiquidity } = await getLiquidityFloor(client, { pool, lltv });
 * const { oracle } = await createShareOracle(client, { pool, minInRangeLiquidity });
 */
export async function getLiquidityFloor(client: CogFiClient, parameters: GetLiquidityFloorParameters): Promise<GetLiquidityFloorReturnType> {
  const [state, share] = await Promise.all([
    getPool(client, { pool: parameters.pool }),
    readOrThrow("getLiquidityFloor", () =>
      client.publicClient.readContract({ address: parameters.pool, abi: cognitionPoolAbi, functionName: "share" }),
    ),
  ]);
  try {
    const floor = suggestLiquidityFloor({ pool: state, share, lltv: parameters.lltv, fractionBps: parameters.fractionBps });
    return { ...floor, share, liquidity: state.liquidity };
  } catch (cause) {
    if (cause instanceof CogFiError) throw cause;
    throw new CogFiError(`getLiquidityFloor: ${(cause as Error).message}`, { cause });
  }
}
