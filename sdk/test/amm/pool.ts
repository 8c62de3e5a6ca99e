/** A fresh model-share pool with one liquidity position, for the focused AMM action tests (`sdk/src/actions/amm/*.test.ts`). */
import { encodeSqrtRatioX96, nearestUsableTick } from "@uniswap/v3-sdk";
import { parseUnits, type Address } from "viem";
import { addLiquidity } from "../../src/actions/amm/addLiquidity.js";
import { createPool } from "../../src/actions/amm/createPool.js";
import { getPool } from "../../src/actions/amm/getPool.js";
import { sortTokens, toBigInt } from "../../src/amm/internal.js";
import { setupShare, type AmmChain } from "./harness.js";

export const POOL_OWNER = 1;
export const LP = 2;
export const TRADER = 3;

export type TestPool = { share: Address; stablecoin: Address; token0: Address; token1: Address; pool: Address };

/** 1 share = 2 stablecoin units of account, whatever the token order. */
export function twoStablePerShare(token0: Address, share: Address): bigint {
  return toBigInt(
    token0 === share ? encodeSqrtRatioX96("2000000", "1000000000000000000") : encodeSqrtRatioX96("1000000000000000000", "2000000"),
  );
}

/** Registers a share owned by account 1 (LP and trader funded) and creates its 0.3% pool at 2 stablecoin per share. */
export async function setupPool(chain: AmmChain, name: string): Promise<TestPool> {
  const { share, stablecoin } = await setupShare(chain, name, POOL_OWNER, [LP, TRADER]);
  const [token0, token1] = sortTokens(share, stablecoin);
  const { pool } = await createPool(chain.amm(POOL_OWNER), { share, fee: 3000, sqrtPriceX96: twoStablePerShare(token0, share) });
  return { share, stablecoin, token0, token1, pool };
}

/** Amounts worth 1,000 shares and 2,000 stablecoin, in token0 / token1 order. */
export function desiredAmounts(p: TestPool): { amount0Desired: bigint; amount1Desired: bigint } {
  const shares = parseUnits("1000", 18);
  const stable = 2_000_000_000n;
  return p.token0 === p.share ? { amount0Desired: shares, amount1Desired: stable } : { amount0Desired: stable, amount1Desired: shares };
}

/** Mints a position of account `lp` around the current tick (+-6000 ticks). */
export async function mintPosition(chain: AmmChain, p: TestPool, lp = LP) {
  const state = await getPool(chain.ammReader, { pool: p.pool });
  return addLiquidity(chain.amm(lp), {
    token0: p.token0,
    token1: p.token1,
    fee: 3000,
    tickLower: nearestUsableTick(state.tick - 6000, 60),
    tickUpper: nearestUsableTick(state.tick + 6000, 60),
    ...desiredAmounts(p),
  });
}
