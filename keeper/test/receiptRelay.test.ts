import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { keccak256, numberToHex, parseUnits, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pino } from "pino";
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
import { createKeeperMetrics } from "../src/metrics.js";
import { parseKeeperConfig } from "../src/config.js";
import type { JobContext } from "../src/jobs/job.js";

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
const cursorFile = resolve(mkdtempSync(resolve(tmpdir(), "cogfi-relay-")), "cursors.json");
const stranger = enclaveAccount(42);

/** A stand-in for a gateway's GET /v1/receipts: serves the batches pushed into `served`, in the gateway's wire format. */
const served: SignedUsageBatch[] = [];
let gatewayUrl: string;
let server: Server;

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

/** A relay job that already relayed the gateway's batches up to `cursor` (as if restarted from its cursor file). */
function relayFrom(cursor: number): ReceiptRelayJob {
  const file = resolve(mkdtempSync(resolve(tmpdir(), "cogfi-relay-")), "cursors.json");
  writeFileSync(file, JSON.stringify({ [gatewayUrl]: cursor }));
  return new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10, cursorFile: file });
}

function context(index: number): JobContext {
  const config = parseKeeperConfig({ rpcUrl: chain.rpcUrl, chainId: 31337, privateKey: `0x${"11".repeat(32)}` });
  return { client: chain.client(index), config, log: pino({ level: "silent" }), metrics: createKeeperMetrics(), signal: new AbortController().signal };
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("relayed")));
  ({ gatewayId } = await chain.registerDevEnclave(modelId, enclave));
  const buyer = chain.client(BUYER);
  await chain.fund(BUYER, USDC("100"));
  ({ sessionId } = await openSession(buyer, { modelId, gatewayId, budget: USDC("100"), expiry: (await chain.now()) + 86_400n }));

  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const after = Number(url.searchParams.get("after") ?? "-1");
    const limit = Number(url.searchParams.get("limit") ?? "50");
    const page = served.map((batch, cursor) => ({ batch, cursor })).filter(({ cursor }) => cursor > after);
    const data = page.slice(0, limit).map(({ batch, cursor }) => ({
      cursor: String(cursor),
      modelId: batch.modelId.toString(),
      gatewayId: batch.gatewayId.toString(),
      batchNumber: batch.batchNumber.toString(),
      servedPricing: batch.servedPricing.toString(),
      enclave: batch.enclave,
      sessionIds: batch.sessionIds.map(String),
      receipts: batch.receipts.map((word) => numberToHex(word, { size: 32 })),
      requestsCommitment: batch.requestsCommitment,
      signature: batch.signature,
    }));
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ object: "list", chainId: 31337, ledger, data, next_cursor: String(data.at(-1)?.cursor ?? after), has_more: page.length > limit }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
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
    // The stranger's batch claims a number the gateway's counter has passed: skipped as settled, like the rest.
    expect(second.status()[gatewayUrl]).toMatchObject({ cursor: 3, settled: 0, alreadySettled: 4, rejected: 0 });
  });

  test("a paused model still settles what was served; a restarted keeper resumes from its saved cursor", async () => {
    served.push(await signed(15n, 1));
    const owner = chain.client(OWNER);
    await setPaused(owner, { modelId, paused: true });
    const job = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10, cursorFile });
    await job.run(context(6));
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: 4, settled: 1, alreadySettled: 4, rejected: 0 });
    expect(job.status()[gatewayUrl]!.lastError).toBeUndefined();
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(15n);
    await setPaused(owner, { modelId, paused: false });

    served.push(await signed(16n, 1));
    const restarted = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10, cursorFile });
    await restarted.run(context(6));
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
    const job = relayFrom(start - 1);
    await job.run(context(4));
    // 2 was the gateway's next: settled; 1 was settled by someone else; then 3 and 4.
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: start + 3, settled: 3, alreadySettled: 1, rejected: 0 });

    // Now someone else submits ahead of the keeper: the keeper waits for the missing number, never skips it.
    const [b5, b6] = [await signed(25n, 1), await signed(26n, 1)];
    served.push(b6!, b5!);
    const waiting = relayFrom(start + 3);
    await waiting.run(context(5));
    expect(waiting.status()[gatewayUrl]).toMatchObject({ cursor: start + 3, settled: 0 });
    expect(waiting.status()[gatewayUrl]!.lastError).toMatch(/waits for batch/);
    await settleUsage(chain.client(7), { batch: b5! });
    await waiting.run(context(5));
    expect(waiting.status()[gatewayUrl]).toMatchObject({ cursor: start + 5, settled: 1, alreadySettled: 1 });

    // Two keepers racing on the same batch: it settles once, the loser counts it as settled only after the counter says so.
    const b7 = await signed(27n, 3);
    const racers = [0, 1].map(() => new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10 }));
    const target = { chainId: 31337, ledger };
    const outcomes = await Promise.allSettled([racers[0]!.relayBatch(b7, target, context(4)), racers[1]!.relayBatch(b7, target, context(5))]);
    // A loser whose transaction reverted on chain settled nothing and throws; its next look finds it settled.
    const retried = await Promise.all(
      outcomes.map((outcome, i) => (outcome.status === "fulfilled" ? outcome.value : racers[i]!.relayBatch(b7, target, context(4 + i)))),
    );
    expect(retried.sort()).toEqual(["already-settled", "settled"]);

    // Every batch of the gateway settled exactly once, in order.
    const events = await settledEvents();
    expect(events).toEqual(events.map((_, i) => BigInt(i + 1)));
    expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(nextBatch - 1n);
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(29n);
  });
});
