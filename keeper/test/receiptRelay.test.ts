import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { keccak256, parseUnits, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  getSession,
  getSettledBatches,
  inferenceLedgerAbi,
  ledgerAddresses,
  openSession,
  packPricing,
  registerModel,
  setPaused,
  settleUsage,
  signUsageBatch,
  type SignedUsageBatch,
  type UsageReceipt,
} from "@cogfi/sdk";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { ReceiptRelayJob } from "../src/jobs/receiptRelay.js";
import { KeeperStore } from "../src/state/store.js";
import type { JobContext } from "../src/jobs/job.js";
import { jobContext } from "./context.js";
import { startFakeGateway, type FakeGateway } from "./fakeGateway.js";

const USDC = (amount: string) => parseUnits(amount, 6);
const OWNER = 1;
const BUYER = 3;

let chain: LedgerChain;
let modelId: bigint;
let sessionId: bigint;
let ledger: Address;
/** The gateway of `enclave`, and the next number it signs. */
let gatewayId: bigint;
let nextBatch = 1n;
const enclave = enclaveAccount(41);
const stateFile = resolve(mkdtempSync(resolve(tmpdir(), "cogfi-relay-")), "keeper.sqlite");
const stranger = enclaveAccount(42);

/** A stand-in for a gateway's GET /v1/receipts: serves the batches pushed into `served`. */
let gateway: FakeGateway;
let served: SignedUsageBatch[];
let gatewayUrl: string;

function receipts(from: bigint, count: number): UsageReceipt[] {
  return Array.from({ length: count }, (_, i) => ({
    sessionId,
    sequence: from + BigInt(i),
    inputTokens: 1_000n,
    outputTokens: 300n,
    reasoningTokens: 2_000n,
    requestHash: keccak256(toHex(`relay-${from + BigInt(i)}`)),
  }));
}

/** A batch of the gateway, numbered in signing order (a stranger's claims the gateway's next number but takes none). */
async function signed(from: bigint, count: number, signer = enclave): Promise<SignedUsageBatch> {
  const batchNumber = signer === enclave ? nextBatch++ : nextBatch;
  const { batch } = await signUsageBatch({
    account: signer,
    gatewayId,
    chainId: 31337,
    ledger,
    modelId,
    batchNumber,
    servedPricing: packPricing(demoPricing),
    receipts: receipts(from, count),
  });
  return batch;
}

/** `UsageSettled` events of the gateway, by batch number. */
async function settledEvents(): Promise<bigint[]> {
  const logs = await chain.reader.publicClient.getContractEvents({
    address: ledger,
    abi: inferenceLedgerAbi,
    eventName: "UsageSettled",
    args: { gatewayId },
    fromBlock: 0n,
  });
  return logs.map((log) => log.args.batchNumber!);
}

/** A relay job, and its context on client `index`, that already relayed the gateway's batches up to `cursor`. */
function relayFrom(cursor: number, index: number): { job: ReceiptRelayJob; context: JobContext } {
  const store = KeeperStore.open(":memory:");
  store.setCursor("usage-relay", gatewayUrl, String(cursor));
  return { job: new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10 }), context: jobContext(chain.client(index), { store }) };
}

function context(index: number, store?: KeeperStore): JobContext {
  return jobContext(chain.client(index), { store });
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("relayed")));
  ({ gatewayId } = await chain.registerDevEnclave(modelId, enclave));
  const buyer = chain.client(BUYER);
  await chain.fund(BUYER, USDC("100"));
  ({ sessionId } = await openSession(buyer, { modelId, gatewayId, budget: USDC("100"), expiry: (await chain.now()) + 86_400n }));

  gateway = await startFakeGateway(ledger);
  gatewayUrl = gateway.url;
  served = gateway.served;
});
afterAll(async () => {
  await gateway?.stop();
  await chain?.stop();
});

describe("receipt relay", () => {
  test("settles a gateway's batches in order and skips one signed by an unregistered key", async () => {
    served.push(await signed(1n, 4), await signed(5n, 2, stranger), await signed(7n, 3));
    const job = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 2 });
    await job.run(context(4));

    const session = await getSession(chain.reader, { sessionId });
    expect(session?.lastSequence).toBe(9n);
    expect(session?.spent).toBeGreaterThan(0n);
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: 2, settled: 2, rejected: 1, alreadySettled: 0 });
  });

  test("a second keeper relaying the same gateway charges nothing twice", async () => {
    served.push(await signed(10n, 5));
    const spentBefore = (await getSession(chain.reader, { sessionId }))!.spent;
    const first = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10 });
    const second = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10 });
    await first.run(context(4));
    const spentOnce = (await getSession(chain.reader, { sessionId }))!.spent;
    await second.run(context(5));
    const spentAfter = (await getSession(chain.reader, { sessionId }))!.spent;

    expect(spentOnce).toBeGreaterThan(spentBefore);
    expect(spentAfter).toBe(spentOnce);
    // The stranger's batch is judged by its signature before its claimed number: rejected again, not "settled".
    expect(second.status()[gatewayUrl]).toMatchObject({ cursor: 3, settled: 0, alreadySettled: 3, rejected: 1 });
  });

  test("a paused model still settles what was served; a restarted keeper resumes from its saved cursor", async () => {
    served.push(await signed(15n, 1));
    const owner = chain.client(OWNER);
    await setPaused(owner, { modelId, paused: true });
    const job = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10 });
    const store = KeeperStore.open(stateFile);
    await job.run(context(6, store));
    store.close();
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: 4, settled: 1, alreadySettled: 3, rejected: 1 });
    expect(job.status()[gatewayUrl]!.lastError).toBeUndefined();
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(15n);
    await setPaused(owner, { modelId, paused: false });

    served.push(await signed(16n, 1));
    const restarted = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10 });
    const reopened = KeeperStore.open(stateFile);
    await restarted.run(context(6, reopened));
    expect(reopened.getCursor("usage-relay", gatewayUrl)).toBe("5");
    reopened.close();
    expect(restarted.status()[gatewayUrl]).toMatchObject({ cursor: 5, settled: 1, alreadySettled: 0, rejected: 0 });
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(16n);
  });

  test("batches submitted by someone else, and served out of order, are each settled exactly once", async () => {
    const start = served.length;
    const settledBefore = await getSettledBatches(chain.reader, { gatewayId });
    const [b1, b2, b3, b4] = [await signed(17n, 2), await signed(19n, 2), await signed(21n, 2), await signed(23n, 2)];
    expect([b1, b2, b3, b4].map((b) => b!.batchNumber)).toEqual([1n, 2n, 3n, 4n].map((n) => settledBefore + n));
    // The gateway serves 2 before 1 (a reordered page); someone else already submitted 1.
    served.push(b2!, b1!, b3!, b4!);
    await settleUsage(chain.client(7), { batch: b1! });
    const { job, context: jobCtx } = relayFrom(start - 1, 4);
    await job.run(jobCtx);
    // 2 was the gateway's next: settled; 1 was settled by someone else; then 3 and 4.
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: start + 3, settled: 3, alreadySettled: 1, rejected: 0 });

    // Now someone else submits ahead of the keeper: the keeper waits for the missing number, never skips it.
    const [b5, b6] = [await signed(25n, 1), await signed(26n, 1)];
    served.push(b6!, b5!);
    const { job: waiting, context: waitingCtx } = relayFrom(start + 3, 5);
    await waiting.run(waitingCtx);
    expect(waiting.status()[gatewayUrl]).toMatchObject({ cursor: start + 3, settled: 0 });
    expect(waiting.status()[gatewayUrl]!.lastError).toMatch(/waits for batch/);
    await settleUsage(chain.client(7), { batch: b5! });
    await waiting.run(waitingCtx);
    expect(waiting.status()[gatewayUrl]).toMatchObject({ cursor: start + 5, settled: 1, alreadySettled: 1 });

    // Two keepers racing on the same batch: it settles once, the loser counts it as settled only after the counter says so.
    const b7 = await signed(27n, 3);
    const racers = [0, 1].map(() => new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10 }));
    const target = { chainId: 31337, ledger };
    const racerContexts = [context(4), context(5)];
    const outcomes = await Promise.all([racers[0]!.relayBatch(b7, target, racerContexts[0]!), racers[1]!.relayBatch(b7, target, racerContexts[1]!)]);
    // The loser either saw the counter move before sending, or its transaction reverted on chain and the counter
    // then showed the batch settled: either way it reports the batch settled by someone else.
    expect(outcomes.sort()).toEqual(["already-settled", "settled"]);

    // Every batch of the gateway settled exactly once, in order.
    const events = await settledEvents();
    expect(events).toEqual(events.map((_, i) => BigInt(i + 1)));
    expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(nextBatch - 1n);
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(29n);
  });
  test("a gateway down for a while loses nothing: the relay keeps its cursor, reports the failure, and catches up", async () => {
    const { job, context: jobCtx } = relayFrom(served.length - 1, 4);
    const from = served.length;
    served.push(await signed(30n, 2), await signed(32n, 2));
    const lastSequence = (await getSession(chain.reader, { sessionId }))!.lastSequence;
    gateway.setDown(true);
    try {
      await job.run(jobCtx);
      await job.run(jobCtx);
    } finally {
      gateway.setDown(false);
    }
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: from - 1, settled: 0 });
    expect(job.status()[gatewayUrl]!.lastError).toMatch(/fetch failed|socket|ECONNRESET/i);
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(lastSequence);

    await job.run(jobCtx);
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: from + 1, settled: 2 });
    expect(job.status()[gatewayUrl]!.lastError).toBeUndefined();
    expect(job.oldestUnsettledSignedAt()).toBeUndefined();
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(lastSequence + 4n);
  });
});
