import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import type { AddressInfo } from "node:net";
import { keccak256, numberToHex, parseUnits, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { pino } from "pino";
import {
  getSession,
  ledgerAddresses,
  openSession,
  registerModel,
  setPaused,
  signUsageBatch,
  type SignedUsageBatch,
  type UsageReceipt,
} from "@cogfi/sdk";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { modelParams } from "../../sdk/test/fixtures.js";
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

async function signed(from: bigint, count: number, signer = enclave): Promise<SignedUsageBatch> {
  const { batch } = await signUsageBatch({ account: signer, chainId: 31337, ledger, modelId, receipts: receipts(from, count) });
  return batch;
}

function context(index: number): JobContext {
  const config = parseKeeperConfig({ rpcUrl: chain.rpcUrl, chainId: 31337, privateKey: `0x${"11".repeat(32)}` });
  return { client: chain.client(index), config, log: pino({ level: "silent" }), metrics: createKeeperMetrics(), signal: new AbortController().signal };
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("relayed")));
  await chain.registerDevEnclave(modelId, enclave);
  const buyer = chain.client(BUYER);
  await chain.fund(BUYER, USDC("100"));
  ({ sessionId } = await openSession(buyer, { modelId, budget: USDC("100"), expiry: (await chain.now()) + 86_400n }));

  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://gateway");
    const after = Number(url.searchParams.get("after") ?? "-1");
    const limit = Number(url.searchParams.get("limit") ?? "50");
    const page = served.map((batch, cursor) => ({ batch, cursor })).filter(({ cursor }) => cursor > after);
    const data = page.slice(0, limit).map(({ batch, cursor }) => ({
      cursor: String(cursor),
      modelId: batch.modelId.toString(),
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
    expect(second.status()[gatewayUrl]).toMatchObject({ cursor: 3, settled: 0, alreadySettled: 3, rejected: 1 });
  });

  test("a paused model holds the cursor until the batch can settle", async () => {
    served.push(await signed(15n, 1));
    const owner = chain.client(OWNER);
    await setPaused(owner, { modelId, paused: true });
    const job = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10, cursorFile });
    await job.run(context(6));
    expect(job.status()[gatewayUrl]).toMatchObject({ cursor: 3 });
    expect(job.status()[gatewayUrl]!.lastError).toMatch(/ModelPaused/);
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(14n);

    await setPaused(owner, { modelId, paused: false });
    // A restarted keeper resumes from its saved cursor.
    const restarted = new ReceiptRelayJob({ gatewayUrls: [gatewayUrl], intervalMs: 10, fetchLimit: 10, cursorFile });
    await restarted.run(context(6));
    expect(restarted.status()[gatewayUrl]).toMatchObject({ cursor: 4, settled: 1, alreadySettled: 0, rejected: 0 });
    expect((await getSession(chain.reader, { sessionId }))!.lastSequence).toBe(15n);
  });
});
