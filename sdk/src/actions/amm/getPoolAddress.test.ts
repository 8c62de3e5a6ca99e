import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getPoolAddress } from "../../index.js";
import { startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { setupPool, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "pool-address");
});
afterAll(() => chain?.stop());

describe("getPoolAddress", () => {
  test("finds the pool in either token order", async () => {
    expect(await getPoolAddress(chain.ammReader, { tokenA: p.stablecoin, tokenB: p.share, fee: 3000 })).toBe(p.pool);
    expect(await getPoolAddress(chain.ammReader, { tokenA: p.share, tokenB: p.stablecoin, fee: 3000 })).toBe(p.pool);
  });

  test("returns undefined for a fee tier without a pool (the factory read does not revert)", async () => {
    expect(await getPoolAddress(chain.ammReader, { tokenA: p.share, tokenB: p.stablecoin, fee: 500 })).toBeUndefined();
  });
});
