import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { readOraclePrice, resolveMarket, type MarketRef } from "../../internal/lending.js";
import { capsFromLiquidity, type CapsFromLiquidityReturnType } from "../../lending/caps.js";
import { getSellableCollateral, type GetSellableCollateralReturnType } from "./getSellableCollateral.js";

export type GetCapsFromLiquidityParameters = MarketRef & {
  /** The collateral share's CognitionPool. */
  pool: Address;
};
export type GetCapsFromLiquidityReturnType = CapsFromLiquidityReturnType & {
  /** What the caps come from: the sellable collateral at the market's LLTV. */
  sellable: GetSellableCollateralReturnType;
  /** The oracle's `price()` the borrow cap values it at. */
  price: bigint;
};
export type GetCapsFromLiquidityErrorType = CogFiContractError | CogFiError;

/**
 * The caps a market should have on its pool's current liquidity (`capsFromLiquidity`: borrow cap = max borrow of the
 * collateral a liquidator can sell within the incentive; supply open). Set them with `createMarket`'s `caps` or the
 * owner's `setCaps`, and recompute them when liquidity leaves the pool.
 * @example
 * const { supplyCap, borrowCap } = await getCapsFromLiquidity(client, { marketParams, pool });
 */
export async function getCapsFromLiquidity(client: CogFiClient, parameters: GetCapsFromLiquidityParameters): Promise<GetCapsFromLiquidityReturnType> {
  const { params } = await resolveMarket(client, "getCapsFromLiquidity", parameters);
  const [sellable, price] = await Promise.all([
    getSellableCollateral(client, { pool: parameters.pool, lltv: params.lltv }),
    readOraclePrice(client, "getCapsFromLiquidity", params.oracle),
  ]);
  return { ...capsFromLiquidity({ sellableShares: sellable.shares, price, lltv: params.lltv }), sellable, price };
}
