/**
 * Attack: a gateway the keeper relays from answers the largest input it can, a receipts page that never ends (or
 * declares gigabytes, or stalls mid-answer). The keeper reads at most `maxResponseBytes` of it within `requestTimeoutMs`,
 * fails that gateway's pass with the reason, keeps its memory, and relays the other gateway's batches in the same pass
 * (before the cap and the deadline, the declared-4-GB answer held the whole relay pass forever).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { keccak256, parseUnits, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ledgerAddresses, openSession, packPricing, registerModel, signUsageBatch } from "@cogfi/sdk";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { ReceiptRelayJob } from "../src/jobs/receiptRelay.js";
import { KeeperStore } from "../src/state/store.js";
import { jobContext } from "./context.js";
import { startFakeGateway, type FakeGateway } from "./fakeGateway.js";

const OWNER = 1;
const BUYER = 3;
const KEEPER = 7;
const MAX_BYTES = 65_536;

let chain: LedgerChain;
let ledger: Address;
let honest: FakeGateway;
let hostile: Server;
let hostileUrl: string;
/** Bytes the hostile gateway managed to write before the keeper hung up, per request. */
const written: number[] = [];

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  honest = await startFakeGateway(ledger);
  // `/declared/v1/receipts` answers a 4 GB content-length; otherwise an endless page, 64 KiB of spaces at a time.
  hostile = createServer((request, response) => {
    if (request.url?.startsWith("/stall/")) {
      response.writeHead(200, { "content-type": "application/json" });
      response.write(`{"chainId":31337,`); // ... and nothing more, ever
      return;
    }
    if (request.url?.startsWith("/declared/")) {
      response.writeHead(200, { "content-type": "application/json", "content-length": String(4 * 1024 ** 3) });
      response.write(`{"chainId":31337,"ledger":"${ledger}","batches":[`);
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.write(`{"chainId":31337,"ledger":"${ledger}","batches":[`);
    let sent = 0;
    const pad = " ".repeat(65_536);
    const pump = () => {
      while (!response.destroyed && sent < 512 * 1024 ** 2) {
        sent += pad.length;
        if (!response.write(pad)) return response.once("drain", pump);
      }
    };
    response.on("close", () => written.push(sent));
    pump();
  });
  await new Promise<void>((done) => hostile.listen(0, "127.0.0.1", done));
  hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
}, 180_000);
afterAll(async () => {
  hostile?.closeAllConnections();
  await new Promise((done) => hostile?.close(done));
  await honest?.stop();
  await chain?.stop();
});

describe("a hostile gateway", () => {
  test("an endless, oversized or stalled receipts page fails that gateway's pass (byte cap, deadline); the honest gateway's batch settles in the same pass", async () => {
    const signer = enclaveAccount(91);
    const { modelId } = await registerModel(chain.client(OWNER), modelParams("hostile-gateway"));
    await chain.fund(BUYER, parseUnits("100", 6));
    const { gatewayId } = await chain.registerDevEnclave(modelId, signer);
    const { sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: parseUnits("40", 6), expiry: (await chain.now()) + 86_400n });
    const receipts = [1n, 2n].map((sequence) => ({ sessionId, sequence, inputTokens: 400n, outputTokens: 80n, reasoningTokens: 0n, requestHash: keccak256(toHex(`hostile-${sequence}`)) }));
    const { batch } = await signUsageBatch({ account: signer, gatewayId, chainId: 31337, ledger, modelId, batchNumber: 1n, servedPricing: packPricing(demoPricing), receipts });
    honest.served.push(batch);

    const store = KeeperStore.open(":memory:");
    const job = new ReceiptRelayJob({ gatewayUrls: [hostileUrl, `${hostileUrl}/declared`, `${hostileUrl}/stall`, honest.url], intervalMs: 10, fetchLimit: 10, maxResponseBytes: MAX_BYTES, requestTimeoutMs: 2_000 });
    const heapBefore = process.memoryUsage().heapUsed;
    await job.run(jobContext(chain.client(KEEPER), { store }));
    const status = job.status();

    expect(status[hostileUrl]!.lastError).toMatch(new RegExp(`answered more than ${MAX_BYTES} bytes`));
    expect(status[`${hostileUrl}/declared`]!.lastError).toMatch(new RegExp(`answered more than ${MAX_BYTES} bytes`));
    expect(status[`${hostileUrl}/stall`]!.lastError).toMatch(/did not finish in time/);
    expect(status[hostileUrl]).toMatchObject({ cursor: -1, settled: 0 }); // nothing read, nothing moved
    expect(status[honest.url]).toMatchObject({ settled: 1, cursor: 0 });
    // The keeper hung up long before the 512 MiB the gateway was ready to send, and its heap did not take it in.
    await new Promise((done) => setTimeout(done, 200));
    expect(written.length).toBeGreaterThan(0);
    expect(Math.max(...written)).toBeLessThan(64 * 1024 ** 2);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 ** 2);
    store.close();
  }, 120_000);
});
