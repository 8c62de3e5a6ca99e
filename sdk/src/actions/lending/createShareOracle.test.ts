import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseUnits } from "viem";
import {
  CogFiError,
  cognitionPoolAbi,
  createShareOracle,
  getLiquidityFloor,
  isCogFiError,
  SHARE_ORACLE_BORROW_WINDOWS,
  shareOracleAbi,
} from "../../index.js";
import { startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { mintPosition, POOL_OWNER, setupPool, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "lend-oracle");
  await mintPosition(chain, p);
});
afterAll(() => chain?.stop());

describe("createShareOracle", () => {
  test("grows the pool's ring, deploys an oracle priced at the pool's TWAP once a window has passed", async () => {
    const created = await createShareOracle(chain.amm(POOL_OWNER), { pool: p.pool, blockTimeSeconds: 12, minInRangeLiquidity: 1n });
    // ceil(2 x 1800 / 12) + 1: borrowPrice reads two windows.
    expect(created.requiredCardinality).toBe(301);
    const [, , , , cardinalityNext] = await chain.ammReader.publicClient.readContract({ address: p.pool, abi: cognitionPoolAbi, functionName: "slot0" });
    expect(cardinalityNext).toBeGreaterThanOrEqual(301);
    const read = (functionName: "loanToken" | "pool") => chain.ammReader.publicClient.readContract({ address: created.oracle, abi: shareOracleAbi, functionName });
    expect(await read("loanToken")).toBe(p.stablecoin);
    expect(await read("pool")).toBe(p.pool);
    // The sdk's constant is the contract's.
    const windows = await chain.ammReader.publicClient.readContract({ address: created.oracle, abi: shareOracleAbi, functionName: "BORROW_WINDOWS" });
    expect(windows).toBe(SHARE_ORACLE_BORROW_WINDOWS);
    await chain.warp(1_801);
    const price = await chain.ammReader.publicClient.readContract({ address: created.oracle, abi: shareOracleAbi, functionName: "price" });
    // 2 mUSD per share: 2e6 units per 1e18, 1e36-scaled = 2e24 (the TWAP tick's floor: within 1 bp below).
    expect(price).toBeLessThanOrEqual(2n * 10n ** 24n);
    expect(price).toBeGreaterThan(2n * 10n ** 24n - 2n * 10n ** 20n);
  });

  test("on a one-second chain (anvil), grows the ring of 3,601 slots in transactions that fit a block", async () => {
    // 3,600 new slots are ~80M gas: more than a 30M block holds in one transaction.
    const q = await setupPool(chain, "lend-oracle-anvil");
    const created = await createShareOracle(chain.amm(POOL_OWNER), { pool: q.pool, blockTimeSeconds: 1, minInRangeLiquidity: 1n });
    expect(created.requiredCardinality).toBe(2 * 1_800 + 1);
    const [, , , , cardinalityNext] = await chain.ammReader.publicClient.readContract({ address: q.pool, abi: cognitionPoolAbi, functionName: "slot0" });
    expect(cardinalityNext).toBe(created.requiredCardinality);
  });

  test("decodes TwapWindowTooShort", async () => {
    const error = await createShareOracle(chain.amm(POOL_OWNER), { pool: p.pool, twapWindowSeconds: 60, blockTimeSeconds: 12, minInRangeLiquidity: 1n }).catch(
      (e: unknown) => e,
    );
    expect(isCogFiError(error, "TwapWindowTooShort")).toBe(true);
  });

  test("the liquidity floor: suggested from the pool (half its in-range liquidity here), stored; borrowPrice stops below it, price() does not", async () => {
    const lltv = parseUnits("0.86", 18);
    const suggested = await getLiquidityFloor(chain.ammReader, { pool: p.pool, lltv });
    // One position over +-6,000 ticks: the band down to the liquidation floor (~429 ticks) stays inside it.
    expect(suggested.liquidity).toBeGreaterThan(0n);
    expect(suggested.lowestLiquidity).toBe(suggested.liquidity);
    expect(suggested.minInRangeLiquidity).toBe(suggested.liquidity / 2n);
    const client = chain.amm(POOL_OWNER);
    const ok = await createShareOracle(client, { pool: p.pool, blockTimeSeconds: 12, minInRangeLiquidity: suggested.minInRangeLiquidity });
    const tooHigh = await createShareOracle(client, { pool: p.pool, blockTimeSeconds: 12, minInRangeLiquidity: suggested.liquidity + 2n });
    const read = (oracle: typeof ok.oracle, functionName: "minInRangeLiquidity" | "borrowPrice" | "price") =>
      chain.ammReader.publicClient.readContract({ address: oracle, abi: shareOracleAbi, functionName });
    expect(await read(ok.oracle, "minInRangeLiquidity")).toBe(suggested.minInRangeLiquidity);
    // Two windows of history, at the position's constant liquidity.
    await chain.warp(2 * 1_800 + 1);
    expect(await read(ok.oracle, "borrowPrice")).toBeGreaterThan(0n);
    expect(await read(tooHigh.oracle, "price")).toBe(await read(ok.oracle, "price"));
    const error = await read(tooHigh.oracle, "borrowPrice").catch((e: unknown) => e);
    expect(String(error)).toContain("InRangeLiquidityTooLow");
  });

  test("validates the new fields before sending anything: a zero floor, an empty answer band", async () => {
    const client = chain.amm(POOL_OWNER);
    const zero = await createShareOracle(client, { pool: p.pool, minInRangeLiquidity: 0n }).catch((e: unknown) => e);
    expect(zero).toBeInstanceOf(CogFiError);
    expect(String(zero)).toContain("minInRangeLiquidity");
    const feeds = {
      stableUsdFeed: p.pool,
      stableUsdMaxAgeSeconds: 3_600,
      loanUsdFeed: p.pool,
      loanUsdMaxAgeSeconds: 3_600,
      loanUsdMinAnswerWad: parseUnits("2", 18),
      loanUsdMaxAnswerWad: parseUnits("1", 18),
    };
    const empty = await createShareOracle(client, { pool: p.pool, minInRangeLiquidity: 1n, feeds }).catch((e: unknown) => e);
    expect(empty).toBeInstanceOf(CogFiError);
    expect(String(empty)).toContain("loanUsd band is empty");
  });
});
