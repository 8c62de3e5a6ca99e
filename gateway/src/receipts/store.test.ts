import { appendFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { FakeSigner } from "../../test/fakes.js";
import { tempDir } from "../../test/helpers.js";
import { Batcher } from "./batcher.js";
import { ReceiptStore, ReceiptStoreError, type NewReceipt } from "./store.js";

const LEDGER = "0x0000000000000000000000000000000000000a05" as const;
const ANCHOR = `0x${"ab".repeat(32)}` as const;
const open = (path: string, ledger: `0x${string}` = LEDGER, anchor: `0x${string}` = ANCHOR) =>
  ReceiptStore.open({ path, durability: "fsync", groupCommitWindowMs: 0, chainId: 31337, ledger, anchor });
const silent = pino({ level: "silent" });

const receipt = (sessionId: bigint, modelId = 1n, n = 0): NewReceipt => ({
  responseId: `chatcmpl-${sessionId}-${n}`,
  modelId,
  sessionId,
  inputTokens: 10 + n,
  outputTokens: 20,
  reasoningTokens: 30,
  requestHash: (sequence) => `0x${sequence.toString(16).padStart(64, "0")}`,
  cost: 5n,
});

describe("ReceiptStore", () => {
  test("sequences continue above the log's and the chain's last sequence", async () => {
    const path = join(tempDir(), "receipts.log");
    const store = await open(path);
    expect((await store.append(receipt(1n), 0n).durable).sequence).toBe(1n);
    expect((await store.append(receipt(1n), 0n).durable).sequence).toBe(2n);
    expect((await store.append(receipt(2n), 7n).durable).sequence).toBe(8n); // chain settled 7 already
    await store.close();
    const reopened = await open(path);
    expect(reopened.receipts).toHaveLength(3);
    expect((await reopened.append(receipt(1n), 0n).durable).sequence).toBe(3n);
    expect((await reopened.append(receipt(2n), 0n).durable).sequence).toBe(9n);
    await reopened.close();
  });

  test("a log of another chain, ledger or chain instance is refused as foreign", async () => {
    const path = join(tempDir(), "receipts.log");
    await (await open(path)).close();
    await expect(open(path, "0x0000000000000000000000000000000000000bad")).rejects.toMatchObject({ reason: "foreign" });
    await expect(open(path, LEDGER, `0x${"cd".repeat(32)}`)).rejects.toBeInstanceOf(ReceiptStoreError);
  });

  test("property: after a crash (torn tail), every acknowledged receipt and batch is recovered, unbatched ones are re-batched, and sequences keep increasing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ session: fc.bigInt({ min: 1n, max: 4n }), model: fc.bigInt({ min: 1n, max: 2n }), batchAfter: fc.boolean() }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.uint8Array({ minLength: 0, maxLength: 40 }),
        async (ops, garbage) => {
          const path = join(tempDir(), "receipts.log");
          const store = await open(path);
          const signer = new FakeSigner();
          const batcher = new Batcher(store, signer, { maxReceipts: 5, maxDelayMs: 60_000, sign: true }, silent);
          const acknowledged: string[] = [];
          for (const [n, op] of ops.entries()) {
            const r = await store.append(receipt(op.session, op.model, n), 0n).durable;
            acknowledged.push(r.responseId);
            if (op.batchAfter) await batcher.flush();
          }
          await store.log.flush();
          const batches = store.batches.length;
          const batchedIds = new Set(store.batches.flatMap((b) => b.items.map((i) => store.receipts[i]!.responseId)));
          const lastBySession = new Map<bigint, bigint>();
          for (const r of store.receipts) lastBySession.set(r.sessionId, r.sequence);
          // Crash: no close, a partial record at the end.
          appendFileSync(path, garbage);

          const recovered = await open(path);
          expect(recovered.receipts.map((r) => r.responseId)).toEqual(acknowledged);
          expect(recovered.batches).toHaveLength(batches);
          expect(recovered.recoveredUnbatched().map((r) => r.responseId)).toEqual(acknowledged.filter((id) => !batchedIds.has(id)));
          // Re-batching after the restart covers each receipt exactly once.
          const after = new Batcher(recovered, new FakeSigner(), { maxReceipts: 5, maxDelayMs: 60_000, sign: true }, silent);
          await after.flush();
          const covered = recovered.batches.flatMap((b) => b.items);
          expect([...covered].sort((a, b) => a - b)).toEqual(recovered.receipts.map((r) => r.index));
          for (const [session, last] of lastBySession) {
            expect((await recovered.append(receipt(session), 0n).durable).sequence).toBe(last + 1n);
          }
          await after.stop();
          await recovered.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("Batcher", () => {
  test("batches per model, at most maxReceipts, each receipt once, sessions' sequences in order", async () => {
    const store = await open(join(tempDir(), "receipts.log"));
    const signer = new FakeSigner();
    const batcher = new Batcher(store, signer, { maxReceipts: 3, maxDelayMs: 60_000, sign: true }, silent);
    for (let i = 0; i < 10; i++) await store.append(receipt(BigInt((i % 2) + 1), BigInt((i % 3) + 1), i), 0n).durable;
    await batcher.flush();
    expect(store.unbatched).toBe(0);
    const covered = store.batches.flatMap((batch) => batch.items);
    expect([...covered].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    for (const batch of store.batches) {
      expect(batch.items.length).toBeLessThanOrEqual(3);
      for (const index of batch.items) expect(store.receipts[index]!.modelId).toBe(batch.modelId);
    }
    await batcher.stop();
    await store.close();
  });

  test("signs after maxDelayMs without a flush", async () => {
    const store = await open(join(tempDir(), "receipts.log"));
    const batcher = new Batcher(store, new FakeSigner(), { maxReceipts: 100, maxDelayMs: 30, sign: true }, silent);
    await store.append(receipt(1n), 0n).durable;
    await new Promise((r) => setTimeout(r, 150));
    expect(store.batches).toHaveLength(1);
    await batcher.stop();
    await store.close();
  });

  test("a signing failure keeps the receipts pending and retries", async () => {
    const store = await open(join(tempDir(), "receipts.log"));
    const signer = new FakeSigner();
    let fail = true;
    const original = signer.signBatch.bind(signer);
    signer.signBatch = async (input) => {
      if (fail) throw new Error("hsm unavailable");
      return original(input);
    };
    const batcher = new Batcher(store, signer, { maxReceipts: 100, maxDelayMs: 20, sign: true }, silent);
    await store.append(receipt(1n), 0n).durable;
    await new Promise((r) => setTimeout(r, 60));
    expect(store.batches).toHaveLength(0);
    fail = false;
    await new Promise((r) => setTimeout(r, 250));
    expect(store.batches).toHaveLength(1);
    await batcher.stop();
    await store.close();
  });
});
