/**
 * The risk job on anvil through the keeper's HTTP API: a market priced by a ShareOracle on a pool; the keeper (risk
 * job only) reads the chain, runs the simulations package in a child process and publishes the report at /risk
 * (computed at a recent block, its seed the block number, the market's LLTV and the pool's price in the overrides,
 * every metric with its interval) and /risk.html; the HTTP API keeps answering while the paths run.
 */
import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMarket, createShareOracle, lendingAddresses } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, TEST_STATE_DIR } from "@cogfi/sdk/node";
import { startAmmChain, type AmmChain } from "../../sdk/test/amm/harness.js";
import { mintPosition, POOL_OWNER, setupPool } from "../../sdk/test/amm/pool.js";
import { startKeeper, type RiskReport, type RunningKeeper } from "../src/index.js";

const PATHS = 4;
let chain: AmmChain;
let keeper: RunningKeeper;

beforeAll(async () => {
  chain = await startAmmChain();
  const pool = await setupPool(chain, "risk-market");
  await mintPosition(chain, pool);
  const { oracle } = await createShareOracle(chain.amm(POOL_OWNER), { pool: pool.pool, blockTimeSeconds: 12, minInRangeLiquidity: 1n });
  const { adaptiveIrm } = lendingAddresses(chain.reader);
  await createMarket(chain.client(0), {
    marketParams: { loanToken: pool.stablecoin, collateralToken: pool.share, oracle, irm: adaptiveIrm, lltv: parseUnits("0.77", 18) },
  });
  keeper = await startKeeper(
    {
      rpcUrl: chain.rpcUrl,
      chainId: 31337,
      privateKey: ANVIL_PRIVATE_KEYS[9],
      deploymentsDir: TEST_STATE_DIR,
      httpPort: 0,
      logLevel: "silent",
      risk: { enabled: true, paths: PATHS, intervalMs: 3_600_000 },
    },
    { jobs: (defaults) => defaults.filter((job) => job.name === "risk") },
  );
}, 120_000);
afterAll(async () => {
  await keeper?.stop();
  await chain?.stop();
});

describe("risk job", () => {
  test("/risk serves a report computed at a recent block, /risk.html its page; the API answers during the run", async () => {
    const deadline = Date.now() + 150_000;
    let response = await fetch(`${keeper.url}/risk`);
    let slowest = 0;
    while (response.status === 404) {
      if (Date.now() > deadline) throw new Error("no risk report within 150 s");
      // The run is in a child process: the keeper's own endpoints stay fast meanwhile.
      const started = Date.now();
      expect((await fetch(`${keeper.url}/status`)).status).toBe(200);
      slowest = Math.max(slowest, Date.now() - started);
      await new Promise((r) => setTimeout(r, 250));
      response = await fetch(`${keeper.url}/risk`);
    }
    expect(response.status).toBe(200);
    expect(slowest).toBeLessThan(1_000);
    const report = (await response.json()) as RiskReport;
    const head = await chain.reader.publicClient.getBlockNumber({ cacheTime: 0 });
    const block = BigInt(report.blockNumber);
    expect(block).toBeLessThanOrEqual(head);
    expect(head - block).toBeLessThanOrEqual(2n);
    expect(report.seed).toBe(Number(block));
    expect(report.manifest.seed).toBe(report.seed);
    expect(report.manifest.paths).toBe(PATHS);
    expect(report.manifest.scenario.name).toBe("baseline");
    // The chain's market shaped the run: its LLTV and its pool's price near $2.
    expect(report.chain.markets).toHaveLength(1);
    expect(report.manifest.params.lending.lltv).toBe(0.77);
    expect(report.manifest.params.price.initialUsd).toBeGreaterThan(1.99);
    expect(report.manifest.params.price.initialUsd).toBeLessThan(2.01);
    expect(report.manifest.params.amm.liquidityUsd).toBeGreaterThan(0);
    // Every figure with its confidence interval.
    const var99 = report.metrics.lending.badDebtVar99Usd;
    expect(var99.ci).toHaveLength(2);
    expect(var99.ci[0]).toBeLessThanOrEqual(var99.value);
    expect(var99.ci[1]).toBeGreaterThanOrEqual(var99.value);
    const html = await fetch(`${keeper.url}/risk.html`);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(await html.text()).toContain("<svg");
    const status = (await (await fetch(`${keeper.url}/status`)).json()) as { jobs: Array<{ name: string; details: { runs: number; lastReportBlock: string } }> };
    expect(status.jobs.find((job) => job.name === "risk")?.details).toMatchObject({ runs: 1, lastReportBlock: report.blockNumber });
  }, 180_000);
});
