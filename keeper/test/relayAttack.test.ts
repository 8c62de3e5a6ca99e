/**
 * Attacks on the pipelined relay: a gateway (or whatever sits between it and the keeper) serving forged batches
 * among valid ones while the keeper's window is in flight, and the durable cursor read while settlements are still
 * unmined. Defences: every batch is verified against the chain (signature, key, gateway) before it may ride behind
 * an in-flight predecessor, so a forged batch is rejected and never sent; the cursor in the state file never covers
 * a batch whose settlement is not mined (a kill -9 at any point resumes from a settled prefix); a deep reorg that takes
 * a pipelined window's block (or part of it) off the chain re-queues the lost batches, and each is settled once on
 * the new chain, with one transaction per lost batch and none for those the new chain re-included.
 */
import { keccak256, parseUnits, toHex, type Address, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getSession, getSettledBatches, inferenceLedgerAbi, ledgerAddresses, openSession, packPricing, registerModel, signUsageBatch, type SignedUsageBatch } from "@cogfi/sdk";
import { rpc } from "@cogfi/sdk/node";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { ReceiptRelayJob } from "../src/jobs/receiptRelay.js";
import { createKeeperMetrics } from "../src/metrics.js";
import { jobContext } from "./context.js";
import { startFakeGateway, type FakeGateway } from "./fakeGateway.js";

const OWNER = 1;
const BUYER = 3;
const IN_FLIGHT = 8;

let chain: LedgerChain;
let ledger: Address;
let modelId: bigint;
let gatewayId: bigint;
let sessionId: bigint;
let gateway: FakeGateway;
let sequence = 1n;
let nextBatch = 1n;
const enclave = enclaveAccount(93);
const stranger = enclaveAccount(94); // never attested

async function signed(options: { signer?: typeof enclave; batchNumber?: bigint; outputTokens?: bigint } = {}): Promise<SignedUsageBatch> {
  const receipts = [0, 1].map(() => {
    const seq = sequence++;
    return { sessionId, sequence: seq, inputTokens: 100n, outputTokens: options.outputTokens ?? 50n, reasoningTokens: 10n, requestHash: keccak256(toHex(`attack-${seq}`)) };
  });
  const { batch } = await signUsageBatch({
    account: options.signer ?? enclave,
    gatewayId,
    chainId: 31337,
    ledger,
    modelId,
    batchNumber: options.batchNumber ?? nextBatch++,
    servedPricing: packPricing(demoPricing),
    receipts,
  });
  return batch;
}

const automine = (on: boolean) => rpc(chain.rpcUrl, "evm_setAutomine", [on]);
const mine = () => rpc(chain.rpcUrl, "evm_mine");

async function until(ok: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("relay-attack")));
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

describe("pipelined relay under attack", () => {
  test("forged batches behind an in-flight valid one are rejected and never sent; the durable cursor never runs ahead of the chain", async () => {
    const first = await signed();
    // A tampered copy of batch 2 (each receipt's output raised by 50,000 tokens after signing: the signature no longer matches) and a batch 2
    // signed by a key nobody attested, both served right behind batch 1, ahead of the genuine batch 2.
    const genuineNumber = nextBatch;
    const tamperedSource = await signed({ batchNumber: genuineNumber });
    const tampered: SignedUsageBatch = { ...tamperedSource, receipts: tamperedSource.receipts.map((word) => word + (50_000n << 32n)) };
    const strangers = await signed({ signer: stranger, batchNumber: genuineNumber, outputTokens: 1_000_000n });
    sequence -= 4n; // the genuine batches reuse the sequences the forgeries claimed
    const rest = [];
    for (let i = 0; i < 4; i++) rest.push(await signed());
    gateway.served.push(first, tampered, strangers, ...rest);
    const genuine = [first, ...rest];

    const metrics = createKeeperMetrics();
    const context = jobContext(chain.client(4), { metrics });
    const job = new ReceiptRelayJob({ gatewayUrls: [gateway.url], intervalMs: 10, fetchLimit: 20, maxInFlight: IN_FLIGHT, retryBackoffMs: 0 });
    const nonceBefore = await context.client.publicClient.getTransactionCount({ address: context.sender.address });

    // Every time the durable cursor is written, each genuine batch it covers must have a confirmed settlement on
    // record (a forged one is covered once judged, rejected): a kill -9 right after any write loses nothing.
    const workKey = (batchNumber: bigint) => `settle:31337:${ledger.toLowerCase()}:${gatewayId}:${batchNumber}`;
    const cursorAhead: string[] = [];
    const written: string[] = [];
    const setCursor = context.store.setCursor.bind(context.store);
    context.store.setCursor = (job: string, key: string, value: string) => {
      written.push(value);
      for (const batch of gateway.served.slice(0, Number(value) + 1)) {
        if (!genuine.includes(batch)) continue;
        const confirmed = context.store.attempts(workKey(batch.batchNumber)).some((a) => a.status === "confirmed");
        if (!confirmed) cursorAhead.push(`cursor ${value} covers batch ${batch.batchNumber}, not confirmed`);
      }
      setCursor(job, key, value);
    };

    await automine(false);
    const pass = job.run(context);
    // Batch 1 in flight; the forgeries judged (rejected, nothing sent); the genuine batches behind them in flight.
    await until(() => context.sender.openWork().length === genuine.length, "every genuine batch in flight");
    expect(context.store.getCursor("usage-relay", gateway.url)).toBeUndefined();
    await mine();
    await automine(true);
    await pass;

    expect(written).toEqual(gateway.served.map((_, cursor) => String(cursor)));
    expect(cursorAhead).toEqual([]);
    expect(job.status()[gateway.url]).toMatchObject({ cursor: gateway.served.length - 1, settled: genuine.length, rejected: 2, lastError: undefined });
    const events = await chain.reader.publicClient.getContractEvents({ address: ledger, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock: 0n });
    expect(events.map((e) => e.args.batchNumber)).toEqual(genuine.map((b) => b.batchNumber));
    // One transaction per genuine batch: neither forgery was ever signed or broadcast.
    expect(await context.client.publicClient.getTransactionCount({ address: context.sender.address })).toBe(nonceBefore + genuine.length);
    expect(context.store.workCounts()).toEqual([{ kind: "settle", status: "done", count: genuine.length }]);
    // The session paid for the genuine receipts only (the forgeries claimed far more output).
    const session = await getSession(chain.reader, { sessionId });
    expect(session?.lastSequence).toBe(sequence - 1n);
    const rejected = await metrics.receiptsRejected.get();
    expect(rejected.values.reduce((sum, v) => sum + v.value, 0)).toBe(tampered.receipts.length + strangers.receipts.length);
  });
});

/** Mines one more block, then replaces the blocks from `blockNumber` to the head (2 deep at least), with `include`. */
async function reorgFrom(blockNumber: bigint, include: Array<[Hex, number]>): Promise<void> {
  await mine();
  const head = await chain.reader.publicClient.getBlockNumber({ cacheTime: 0 });
  const depth = Number(head - blockNumber + 1n);
  expect(depth, "reorg depth").toBeGreaterThanOrEqual(2);
  await rpc(chain.rpcUrl, "anvil_reorg", [depth, include]);
}

describe("pipelined relay and deep reorgs", () => {
  test("a reorg that drops the back half of a pipelined window: the lost batches are re-sent once each, the re-included ones not at all", async () => {
    const second = await startFakeGateway(ledger);
    try {
      const batches = [];
      for (let i = 0; i < 4; i++) batches.push(await signed());
      second.served.push(...batches);
      const context = jobContext(chain.client(5), { sender: { confirmations: 1, finalityDepth: 64 } });
      const job = new ReceiptRelayJob({ gatewayUrls: [second.url], intervalMs: 10, fetchLimit: 20, maxInFlight: IN_FLIGHT, retryBackoffMs: 0 });
      const workKey = (batchNumber: bigint) => `settle:31337:${ledger.toLowerCase()}:${gatewayId}:${batchNumber}`;
      const settledBefore = await getSettledBatches(chain.reader, { gatewayId });
      const spentBefore = (await getSession(chain.reader, { sessionId }))!.spent;
      const nonceBefore = await context.client.publicClient.getTransactionCount({ address: context.sender.address });

      await automine(false);
      const pass = job.run(context);
      await until(() => context.sender.openWork().length === batches.length, "the window in flight");
      await mine();
      await automine(true);
      await pass;
      const attempts = batches.map((b) => context.store.attempts(workKey(b.batchNumber)));
      expect(attempts.map((a) => a.map((x) => x.status))).toEqual(batches.map(() => ["confirmed"]));
      const block = attempts[0]![0]!.blockNumber!;
      expect(attempts.map((a) => a[0]!.blockNumber)).toEqual(batches.map(() => block));
      const spentOnce = (await getSession(chain.reader, { sessionId }))!.spent;
      expect(spentOnce).toBeGreaterThan(spentBefore);
      expect(context.store.getCursor("usage-relay", second.url)).toBe("3");

      // The new chain re-includes the first two settlements only (same signed bytes, same nonces).
      await reorgFrom(block, [
        [attempts[0]![0]!.raw, 0],
        [attempts[1]![0]!.raw, 0],
      ]);
      expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(settledBefore + 2n);

      await job.run(context);
      await job.run(context); // a quiet pass: nothing more is sent
      const events = await chain.reader.publicClient.getContractEvents({ address: ledger, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock: 0n });
      const numbers = events.map((e) => e.args.batchNumber!).filter((n) => n > settledBefore);
      expect(numbers).toEqual(batches.map((b) => b.batchNumber));
      expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(settledBefore + 4n);
      expect((await getSession(chain.reader, { sessionId }))!.spent).toBe(spentOnce);
      // One transaction per batch on the new chain: the two re-included, the two lost ones sent again (4 nonces).
      expect(await context.client.publicClient.getTransactionCount({ address: context.sender.address })).toBe(nonceBefore + 4);
      for (const b of batches) {
        const confirmed = context.store.attempts(workKey(b.batchNumber)).filter((a) => a.status === "confirmed");
        expect(confirmed, `batch ${b.batchNumber}: one confirmed settlement`).toHaveLength(1);
        expect(context.store.work(workKey(b.batchNumber))?.status).toBe("done");
      }
      expect(context.store.openAttempts()).toEqual([]);
      expect(context.store.getCursor("usage-relay", second.url)).toBe("3");
    } finally {
      await automine(true);
      await second.stop();
    }
  }, 60_000);
});
