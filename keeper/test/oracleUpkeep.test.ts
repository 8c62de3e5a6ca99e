/**
 * The oracle upkeep job on anvil: a market's ShareOracle whose ring is large enough costs nothing; a TWAP window
 * declared in the config grows its pool's ring in bounded steps up to the requirement and then stops; a cost-feed
 * round is poked only when it is due; a stale stablecoin/USD feed shows in the gauge, the job's status and /health.
 */
import { parseUnits, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cognitionPoolAbi, computeCostFeedAbi, createMarket, createShareOracle, lendingAddresses, mockAggregatorAbi, settleUsage } from "@cogfi/sdk";
import type { AmmChain } from "../../sdk/test/amm/harness.js";
import { mintPosition, POOL_OWNER, setupPool, type TestPool } from "../../sdk/test/amm/pool.js";
import { startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { KEEPER as SETTLER, openTestSession, serveModel, signTestBatch, testReceipts, type ServedModel } from "../../sdk/test/ledger/fixtures.js";
import { keeperHealth } from "../src/health.js";
import type { JobContext } from "../src/jobs/job.js";
import { OracleUpkeepJob } from "../src/jobs/oracleUpkeep.js";
import { createKeeperMetrics } from "../src/metrics.js";
import { jobContext } from "./context.js";

const KEEPER = 8;
/** A window read off-oracle on a one-second chain: ceil(3,600 / 1) + 1 slots. */
const WINDOW_SECONDS = 3_600;
const SLOTS_PER_TX = 1_000;

let chain: LedgerChain;
let served: ServedModel;
let marketPool: TestPool;
let windowPool: TestPool;
let context: JobContext;
let job: OracleUpkeepJob;

const slot0 = (pool: Address) => chain.reader.publicClient.readContract({ address: pool, abi: cognitionPoolAbi, functionName: "slot0" });
const sentOf = (kind: string) => context.store.workCounts().filter((row) => row.kind === kind).reduce((n, row) => n + row.count, 0);

beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "upkeep-feed");
  const amm: AmmChain = { ...chain, amm: chain.client, ammReader: chain.reader };
  // A market priced by a ShareOracle (its ring grown at creation: ceil(2 x 1,800 / 12) + 1 = 301 slots).
  marketPool = await setupPool(amm, "upkeep-market");
  await mintPosition(amm, marketPool);
  const { oracle } = await createShareOracle(chain.client(POOL_OWNER), { pool: marketPool.pool, blockTimeSeconds: 12, minInRangeLiquidity: 1n });
  const { adaptiveIrm } = lendingAddresses(chain.reader);
  await createMarket(chain.client(0), {
    marketParams: { loanToken: marketPool.stablecoin, collateralToken: marketPool.share, oracle, irm: adaptiveIrm, lltv: parseUnits("0.77", 18) },
  });
  windowPool = await setupPool(amm, "upkeep-window");
  context = jobContext(chain.client(KEEPER), { metrics: createKeeperMetrics() });
  job = new OracleUpkeepJob({
    intervalMs: 1_000,
    slotsPerTransaction: SLOTS_PER_TX,
    twapWindows: [{ pool: windowPool.pool, windowSeconds: WINDOW_SECONDS, blockTimeSeconds: 1 }],
    pokeCostFeed: true,
    stablecoinFeedMaxAgeSeconds: 600,
    fromBlock: 0n,
    logChunkBlocks: 10_000n,
  });
}, 120_000);
afterAll(async () => {
  context?.store.close();
  await chain?.stop();
});

describe("oracle upkeep", () => {
  test("grows only the short ring, at most slotsPerTransaction slots a pass, and stops at the requirement", async () => {
    const required = WINDOW_SECONDS + 1;
    const [, , , , marketNextBefore] = await slot0(marketPool.pool);
    expect(marketNextBefore).toBeGreaterThanOrEqual(301);
    const [, , , , before] = await slot0(windowPool.pool);
    expect(before).toBe(1);
    const seen: number[] = [];
    for (let pass = 0; pass < 6; pass++) {
      await job.run(context);
      seen.push((await slot0(windowPool.pool))[4]);
    }
    // 1 -> 1,001 -> 2,001 -> 3,001 -> 3,601, then nothing more.
    expect(seen).toEqual([1_001, 2_001, 3_001, required, required, required]);
    expect(sentOf("cardinality")).toBe(4);
    // The market's ShareOracle pool already covered its 301 slots: untouched.
    expect((await slot0(marketPool.pool))[4]).toBe(marketNextBefore);
    const status = job.status();
    expect(status.shareOracles).toBe(1);
    expect(status.pools[marketPool.pool]).toMatchObject({ required: 301 });
    expect(status.pools[windowPool.pool]).toMatchObject({ required, cardinalityNext: required });
    const metrics = await context.metrics.registry.getSingleMetricAsString("cogfi_keeper_upkeep_actions_total");
    expect(metrics).toContain('cogfi_keeper_upkeep_actions_total{action="cardinality"} 4');
  }, 120_000);

  test("pokes a cost-feed round only when one is due (interval elapsed, new usage)", async () => {
    const feed = chain.deployment.contracts.ComputeCostFeed!;
    const round = () => chain.reader.publicClient.readContract({ address: feed, abi: computeCostFeedAbi, functionName: "latestRound", args: [served.ledger, served.modelId] });
    const sessionId = await openTestSession(chain, served);
    // The first settlement records round 1 itself; the second, within the interval, records nothing.
    await settleUsage(chain.client(SETTLER), { batch: (await signTestBatch(chain, served, 1n, testReceipts(sessionId, 1n, 3))).batch });
    await settleUsage(chain.client(SETTLER), { batch: (await signTestBatch(chain, served, 2n, testReceipts(sessionId, 4n, 2))).batch });
    expect(await round()).toBe(1n);
    await job.run(context);
    expect(await round()).toBe(1n);
    expect(sentOf("poke")).toBe(0);
    // MIN_ROUND_INTERVAL later, the unrecorded usage is due: one poke records round 2, the next pass sends nothing.
    await chain.warp(3_601);
    await job.run(context);
    expect(await round()).toBe(2n);
    await job.run(context);
    expect(sentOf("poke")).toBe(1);
    expect(job.status().pokes).toBe(1);
  }, 120_000);

  test("a stablecoin/USD feed past its max age is a gauge, a warning in status, and /health degraded; a fresh answer clears it", async () => {
    const feed = chain.deployment.contracts.StablecoinUsdFeed as Address;
    // The previous test warped an hour: the feed posted at deployment is older than the 600 s limit.
    await job.run(context);
    const stale = job.staleFeeds();
    expect(stale).toHaveLength(1);
    expect(stale[0]).toMatchObject({ feed, maxAgeSeconds: 600, usedBy: "deployment:StablecoinUsdFeed" });
    expect(stale[0]!.ageSeconds).toBeGreaterThan(600);
    const gauge = await context.metrics.registry.getSingleMetricAsString("cogfi_keeper_feed_stale");
    expect(gauge).toContain(`cogfi_keeper_feed_stale{feed="${feed}"} 1`);
    const account = chain.accounts[KEEPER]!.address;
    const health = await keeperHealth({ client: chain.reader, account, gatewayUrls: [], oldestUnsettledSignedAt: () => undefined, staleFeeds: () => job.staleFeeds() });
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("degraded");
    expect(health.body.staleFeeds).toEqual(stale);

    const wallet = chain.client(0).walletClient!;
    const hash = await wallet.writeContract({ address: feed, abi: mockAggregatorAbi, functionName: "postAnswer", args: [10n ** 8n] });
    await chain.reader.publicClient.waitForTransactionReceipt({ hash });
    await job.run(context);
    expect(job.staleFeeds()).toEqual([]);
    expect(await context.metrics.registry.getSingleMetricAsString("cogfi_keeper_feed_stale")).toContain(`cogfi_keeper_feed_stale{feed="${feed}"} 0`);
    const fresh = await keeperHealth({ client: chain.reader, account, gatewayUrls: [], oldestUnsettledSignedAt: () => undefined, staleFeeds: () => job.staleFeeds() });
    expect(fresh.body.status).toBe("ok");
    expect(fresh.body.staleFeeds).toBeUndefined();
  }, 120_000);
});
