import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createPool, getPool, getTwap, increaseObservationCardinality, isCogFiError } from "../../index.js";
import { setupShare, startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { mintPosition, POOL_OWNER, setupPool, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "twap");
  await mintPosition(chain, p);
  await increaseObservationCardinality(chain.amm(POOL_OWNER), { pool: p.pool, cardinality: 10 });
  await chain.warp(600);
});
afterAll(() => chain?.stop());

describe("getTwap", () => {
  test("the mean tick of an untouched pool is its tick", async () => {
    const { tick } = await getPool(chain.ammReader, { pool: p.pool });
    const twap = await getTwap(chain.ammReader, { pool: p.pool, secondsAgo: 300 });
    expect(twap.arithmeticMeanTick).toBe(tick);
    expect(twap.harmonicMeanLiquidity).toBeGreaterThan(0n);
  });

  test("decodes ObservationTooOld for a window older than the oracle", async () => {
    const error = await getTwap(chain.ammReader, { pool: p.pool, secondsAgo: 1_000_000 }).catch((e: unknown) => e);
    expect(isCogFiError(error, "ObservationTooOld")).toBe(true);
  });

  test("decodes NotInitialized for a pool without a price", async () => {
    const { share } = await setupShare(chain, "twap-uninitialized", POOL_OWNER, []);
    const { pool } = await createPool(chain.amm(POOL_OWNER), { share, fee: 3000 });
    const error = await getTwap(chain.ammReader, { pool, secondsAgo: 60 }).catch((e: unknown) => e);
    expect(isCogFiError(error, "NotInitialized")).toBe(true);
  });
});
