/**
 * Lifecycle details against an in-memory chain: graceful shutdown drains requests and flushes every receipt
 * into signed batches; an abandoned stream is charged for what was generated; the sealed enclave key survives a
 * restart; config errors are reported at start.
 */
import { existsSync, readdirSync, renameSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { describe, expect, test } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { GatewayConfigError } from "../src/config.js";
import { createSessionCredential } from "../src/credential.js";
import { EnclaveIdentity, DEV_MEASUREMENT, DEV_SEALING_SECRET } from "../src/enclave/identity.js";
import { startGateway, type GatewayDeps } from "../src/gateway.js";
import { readLoggedReceipts, ReceiptStore } from "../src/receipts/store.js";
import { FakeChain, FakeSigner, fakeAttestor } from "./fakes.js";
import { fakeDeployment, tempDir } from "./helpers.js";

const buyer = privateKeyToAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
const ledger = fakeDeployment.contracts.InferenceLedger!;

async function setup(
  dataDir: string,
  backend: Record<string, unknown> = { kind: "simulated" },
  deps: GatewayDeps = {},
  receipts: Record<string, unknown> = {},
  chain = new FakeChain(),
) {
  chain.addModel(1n, "cogito-8b");
  chain.addSession({ sessionId: 1n, buyer: buyer.address, budget: 10n ** 12n });
  const gateway = await startGateway(
    {
      dataDir,
      http: { port: 0, shutdownGraceMs: 5_000 },
      chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment, headMaxAgeMs: 0 },
      backend: backend as never,
      receipts: { batchMaxDelayMs: 60_000, ...receipts },
      logLevel: "silent",
    },
    { chainReader: chain, signer: new FakeSigner(), attestor: fakeAttestor, processMetrics: false, ...deps },
  );
  const apiKey = await createSessionCredential(buyer, { chainId: 31337, ledger }, 1n);
  return { gateway, chain, openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 }) };
}

describe("graceful shutdown", () => {
  test("requests in flight finish, new ones are refused, and every receipt is signed before exit", async () => {
    const dataDir = tempDir();
    const { gateway, openai } = await setup(dataDir, { kind: "simulated", latencyMs: 300 });
    const inflight = Array.from({ length: 5 }, (_, i) =>
      openai.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: `slow ${i}` }], max_tokens: 50 }),
    );
    // Shut down once all five are being served.
    while ((await gateway.metrics.inFlight.get()).values[0]?.value !== 5) await new Promise((r) => setTimeout(r, 5));
    const stopping = gateway.stop();
    const completions = await Promise.all(inflight);
    await stopping;
    expect(completions).toHaveLength(5);
    // Batches were due only in a minute: shutdown signed them.
    const store = await ReceiptStore.open({
      path: join(dataDir, "receipts"),
      segments: { maxBytes: Number.POSITIVE_INFINITY, maxRecords: Number.POSITIVE_INFINITY },
      durability: "fsync",
      groupCommitWindowMs: 0,
      chainId: 31337,
      ledger,
      anchor: `0x${"ab".repeat(32)}`,
    });
    expect(store.receiptCount).toBe(completions.length);
    expect((await readLoggedReceipts(store.log.path)).map((r) => r.responseId).sort()).toEqual(completions.map((c) => c.id).sort());
    expect(store.recoveredUnbatched()).toEqual([]);
    await store.close();
    // Nothing listens any more.
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
  });
});

describe("abandoned streams", () => {
  test("a client that leaves mid-stream is charged for the reasoning and the output it was sent, and gets no [DONE]", async () => {
    const { gateway, openai } = await setup(tempDir(), {
      kind: "simulated",
      streamChunkTokens: 1,
      interChunkDelayMs: 10,
      profiles: { "*": { reasoning: { kind: "fixed", value: 700 }, output: { kind: "fixed", value: 400 } } },
    });
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: "cogito-8b", messages: [{ role: "user", content: "a long story" }], max_tokens: 5_000, stream: true },
      { signal: controller.signal },
    );
    let received = "";
    let id = "";
    try {
      for await (const chunk of stream) {
        id = chunk.id;
        received += chunk.choices[0]?.delta.content ?? "";
        if (received.split(" ").length >= 5) controller.abort();
      }
    } catch {
      // aborted
    }
    await new Promise((r) => setTimeout(r, 200));
    const receipt = (await readLoggedReceipts(gateway.store.log.path)).find((r) => r.responseId === id)!;
    expect(receipt).toBeDefined();
    expect(receipt.outputTokens).toBeGreaterThanOrEqual(5);
    expect(receipt.outputTokens).toBeLessThan(40);
    expect(receipt.reasoningTokens).toBe(700);
    await gateway.stop();
  });
});

describe("enclave identity", () => {
  test("the sealed seed gives the same keys after a restart, and does not unseal for another measurement", async () => {
    const dataDir = tempDir();
    const first = await setup(dataDir, undefined, { signer: undefined });
    const key = first.gateway.identity.address(1n);
    await first.gateway.stop();
    const second = await setup(dataDir, undefined, { signer: undefined });
    expect(second.gateway.identity.address(1n)).toBe(key);
    expect(second.gateway.identity.address(2n)).not.toBe(key);
    await second.gateway.stop();
    const file = join(dataDir, "enclave.sealed.json");
    expect(() => EnclaveIdentity.loadOrCreate(file, DEV_SEALING_SECRET, `0x${"11".repeat(32)}`)).toThrow(/sealed for measurement/);
    expect(() => EnclaveIdentity.loadOrCreate(file, `0x${"22".repeat(32)}`, DEV_MEASUREMENT)).toThrow(/cannot unseal/);
  });
});

describe("receipt log ownership", () => {
  test("a log from another local chain instance is archived; on a real network the gateway refuses to start", async () => {
    const dataDir = tempDir();
    const first = await setup(dataDir);
    await first.openai.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: "x" }], max_tokens: 10 });
    await first.gateway.stop();

    const otherInstance = new FakeChain();
    otherInstance.anchor = `0x${"cd".repeat(32)}`;
    otherInstance.addModel(1n, "cogito-8b");
    const config = { dataDir, http: { port: 0 }, chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment }, logLevel: "silent" as const };
    const deps = { chainReader: otherInstance, signer: new FakeSigner(), attestor: fakeAttestor, processMetrics: false };
    const restarted = await startGateway(config, deps);
    expect(restarted.store.receiptCount).toBe(0);
    expect(readdirSync(dataDir).some((name) => name.startsWith("receipts.foreign-"))).toBe(true);
    await restarted.stop();

    const real = { ...config, chain: { ...config.chain, deployment: { ...fakeDeployment, local: false } } };
    otherInstance.anchor = `0x${"ef".repeat(32)}`;
    await expect(startGateway(real, deps)).rejects.toThrow(/use another dataDir/);
  });
});

describe("receipt log segments", () => {
  const ask = (openai: OpenAI, i: number) =>
    openai.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: `q${i}` }], max_tokens: 10 });

  test("a data dir with a single-file receipts.log (an earlier version) keeps every receipt on first start", async () => {
    const dataDir = tempDir();
    const first = await setup(dataDir);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await ask(first.openai, i)).id);
    await first.gateway.flushReceipts();
    ids.push((await ask(first.openai, 3)).id); // unbatched when it stops... until stop signs it
    await first.gateway.stop();
    // Lay the log out as the earlier version did: one file, receipts.log, in the same format as segment 0.
    renameSync(join(dataDir, "receipts", "0000000000.seg"), join(dataDir, "receipts.log"));
    rmdirSync(join(dataDir, "receipts"));
    const before = await readLoggedReceipts(join(dataDir, "receipts.log"));
    expect(before.map((r) => r.responseId)).toEqual(ids);

    const second = await setup(dataDir, undefined, {}, { segmentMaxRecords: 2 });
    expect(existsSync(join(dataDir, "receipts.log"))).toBe(false);
    expect(second.gateway.store.receiptCount).toBe(4);
    expect((await readLoggedReceipts(join(dataDir, "receipts"))).slice(0, 4)).toEqual(before);
    // Sequences continue, and the log rolls past the old file.
    for (let i = 4; i < 10; i++) ids.push((await ask(second.openai, i)).id);
    await second.gateway.flushReceipts();
    const all = await readLoggedReceipts(join(dataDir, "receipts"));
    expect(all.map((r) => r.responseId)).toEqual(ids);
    expect(all.map((r) => r.sequence)).toEqual(ids.map((_, i) => BigInt(i + 1)));
    expect(second.gateway.store.log.segments.length).toBeGreaterThan(1);
    await second.gateway.stop();
  });

  test("segments the chain has settled are dropped; a restart replays only the unsettled tail", async () => {
    const dataDir = tempDir();
    const receipts = { segmentMaxRecords: 4, batchMaxReceipts: 2, compactIntervalMs: 0 };
    const first = await setup(dataDir, undefined, {}, receipts);
    for (let i = 0; i < 30; i++) {
      await ask(first.openai, i);
      await new Promise((r) => setTimeout(r, 2)); // the next segment is created off the request path
    }
    await first.gateway.flushReceipts();
    const { store } = first.gateway;
    const segments = store.log.segments.length;
    expect(segments).toBeGreaterThan(4);
    // Nothing settled on chain yet: nothing dropped.
    await first.gateway.compactReceipts();
    expect(store.log.segments.length).toBe(segments);
    // The keeper settles all but the last batch (gateway 1: the model's key's gateway in FakeChain).
    const last = store.lastBatchNumber(1n);
    first.chain.settled.set(1n, last - 1n);
    first.chain.sessions.get(1n)!.lastSequence = 28n;
    await first.gateway.compactReceipts();
    expect(store.log.segments.length).toBeLessThan(3);
    const served = await fetch(`${first.gateway.url}/v1/receipts`).then((r) => r.json() as Promise<{ data: { batchNumber: string }[] }>);
    expect(served.data.map((b) => b.batchNumber)).toContain(last.toString());
    await first.gateway.stop();

    const second = await setup(dataDir, undefined, {}, receipts, first.chain);
    expect(second.gateway.store.receiptCount).toBe(30);
    expect(second.gateway.store.recovery.records).toBeLessThan(12);
    expect(second.gateway.store.lastBatchNumber(1n)).toBe(last);
    const next = await ask(second.openai, 30);
    expect(next.id).toBeTruthy();
    await second.gateway.flushReceipts();
    const tail = await readLoggedReceipts(join(dataDir, "receipts"));
    expect(tail.at(-1)!.sequence).toBe(31n);
    await second.gateway.stop();
  });
});

describe("receipt log compaction depth", () => {
  test("compaction reads settledBatches compactConfirmations blocks deep, and not at all before the chain is that long", async () => {
    const dataDir = tempDir();
    const { gateway, chain, openai } = await setup(dataDir, undefined, {}, { compactConfirmations: 3, compactIntervalMs: 0 });
    await openai.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: "x" }], max_tokens: 10 });
    await gateway.flushReceipts();
    chain.settledReads = [];
    expect((await chain.head()).number).toBeLessThan(3n);
    await gateway.compactReceipts();
    expect(chain.settledReads).toEqual([]);
    chain.mine();
    chain.mine();
    chain.mine();
    await gateway.compactReceipts();
    const now = (await chain.head()).number;
    expect(chain.settledReads).toEqual([now - 3n]);
    await gateway.stop();
  });
});

describe("configuration", () => {
  test("a port in use is a clear start-up error", async () => {
    const { gateway } = await setup(tempDir());
    const port = Number(new URL(gateway.url).port);
    const error = await startGateway(
      { dataDir: tempDir(), http: { port }, chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment }, logLevel: "silent" },
      { chainReader: new FakeChain(), signer: new FakeSigner(), attestor: fakeAttestor, processMetrics: false },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayConfigError);
    expect((error as Error).message).toMatch(/cannot listen/);
    await gateway.stop();
  });

  test("is validated at start, with every problem listed", async () => {
    const error = await startGateway({
      dataDir: "",
      http: { port: 70_000 },
      chain: { rpcUrl: "not a url", deployment: {} },
      approval: { onInsufficientBudget: "maybe" },
      bogus: true,
    } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayConfigError);
    const message = (error as Error).message;
    for (const fragment of ["dataDir", "http.port", "chain.rpcUrl", "chain.deployment", "approval.onInsufficientBudget", "bogus"]) {
      expect(message).toContain(fragment);
    }
  });
});
