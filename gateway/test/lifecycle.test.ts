/**
 * Lifecycle details against an in-memory chain: graceful shutdown drains requests and flushes every receipt
 * into signed batches; an abandoned stream is charged for what was generated; the sealed enclave key survives a
 * restart; config errors are reported at start.
 */
import { readdirSync } from "node:fs";
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

async function setup(dataDir: string, backend: Record<string, unknown> = { kind: "simulated" }, deps: GatewayDeps = {}) {
  const chain = new FakeChain();
  chain.addModel(1n, "cogito-8b");
  chain.addSession({ sessionId: 1n, buyer: buyer.address, budget: 10n ** 12n });
  const gateway = await startGateway(
    {
      dataDir,
      http: { port: 0, shutdownGraceMs: 5_000 },
      chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment, headMaxAgeMs: 0 },
      backend: backend as never,
      receipts: { batchMaxDelayMs: 60_000 },
      logLevel: "silent",
    },
    { chainReader: chain, signer: new FakeSigner(), attestor: fakeAttestor, processMetrics: false, ...deps },
  );
  const apiKey = await createSessionCredential(buyer, { chainId: 31337, ledger }, 1n);
  return { gateway, openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 }) };
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
      path: join(dataDir, "receipts.log"),
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
    expect(readdirSync(dataDir).some((name) => name.startsWith("receipts.log.foreign-"))).toBe(true);
    await restarted.stop();

    const real = { ...config, chain: { ...config.chain, deployment: { ...fakeDeployment, local: false } } };
    otherInstance.anchor = `0x${"ef".repeat(32)}`;
    await expect(startGateway(real, deps)).rejects.toThrow(/use another dataDir/);
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
