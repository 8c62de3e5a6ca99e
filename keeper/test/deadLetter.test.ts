/**
 * The dead-letter rule of the receipt relay: a batch that cannot settle however often it is submitted (here: signed by
 * an enclave key that expired and is never re-attested) is retried a bounded number of times with a doubling
 * backoff, then dead-lettered: recorded with its reason, counted in metrics, listed in /status and in
 * `cogfi-keeper status`, and its gateway's cursor moves past it. Another gateway's batches settle meanwhile.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { keccak256, parseUnits, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  enclaveRegistryAbi,
  getSettledBatches,
  ledgerAddresses,
  openSession,
  packPricing,
  registerModel,
  signUsageBatch,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, REPO_ROOT } from "@cogfi/sdk/node";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { startKeeper } from "../src/index.js";
import { ReceiptRelayJob } from "../src/jobs/receiptRelay.js";
import { createKeeperMetrics } from "../src/metrics.js";
import { KeeperStore } from "../src/state/store.js";
import { jobContext } from "./context.js";
import { deploymentsDirFor } from "./gatewayProcess.js";
import { startFakeGateway, type FakeGateway } from "./fakeGateway.js";

const OWNER = 1;
const BUYER = 3;
const KEEPER = 6;
const MAX_ATTEMPTS = 4;
const BACKOFF_MS = 200;

let chain: LedgerChain;
let ledger: Address;
let modelId: bigint;
const stale = enclaveAccount(81);
const fresh = enclaveAccount(82);
let staleGateway: FakeGateway;
let freshGateway: FakeGateway;
let sequence = 1n;

async function batch(signer: typeof stale, gatewayId: bigint, sessionId: bigint, batchNumber: bigint): Promise<SignedUsageBatch> {
  const receipts = [0, 1].map(() => {
    const seq = sequence++;
    return { sessionId, sequence: seq, inputTokens: 400n, outputTokens: 80n, reasoningTokens: 0n, requestHash: keccak256(toHex(`dead-${seq}`)) };
  });
  const { batch: signed } = await signUsageBatch({ account: signer, gatewayId, chainId: 31337, ledger, modelId, batchNumber, servedPricing: packPricing(demoPricing), receipts });
  return signed;
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("dead-letters")));
  await chain.fund(BUYER, parseUnits("100", 6));
  staleGateway = await startFakeGateway(ledger);
  freshGateway = await startFakeGateway(ledger);
});
afterAll(async () => {
  await staleGateway?.stop();
  await freshGateway?.stop();
  await chain?.stop();
});

describe("dead letters", () => {
  test("a batch that can never settle is retried with backoff a bounded number of times, then dead-lettered; the cursor moves on", async () => {
    // The stale gateway's first batch settles; then its key expires (past the registry's maximum attestation age)
    // and is never re-attested: its second batch can never settle.
    const { gatewayId: staleId } = await chain.registerDevEnclave(modelId, stale);
    const { sessionId: staleSession } = await openSession(chain.client(BUYER), { modelId, gatewayId: staleId, budget: parseUnits("40", 6), expiry: (await chain.now()) + 86_400n });
    staleGateway.served.push(await batch(stale, staleId, staleSession, 1n));
    const dataDir = mkdtempSync(resolve(tmpdir(), "cogfi-keeper-dead-"));
    const store = KeeperStore.open(resolve(dataDir, "keeper.sqlite"));
    const metrics = createKeeperMetrics();
    const context = jobContext(chain.client(KEEPER), { store, metrics });
    const job = new ReceiptRelayJob({ gatewayUrls: [staleGateway.url, freshGateway.url], intervalMs: 10, fetchLimit: 10, maxAttempts: MAX_ATTEMPTS, retryBackoffMs: BACKOFF_MS });
    await job.run(context);
    expect(job.status()[staleGateway.url]).toMatchObject({ cursor: 0, settled: 1 });

    const maxAge = (await chain.reader.publicClient.readContract({ address: ledgerAddresses(chain.reader).enclaveRegistry, abi: enclaveRegistryAbi, functionName: "maxAttestationAge" })) as bigint;
    await chain.warp(maxAge + 1n);
    staleGateway.served.push(await batch(stale, staleId, staleSession, 2n));
    // Meanwhile a fresh gateway (attested after the warp) serves a batch: it must settle whatever the stale one does.
    const { gatewayId: freshId } = await chain.registerDevEnclave(modelId, fresh);
    const { sessionId: freshSession } = await openSession(chain.client(BUYER), { modelId, gatewayId: freshId, budget: parseUnits("40", 6), expiry: (await chain.now()) + 86_400n });
    freshGateway.served.push(await batch(fresh, freshId, freshSession, 1n));

    // Passes every 20 ms: the failing batch is tried only when its backoff is over.
    const started = Date.now();
    let passes = 0;
    while (job.status()[staleGateway.url]!.deadLettered === 0) {
      if (Date.now() - started > 20_000) throw new Error(`no dead letter after 20 s: ${JSON.stringify(job.status())} ${JSON.stringify(store.retrying())}`);
      await job.run(context);
      passes++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const elapsed = Date.now() - started;
    const key = `usage-relay:${staleGateway.url}#1`;
    const dead = store.retryState(key)!;
    expect(dead).toMatchObject({ job: "usage-relay", failures: MAX_ATTEMPTS, reason: "key-expired" });
    expect(dead.deadAt).toBeTypeOf("number");
    expect(dead.detail).toMatchObject({ gateway: staleGateway.url, cursor: 1, gatewayId: staleId.toString(), batchNumber: "2" });
    expect(dead.lastError).toMatch(/re-attest/);
    // Bounded: exactly MAX_ATTEMPTS tries over many passes: the second on the next pass, then after the doubling
    // backoff (200 ms, 400 ms).
    expect(passes).toBeGreaterThan(MAX_ATTEMPTS * 3);
    expect(elapsed).toBeGreaterThanOrEqual(BACKOFF_MS + 2 * BACKOFF_MS);
    expect((await metrics.workRetries.get()).values).toEqual([{ labels: { job: "usage-relay", reason: "key-expired" }, value: MAX_ATTEMPTS }]);
    expect((await metrics.deadLetters.get()).values).toEqual([{ labels: { job: "usage-relay", reason: "key-expired" }, value: 1 }]);
    // The cursor passed it; the fresh gateway settled throughout; nothing of the dead batch reached the chain.
    expect(job.status()[staleGateway.url]).toMatchObject({ cursor: 1, settled: 1, deadLettered: 1 });
    expect(store.getCursor("usage-relay", staleGateway.url)).toBe("1");
    expect(job.status()[freshGateway.url]).toMatchObject({ cursor: 0, settled: 1 });
    expect(await getSettledBatches(chain.reader, { gatewayId: staleId })).toBe(1n);
    expect(await getSettledBatches(chain.reader, { gatewayId: freshId })).toBe(1n);
    expect(store.workCounts()).toEqual([{ kind: "settle", status: "done", count: 2 }]);
    expect(store.retrying()).toEqual([]);

    // Further passes leave it alone: no more tries, no second dead letter.
    for (let i = 0; i < 5; i++) await job.run(context);
    expect(store.retryState(key)!.failures).toBe(MAX_ATTEMPTS);
    expect((await metrics.deadLetters.get()).values[0]!.value).toBe(1);
    store.close();

    // Visible in a running keeper's /status...
    const keeper = await startKeeper({
      rpcUrl: chain.rpcUrl,
      chainId: 31337,
      privateKey: ANVIL_PRIVATE_KEYS[KEEPER]!,
      deploymentsDir: deploymentsDirFor(chain.deployment),
      dataDir,
      httpPort: 0,
      gatewayUrls: [staleGateway.url, freshGateway.url],
      liquidation: { enabled: false },
      logLevel: "silent",
    });
    try {
      const status = (await (await fetch(`${keeper.url}/status`)).json()) as { deadLetters: Array<{ key: string; reason: string; failures: number }>; retrying: unknown[] };
      expect(status.deadLetters).toEqual([expect.objectContaining({ key, reason: "key-expired", failures: MAX_ATTEMPTS })]);
      expect(status.retrying).toEqual([]);
    } finally {
      await keeper.stop();
    }

    // ...and in `cogfi-keeper status` on the stopped keeper's state.
    const printed = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(process.execPath, [resolve(REPO_ROOT, "keeper/bin/cogfi-keeper.mjs"), "status", "--data-dir", dataDir], { cwd: REPO_ROOT });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("exit", (code) => done({ code, stdout, stderr }));
    });
    expect(printed.code, printed.stderr).toBe(0);
    const summary = JSON.parse(printed.stdout) as { deadLetters: Array<{ key: string; reason: string; detail: Record<string, unknown> }> };
    expect(summary.deadLetters).toEqual([expect.objectContaining({ key, reason: "key-expired", detail: expect.objectContaining({ batchNumber: "2" }) })]);
  }, 90_000);
});
