import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CogFiContractError, CogFiError, createPool, getPool } from "../../index.js";
import { setupShare, startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { mintPosition, POOL_OWNER, setupPool, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "get-pool");
});
afterAll(() => chain?.stop());

describe("getPool", () => {
  test("reads the pool's state, tokens and initialized ticks into a v3-sdk Pool", async () => {
    const empty = await getPool(chain.ammReader, { pool: p.pool });
    expect(empty.liquidity).toBe(0n);
    expect(empty.ticks).toEqual([]);
    expect(empty.token0.address).toBe(p.token0);
    expect(empty.token1.address).toBe(p.token1);

    const { liquidity } = await mintPosition(chain, p);
    const state = await getPool(chain.ammReader, { pool: p.pool });
    expect(state.liquidity).toBe(liquidity);
    expect(state.ticks).toHaveLength(2);
    expect(BigInt(state.pool.liquidity.toString())).toBe(liquidity);
    expect(BigInt(state.pool.sqrtRatioX96.toString())).toBe(state.sqrtPriceX96);
  });

  // GetPoolErrorType lists NotInitialized, but slot0 does not revert: getPool itself throws on a zero price.
  test("a pool created without a price is refused with a CogFiError, not a contract error", async () => {
    const { share } = await setupShare(chain, "get-pool-uninitialized", POOL_OWNER, []);
    const { pool } = await createPool(chain.amm(POOL_OWNER), { share, fee: 3000 });
    const error = await getPool(chain.ammReader, { pool }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CogFiError);
    expect(error).not.toBeInstanceOf(CogFiContractError);
    expect((error as Error).message).toMatch(/not initialized/);
  });
});
