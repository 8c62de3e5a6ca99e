/**
 * The receipt relay's pipeline: a gateway's consecutive batches are sent in nonce order without waiting for the
 * previous settlement to be mined, so a backlog settles in one block; a batch whose settlement fails for good makes
 * the ones behind it revert once, and they wait and are sent again once it is resolved; two keepers pipelining the
 * same gateway settle every batch exactly once, with their reverts bounded by the batches they lost.
 */
import { keccak256, parseUnits, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  enclaveRegistryAbi,
  getSession,
  getSettledBatches,
  inferenceLedgerAbi,
  ledgerAddresses,
  openSession,
  packPricing,
  registerModel,
  signUsageBatch,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import { rpc } from "@cogfi/sdk/node";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { ReceiptRelayJob } from "../src/jobs/receiptRelay.js";
import { createKeeperMetrics } from "../src/metrics.js";
import { KeeperStore } from "../src/state/store.js";
import type { JobContext } from "../src/jobs/job.js";
import { jobContext } from "./context.js";
import { startFakeGateway, type FakeGateway } from "./fakeGateway.js";

const OWNER = 1;
const BUYER = 3;
const IN_FLIGHT = 4;

let chain: LedgerChain;
let ledger: Address;
let modelId: bigint;
let gatewayId: bigint;
let sessionId: bigint;
let gateway: FakeGateway;
let sequence = 1n;
let nextBatch = 1n;
const enclave = enclaveAccount(91);

async function signed(): Promise<SignedUsageBatch> {
  const receipts = [0, 1, 2].map(() => {
    const seq = sequence++;
    return { sessionId, sequence: seq, inputTokens: 700n, outputTokens: 200n, reasoningTokens: 100n, requestHash: keccak256(toHex(`pipe-${seq}`)) };
  });
  const { batch } = await signUsageBatch({
    account: enclave,
    gatewayId,
    chainId: 31337,
    ledger,
    modelId,
    batchNumber: nextBatch++,
    servedPricing: packPricing(demoPricing),
    receipts,
  });
  return batch;
}

/** `UsageSettled` events of the gateway: batch number and block. */
async function settlements(): Promise<Array<{ batchNumber: bigint; block: bigint }>> {
  const logs = await chain.reader.publicClient.getContractEvents({ address: ledger, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock: 0n });
  return logs.map((log) => ({ batchNumber: log.args.batchNumber!, block: log.blockNumber }));
}

const workKey = (batchNumber: bigint) => `settle:31337:${ledger.toLowerCase()}:${gatewayId}:${batchNumber}`;
const automine = (on: boolean) => rpc(chain.rpcUrl, "evm_setAutomine", [on]);
const mine = () => rpc(chain.rpcUrl, "evm_mine");

async function until(ok: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function relay(): ReceiptRelayJob {
  return new ReceiptRelayJob({ gatewayUrls: [gateway.url], intervalMs: 10, fetchLimit: 20, maxInFlight: IN_FLIGHT, retryBackoffMs: 0 });
}

/** Runs `job` until `done` (a failed pass is logged in its status and the next one runs). */
async function runUntil(job: ReceiptRelayJob, context: JobContext, done: () => boolean | Promise<boolean>, what: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  let passes = 0;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(job.status())}`);
    await job.run(context);
    passes++;
    await new Promise((r) => setTimeout(r, 20));
  }
  return passes;
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("pipelined")));
  ({ gatewayId } = await chain.registerDevEnclave(modelId, enclave));
  await chain.fund(BUYER, parseUnits("100", 6));
  ({ sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: parseUnits("100", 6), expiry: (await chain.now()) + 86_400n }));
  gateway = await startFakeGateway(ledger);
});
afterAll(async () => {
  await automine(true).catch(() => undefined);
  await gateway?.stop();
  await chain?.stop();
});

describe("pipelined receipt relay", () => {
  test("a backlog of one gateway is sent in consecutive nonces and settles in one block; the cursor waits for it", async () => {
    const batches = [];
    for (let i = 0; i < IN_FLIGHT + 2; i++) batches.push(await signed());
    gateway.served.push(...batches);
    const context = jobContext(chain.client(4));
    const job = relay();
    const nonceBefore = await context.client.publicClient.getTransactionCount({ address: context.sender.address });

    await automine(false);
    const pass = job.run(context);
    // The first window is in the pool at once; nothing mined, so the cursor has not moved.
    await until(() => context.sender.openWork().length === IN_FLIGHT, "a full window in flight");
    expect(job.status()[gateway.url]!.cursor).toBe(-1);
    const nonces = batches.slice(0, IN_FLIGHT).map((batch) => context.store.attempts(workKey(batch.batchNumber)).map((attempt) => attempt.nonce));
    expect(nonces).toEqual(batches.slice(0, IN_FLIGHT).map((_, i) => [nonceBefore + i]));
    await mine();
    // The rest of the backlog follows as the window frees up.
    const rest = batches.slice(IN_FLIGHT).map((batch) => workKey(batch.batchNumber));
    await until(() => JSON.stringify(context.sender.openWork().sort()) === JSON.stringify([...rest].sort()), "the rest of the backlog in flight");
    await mine();
    await automine(true);
    await pass;

    expect(job.status()[gateway.url]).toMatchObject({ cursor: IN_FLIGHT + 1, settled: IN_FLIGHT + 2, lastError: undefined });
    const events = await settlements();
    expect(events.map((e) => e.batchNumber)).toEqual(batches.map((b) => b.batchNumber));
    const blocks = events.map((e) => e.block);
    expect(new Set(blocks.slice(0, IN_FLIGHT)).size).toBe(1);
    expect(blocks[IN_FLIGHT]).toBe(blocks[0]! + 1n);
    expect(await context.client.publicClient.getTransactionCount({ address: context.sender.address })).toBe(nonceBefore + IN_FLIGHT + 2);
    expect(context.store.workCounts()).toEqual([{ kind: "settle", status: "done", count: IN_FLIGHT + 2 }]);
  });

  test("a head that fails for good: the batches behind it revert once, wait uncounted, and settle after it", async () => {
    const batches = [];
    for (let i = 0; i < 3; i++) batches.push(await signed());
    const from = gateway.served.length;
    gateway.served.push(...batches);
    const store = KeeperStore.open(":memory:");
    store.setCursor("usage-relay", gateway.url, String(from - 1));
    const metrics = createKeeperMetrics();
    const context = jobContext(chain.client(5), { store, metrics });
    const job = relay();

    await automine(false);
    const pass = job.run(context);
    await until(() => context.sender.openWork().length === 3, "the batches in flight");
    // The enclave's key expires before they are mined: all three revert (the head for its key, the others for
    // their order); only the head's failure counts.
    const maxAge = await chain.reader.publicClient.readContract({ address: ledgerAddresses(chain.reader).enclaveRegistry, abi: enclaveRegistryAbi, functionName: "maxAttestationAge" });
    await chain.warp(maxAge + 1n);
    await automine(true);
    await pass;
    expect(job.status()[gateway.url]).toMatchObject({ cursor: from - 1, settled: 0 });
    expect(job.status()[gateway.url]!.lastError).toMatch(/reverted on chain .*failure 1 of/);
    expect(batches.map((batch) => store.work(workKey(batch.batchNumber))?.status)).toEqual(["reverted", "reverted", "reverted"]);
    expect(store.retrying().map((retry) => retry.key)).toEqual([`usage-relay:${gateway.url}#${from}`]);
    // The waiting batch stays the oldest unsettled one (/health reports its age; the fake gateway signs at 0).
    expect(job.oldestUnsettledSignedAt()).toBe(0);

    // Still expired: the head waits for the re-attestation (a second failure, nothing sent), the others wait too.
    await job.run(context);
    expect(store.retryState(`usage-relay:${gateway.url}#${from}`)).toMatchObject({ failures: 2, reason: "key-expired" });
    expect(context.sender.openWork()).toEqual([]);

    // Re-attested: the head is sent alone, then the ones behind it; each settles once.
    await chain.registerDevEnclave(modelId, enclave);
    await runUntil(job, context, () => job.status()[gateway.url]!.cursor === from + 2, "the batches to settle");
    expect(job.status()[gateway.url]).toMatchObject({ settled: 3, deadLettered: 0, lastError: undefined });
    expect(store.retrying()).toEqual([]);
    expect(job.oldestUnsettledSignedAt()).toBeUndefined();
    expect(batches.map((batch) => store.work(workKey(batch.batchNumber))?.status)).toEqual(["done", "done", "done"]);
    // Reverts bounded: one per batch of the failed window, no more.
    expect(store.attemptCounts()).toMatchObject({ confirmed: 6, dropped: 0 });
    expect((await metrics.settlements.get()).values).toEqual(
      expect.arrayContaining([expect.objectContaining({ labels: { outcome: "reverted" }, value: 3 }), expect.objectContaining({ labels: { outcome: "settled" }, value: 3 })]),
    );
    const events = await settlements();
    expect(events.map((e) => e.batchNumber)).toEqual(events.map((_, i) => BigInt(i + 1)));
  });

  test("two keepers pipelining the same gateway: every batch settled once, reverts bounded by the batches lost", async () => {
    const count = 14;
    const from = gateway.served.length;
    const spentBefore = (await getSession(chain.reader, { sessionId }))!.spent;
    const settledBefore = await getSettledBatches(chain.reader, { gatewayId });
    const keepers = [6, 7].map((index) => {
      const store = KeeperStore.open(":memory:");
      store.setCursor("usage-relay", gateway.url, String(from - 1));
      return { job: relay(), context: jobContext(chain.client(index), { store }) };
    });
    // A block every 150 ms; batches arrive while both keepers run.
    await automine(false);
    const ticker = setInterval(() => void mine().catch(() => undefined), 150);
    const feeding = (async () => {
      for (let i = 0; i < count; i++) {
        gateway.served.push(await signed());
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    try {
      await Promise.all([
        feeding,
        ...keepers.map(({ job, context }) =>
          runUntil(job, context, () => gateway.served.length === from + count && job.status()[gateway.url]!.cursor === from + count - 1, "the keeper's cursor to reach the end"),
        ),
      ]);
    } finally {
      clearInterval(ticker);
      await automine(true);
    }

    const events = await settlements();
    expect(events.map((e) => e.batchNumber)).toEqual(events.map((_, i) => BigInt(i + 1)));
    expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(settledBefore + BigInt(count));
    expect((await getSession(chain.reader, { sessionId }))!.spent).toBeGreaterThan(spentBefore);
    const numbers = Array.from({ length: count }, (_, i) => settledBefore + 1n + BigInt(i));
    let done = 0;
    for (const { job, context } of keepers) {
      const status = job.status()[gateway.url]!;
      // Each batch judged once by each keeper: settled by it, or found settled by the other.
      expect(status.settled + status.alreadySettled).toBe(count);
      expect(status.deadLettered + status.rejected).toBe(0);
      for (const n of numbers) {
        const attempts = context.store.attempts(workKey(n));
        // One nonce per work, at most one reverted transaction per batch (a race it lost).
        expect(new Set(attempts.map((attempt) => attempt.nonce)).size).toBeLessThanOrEqual(1);
        expect(attempts.filter((attempt) => attempt.status === "confirmed").length).toBeLessThanOrEqual(1);
      }
      const statuses = numbers.map((n) => context.store.work(workKey(n))?.status);
      done += statuses.filter((s) => s === "done").length;
      // A keeper's settlement that was mined and reverted is a batch the other keeper settled.
      expect(statuses.filter((s) => s === "reverted").length).toBeLessThanOrEqual(status.alreadySettled);
      expect(context.sender.openWork()).toEqual([]);
      console.info(`pipelined race: keeper settled ${status.settled}, found ${status.alreadySettled} settled, ${statuses.filter((s) => s === "reverted").length} reverted`);
    }
    expect(done).toBe(count);
  }, 120_000);
});
