import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPool, getPool, getPoolAddress, isCogFiError } from "../../index.js";
import { setupShare, startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { POOL_OWNER, twoStablePerShare } from "../../../test/amm/pool.js";
import { sortTokens } from "../../amm/internal.js";

let chain: AmmChain;
beforeAll(async () => {
  chain = await startAmmChain();
});
afterAll(() => chain?.stop());

describe("createPool", () => {
  test("creates and initializes a share/stablecoin pool at the given price", async () => {
    const { share, stablecoin } = await setupShare(chain, "create-pool", POOL_OWNER, []);
    const [token0] = sortTokens(share, stablecoin);
    const sqrtPriceX96 = twoStablePerShare(token0, share);
    const created = await createPool(chain.amm(POOL_OWNER), { share, fee: 3000, sqrtPriceX96 });
    expect(created.initializeHash).toBeDefined();
    expect(await getPoolAddress(chain.ammReader, { tokenA: share, tokenB: stablecoin, fee: 3000 })).toBe(created.pool);
    const state = await getPool(chain.ammReader, { pool: created.pool });
    expect(state.sqrtPriceX96).toBe(sqrtPriceX96);
    expect(state.fee).toBe(3000);
    expect(state.tickSpacing).toBe(60);
  });

  test("decodes PoolExists and InvalidFeeTier", async () => {
    const { share } = await setupShare(chain, "create-pool-twice", POOL_OWNER, []);
    await createPool(chain.amm(POOL_OWNER), { share, fee: 500 });
    const exists = await createPool(chain.amm(POOL_OWNER), { share, fee: 500 }).catch((e: unknown) => e);
    expect(isCogFiError(exists, "PoolExists")).toBe(true);
    const badFee = await createPool(chain.amm(POOL_OWNER), { share, fee: 100 as never }).catch((e: unknown) => e);
    expect(isCogFiError(badFee, "InvalidFeeTier")).toBe(true);
  });
});
