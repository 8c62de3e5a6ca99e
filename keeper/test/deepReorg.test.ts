/**
 * Reorgs deeper than the confirmation depth, on anvil (`anvil_reorg`): work the keeper counted done at
 * `confirmations: 1` leaves the chain, and the finality watch (`TxSender.checkFinality`, run by each job's pass)
 * reopens it.
 *
 * - relay: a settlement confirmed, then reorged out 2 blocks deep. The next pass rewinds the gateway's cursor, finds
 *   the batch unsettled on the new chain and settles it again: one `UsageSettled` on the chain, the session charged
 *   once, the work done with one confirmed transaction;
 * - relay, control: the reorg re-includes the same transaction in the new chain: nothing is sent again;
 * - liquidation: a liquidation reorged out is not re-sent as it was: the position is read and judged again (healthy
 *   after the oracle came back: nothing sent; unhealthy again: liquidated once).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { keccak256, parseUnits, toHex, type Address, type Hash, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  getPosition,
  getSession,
  getSettledBatches,
  inferenceLedgerAbi,
  lendingAddresses,
  lendingMarketAbi,
  ledgerAddresses,
  marketId,
  openSession,
  packPricing,
  registerModel,
  signUsageBatch,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import { rpc } from "@cogfi/sdk/node";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { PRICE_TWO, setOraclePrice, startLendingChain, type LendingChain, type TestMarket } from "../../sdk/test/lending/harness.js";
import { LiquidationJob } from "../src/jobs/liquidation.js";
import { ReceiptRelayJob } from "../src/jobs/receiptRelay.js";
import type { JobContext } from "../src/jobs/job.js";
import { KeeperStore } from "../src/state/store.js";
import { jobContext } from "./context.js";
import { startFakeGateway, type FakeGateway } from "./fakeGateway.js";
import { CRASH_PRICE, openMarketWithPositions, POSITIONS } from "./lendingFixture.js";

/** `promise`, or a loud failure after `ms` (a pass waits for its blocks without a deadline of its own). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The Prometheus samples of `cogfi_keeper_deep_reorgs_total`, as `kind/outcome` -> value. */
async function deepReorgSamples(context: JobContext): Promise<Record<string, number>> {
  const families = parsePrometheusTextFormat(await context.metrics.registry.metrics());
  const family = families.find((f) => f.name === "cogfi_keeper_deep_reorgs_total");
  return Object.fromEntries((family?.metrics ?? []).map((m) => [`${m.labels!.kind}/${m.labels!.outcome}`, Number(m.value)]));
}

/** Mines one more block, then replaces the blocks from `blockNumber` to the head (at least 2: deeper than 1 confirmation). */
async function reorgFrom(rpcUrl: string, head: () => Promise<bigint>, blockNumber: bigint, include: Array<[Hex, number]> = []): Promise<number> {
  await rpc(rpcUrl, "evm_mine");
  const depth = Number((await head()) - blockNumber + 1n);
  expect(depth, "reorg depth").toBeGreaterThanOrEqual(2);
  await rpc(rpcUrl, "anvil_reorg", [depth, include]);
  return depth;
}

describe("deep reorg of a settlement", () => {
  const KEEPER = 6;
  const BUYER = 3;
  const enclave = enclaveAccount(51);
  let chain: LedgerChain;
  let gateway: FakeGateway;
  let ledger: Address;
  let gatewayId: bigint;
  let modelId: bigint;
  let sessionId: bigint;
  let nextBatch = 1n;
  let store: KeeperStore;
  let context: JobContext;
  let relay: ReceiptRelayJob;

  const head = () => chain.reader.publicClient.getBlockNumber({ cacheTime: 0 });
  const workKey = (batchNumber: bigint) => `settle:31337:${ledger.toLowerCase()}:${gatewayId}:${batchNumber}`;
  const settledEvents = async () =>
    (
      await chain.reader.publicClient.getContractEvents({ address: ledger, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock: 0n })
    ).map((log) => ({ batch: log.args.batchNumber!, hash: log.transactionHash }));
  const spent = async () => (await getSession(chain.reader, { sessionId }))!.spent;

  async function serveBatch(from: bigint, count: number): Promise<SignedUsageBatch> {
    const { batch } = await signUsageBatch({
      account: enclave,
      gatewayId,
      chainId: 31337,
      ledger,
      modelId,
      batchNumber: nextBatch++,
      servedPricing: packPricing(demoPricing),
      receipts: Array.from({ length: count }, (_, i) => ({
        sessionId,
        sequence: from + BigInt(i),
        inputTokens: 1_000n,
        outputTokens: 300n,
        reasoningTokens: 2_000n,
        requestHash: keccak256(toHex(`deep-reorg-${from + BigInt(i)}`)),
      })),
    });
    gateway.served.push(batch);
    return batch;
  }

  beforeAll(async () => {
    chain = await startLedgerChain();
    ledger = ledgerAddresses(chain.reader).inferenceLedger;
    ({ modelId } = await registerModel(chain.client(1), modelParams("deep-reorg")));
    ({ gatewayId } = await chain.registerDevEnclave(modelId, enclave));
    await chain.fund(BUYER, parseUnits("100", 6));
    ({ sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: parseUnits("100", 6), expiry: (await chain.now()) + 86_400n }));
    gateway = await startFakeGateway(ledger);
    relay = new ReceiptRelayJob({ gatewayUrls: [gateway.url], intervalMs: 10, fetchLimit: 10 });
    // A state file on disk (the migration runs), one confirmation: the settlement counts done in its own block.
    store = KeeperStore.open(resolve(mkdtempSync(resolve(tmpdir(), "cogfi-deep-reorg-")), "keeper.sqlite"));
    context = jobContext(chain.client(KEEPER), { store, sender: { confirmations: 1, finalityDepth: 64 } });
  }, 120_000);
  afterAll(async () => {
    store?.close();
    await gateway?.stop();
    await chain?.stop();
  });

  test("a settlement reorged out after its confirmation is settled again, exactly once", async () => {
    await serveBatch(1n, 3);
    const spentBefore = await spent();
    await within(relay.run(context), 30_000, "the first relay pass");
    const [first] = store.attempts(workKey(1n));
    expect(first).toMatchObject({ status: "confirmed" });
    expect(store.work(workKey(1n))?.status).toBe("done");
    expect(store.getCursor("usage-relay", gateway.url)).toBe("0");
    const spentOnce = await spent();
    expect(spentOnce).toBeGreaterThan(spentBefore);

    await reorgFrom(chain.rpcUrl, head, first!.blockNumber!);
    // The reorg took the settlement: the ledger's counter and the session are back where they were.
    await expect(chain.reader.publicClient.getTransactionReceipt({ hash: first!.hash }), "the reorg must drop the settlement").rejects.toThrow(/could not be found/);
    expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(0n);
    expect(await spent()).toBe(spentBefore);

    await within(relay.run(context), 30_000, "the relay pass after the reorg");
    // On the new chain: the batch settled once, the session charged once.
    expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(1n);
    const events = await settledEvents();
    expect(events.map((e) => e.batch)).toEqual([1n]);
    expect(await spent()).toBe(spentOnce);
    // The keeper's state: the work done again, one confirmed transaction (the one on the chain), the reorged one kept.
    const attempts = store.attempts(workKey(1n));
    const confirmed = attempts.filter((a) => a.status === "confirmed");
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.hash).toBe(events[0]!.hash);
    expect(attempts.filter((a) => a.status !== "confirmed").map((a) => a.status)).toEqual(attempts.length === 1 ? [] : ["reorged"]);
    expect(store.work(workKey(1n))?.status).toBe("done");
    expect(store.getCursor("usage-relay", gateway.url)).toBe("0");
    expect(store.openAttempts()).toEqual([]);
    expect(await deepReorgSamples(context)).toEqual({ "settle/reopened": 1 });
    expect(relay.status()[gateway.url]).toMatchObject({ cursor: 0, settled: 2, rejected: 0 });

    // Another pass: the batch is final for the keeper now, nothing is sent.
    const before = store.attempts(workKey(1n)).length;
    await within(relay.run(context), 30_000, "a quiet relay pass");
    expect(store.attempts(workKey(1n))).toHaveLength(before);
    expect((await settledEvents()).map((e) => e.batch)).toEqual([1n]);
  }, 60_000);

  test("control: a reorg that re-includes the settlement leads to no second send", async () => {
    await serveBatch(4n, 2);
    await within(relay.run(context), 30_000, "the relay pass of batch 2");
    const [attempt] = store.attempts(workKey(2n));
    expect(attempt).toMatchObject({ status: "confirmed" });
    const spentOnce = await spent();

    // The same signed transaction in the first of the new blocks.
    await reorgFrom(chain.rpcUrl, head, attempt!.blockNumber!, [[attempt!.raw, 0]]);
    const receipt = await chain.reader.publicClient.getTransactionReceipt({ hash: attempt!.hash });
    expect(receipt.blockHash, "the new chain holds the settlement in a new block").not.toBe(attempt!.blockHash);

    await within(relay.run(context), 30_000, "the relay pass after the re-including reorg");
    const after = store.attempts(workKey(2n));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ status: "confirmed", hash: attempt!.hash as Hash, blockHash: receipt.blockHash, blockNumber: receipt.blockNumber });
    expect(store.work(workKey(2n))?.status).toBe("done");
    expect((await settledEvents()).map((e) => e.batch)).toEqual([1n, 2n]);
    expect(await spent()).toBe(spentOnce);
    expect(store.getCursor("usage-relay", gateway.url)).toBe("1");
    expect(await deepReorgSamples(context)).toEqual({ "settle/reopened": 1, "settle/reincluded": 1 });
  }, 60_000);
});

describe("deep reorg of a liquidation", () => {
  const KEEPER = 8;
  let chain: LendingChain;
  let market: TestMarket;

  beforeAll(async () => {
    chain = await startLendingChain();
    market = await openMarketWithPositions(chain, "deep-reorged", [POSITIONS[0]!]);
  }, 120_000);
  afterAll(async () => {
    await chain?.stop();
  });

  test("a liquidation reorged out is judged again on the position as it is now, never re-sent blindly", async () => {
    const head = () => chain.reader.publicClient.getBlockNumber({ cacheTime: 0 });
    const borrower = chain.accounts[POSITIONS[0]!.account]!.address;
    const position = () => getPosition(chain.reader, { marketParams: market.marketParams, user: borrower });
    const events = async () =>
      chain.reader.publicClient.getContractEvents({
        address: lendingAddresses(chain.reader).lendingMarket,
        abi: lendingMarketAbi,
        eventName: "Liquidate",
        args: { id: marketId(market.marketParams) },
        fromBlock: 0n,
      });
    const store = KeeperStore.open(":memory:");
    const context = jobContext(chain.client(KEEPER), { store, sender: { confirmations: 1 } });
    const job = new LiquidationJob({
      intervalMs: 1_000,
      poolFee: 3000,
      profitBufferBps: 2_000,
      nativeTokenPriceUsd: 3_000,
      realizeBadDebt: true,
      fromBlock: 0n,
      logChunkBlocks: 5_000n,
      reorgDepth: 64n,
    });

    await setOraclePrice(chain, market.oracle, CRASH_PRICE);
    const shares = (await position()).borrowShares;
    await within(job.run(context), 30_000, "the first liquidation pass");
    const workKey = `liquidate:31337:${marketId(market.marketParams)}:${borrower.toLowerCase()}:${shares}`;
    const [first] = store.attempts(workKey);
    expect(first).toMatchObject({ status: "confirmed" });
    expect(await events()).toHaveLength(1);
    expect((await position()).borrowShares).toBeLessThan(shares);

    await reorgFrom(chain.rpcUrl, head, first!.blockNumber!);
    expect(await events(), "the reorg must drop the liquidation").toHaveLength(0);
    expect((await position()).borrowShares).toBe(shares);

    // The oracle came back meanwhile: judged again, the position is healthy; nothing is sent.
    await setOraclePrice(chain, market.oracle, PRICE_TWO);
    await within(job.run(context), 30_000, "the pass after the reorg, position healthy");
    expect(job.status()).toMatchObject({ reorged: 1, unhealthy: 0, liquidated: 1 });
    expect(store.work(workKey)).toMatchObject({ status: "void" });
    expect(store.work(workKey)?.detail).toMatch(/^reorged-out:\d+; re-judged$/);
    expect(store.attempts(workKey).map((a) => a.status)).toEqual(["reorged"]);
    expect(store.openAttempts()).toEqual([]);
    expect(await events()).toHaveLength(0);
    expect(await deepReorgSamples(context)).toEqual({ "liquidate/reopened": 1 });

    // Crashed again: judged unhealthy, liquidated once.
    await setOraclePrice(chain, market.oracle, CRASH_PRICE);
    await within(job.run(context), 30_000, "the pass after the second crash");
    expect(job.status()).toMatchObject({ reorged: 1, liquidated: 2 });
    const landed = await events();
    expect(landed).toHaveLength(1);
    expect(store.work(workKey)?.status).toBe("done");
    const confirmed = store.attempts(workKey).filter((a) => a.status === "confirmed");
    expect(confirmed.map((a) => a.hash)).toEqual([landed[0]!.transactionHash]);
    expect((await position()).borrowShares).toBeLessThan(shares);
    expect(await deepReorgSamples(context)).toEqual({ "liquidate/reopened": 1 });
  }, 60_000);
});
