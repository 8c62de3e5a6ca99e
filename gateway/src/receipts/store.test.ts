import { appendFileSync, existsSync, mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fcParams } from "@cogfi/sdk/testing";
import fc from "fast-check";
import { getAddress } from "viem";
import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { FakeSigner } from "../../test/fakes.js";
import { tempDir } from "../../test/helpers.js";
import { Batcher } from "./batcher.js";
import { encodeRecord, segmentFileName } from "./log.js";
import { readLoggedReceipts, ReceiptStore, ReceiptStoreError, type NewReceipt } from "./store.js";
import type { BatchSignature, Receipt, SignedBatch } from "./types.js";

const LEDGER = "0x0000000000000000000000000000000000000a05" as const;
const ANCHOR = `0x${"ab".repeat(32)}` as const;
const open = (path: string, ledger: `0x${string}` = LEDGER, anchor: `0x${string}` = ANCHOR, maxBatchesInMemory?: number) =>
  ReceiptStore.open({ path, durability: "fsync", groupCommitWindowMs: 0, chainId: 31337, ledger, anchor, maxBatchesInMemory });
/** Every durable batch, with its receipts, as served. */
const allBatches = async (store: ReceiptStore) => (await store.page(-1, store.batchCount)).batches;
const silent = pino({ level: "silent" });

/** A packed pricing (input 1, output 2, reasoning 3 per million tokens, times `scale`). */
const PRICING = (scale = 1n) => ((1n * scale) << 160n) | ((2n * scale) << 80n) | (3n * scale);

const receipt = (sessionId: bigint, modelId = 1n, n = 0, pricing = PRICING()): NewReceipt => ({
  responseId: `chatcmpl-${sessionId}-${n}`,
  modelId,
  gatewayId: modelId + 100n,
  pricing,
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
    expect(reopened.receiptCount).toBe(3);
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

  /** One operation of the crash property: a receipt of `session` for `model`, then a flush of the batcher or not. */
  type CrashOp = { session: bigint; model: bigint; batchAfter: boolean };
  const crashOps = fc.array(fc.record({ session: fc.bigInt({ min: 1n, max: 4n }), model: fc.bigInt({ min: 1n, max: 2n }), batchAfter: fc.boolean() }), {
    minLength: 1,
    maxLength: 40,
  });
  /** Seed -739921233's counterexample: five receipts of one model and no flush, so the batcher signs them by size. */
  const fiveUnflushed: [CrashOp[], Uint8Array] = [Array.from({ length: 5 }, () => ({ session: 1n, model: 2n, batchAfter: false })), new Uint8Array()];

  /**
   * Serves `ops`, crashes (the log is cut off where it is and a torn record appended), recovers and re-batches.
   * The batcher batches on flushes and also by itself (`maxReceipts` reached), possibly while the crash happens, so
   * what the recovered store must hold is read off the crashed process once nothing of it can write any more.
   */
  /**
   * The log as one file (as before segments), or as segments of at most three records (the gateway's layout, rolling
   * all the time).
   */
  const layouts = {
    file: { path: () => join(tempDir(), "receipts.log"), open: (path: string) => open(path) },
    segments: {
      path: () => join(tempDir(), "receipts"),
      open: (path: string) =>
        ReceiptStore.open({
          path,
          durability: "fsync",
          groupCommitWindowMs: 0,
          chainId: 31337,
          ledger: LEDGER,
          anchor: ANCHOR,
          segments: { maxBytes: Number.POSITIVE_INFINITY, maxRecords: 3 },
        }),
    },
  };
  let layout: keyof typeof layouts = "file";

  const crashAndRecover = async (ops: CrashOp[], garbage: Uint8Array) => {
    const path = layouts[layout].path();
    const store = await layouts[layout].open(path);
    const batcher = new Batcher(store, new FakeSigner(), { maxReceipts: 5, maxDelayMs: 60_000, sign: true }, silent);
    const acknowledged: string[] = [];
    for (const [n, op] of ops.entries()) {
      const r = await store.append(receipt(op.session, op.model, n), 0n).durable;
      acknowledged.push(r.responseId);
      if (op.batchAfter) await batcher.flush();
    }
    // Crash: the process writes nothing more. Closing the log is that cut (what was written stays, as it would); the
    // batcher is not flushed, and a batch it starts signing from here on fails to be recorded, as it would.
    await store.close();
    await batcher.stop();
    const batches = store.batchCount;
    const batchedIds = new Set((await allBatches(store)).flatMap((b) => b.receipts.map((r) => r.responseId)));
    const lastBySession = new Map<bigint, bigint>();
    for (const r of await readLoggedReceipts(path)) lastBySession.set(r.sessionId, r.sequence);
    const crashedSize = store.log.size;
    const lastFile = store.log.segments.at(-1)!.path;
    expect(statSync(lastFile).size).toBe(crashedSize - store.log.segments.at(-1)!.base);
    appendFileSync(lastFile, garbage);

    const recovered = await layouts[layout].open(path);
    expect(recovered.recovery.tornBytes).toBe(garbage.length);
    expect(recovered.log.size).toBe(crashedSize);
    expect(recovered.receiptCount).toBe(acknowledged.length);
    expect((await readLoggedReceipts(path)).map((r) => r.responseId)).toEqual(acknowledged);
    expect(recovered.batchCount).toBe(batches);
    const recoveredBatched = (await allBatches(recovered)).flatMap((b) => b.receipts);
    expect(new Set(recoveredBatched.map((r) => r.responseId))).toEqual(batchedIds);
    expect(recovered.recoveredUnbatched().map((r) => r.responseId)).toEqual(acknowledged.filter((id) => !batchedIds.has(id)));
    // Re-batching after the restart covers each receipt exactly once.
    const after = new Batcher(recovered, new FakeSigner(), { maxReceipts: 5, maxDelayMs: 60_000, sign: true }, silent);
    await after.flush();
    const covered = (await allBatches(recovered)).flatMap((b) => b.batch.items);
    expect([...covered].sort((a, b) => a - b)).toEqual([...Array(recovered.receiptCount).keys()]);
    expect(recovered.receiptsInMemory).toBe(0);
    for (const [session, last] of lastBySession) {
      expect((await recovered.append(receipt(session), 0n).durable).sequence).toBe(last + 1n);
    }
    await after.stop();
    await recovered.close();
  };

  describe.each(["file", "segments"] as const)("log as %s", (name) => {
    test("property: after a crash (torn tail), every acknowledged receipt and batch is recovered, unbatched ones are re-batched, and sequences keep increasing", async () => {
      layout = name;
      await fc.assert(
        fc.asyncProperty(crashOps, fc.uint8Array({ minLength: 0, maxLength: 40 }), crashAndRecover),
        fcParams({ numRuns: 40, examples: [fiveUnflushed] }),
      );
    });

    test("regression: crash recovery with seed -739921233 (the batcher signed a batch by size after the test had read the store)", async () => {
      layout = name;
      // The seed that failed `npm test` on a fresh clone, pinned with its run count: the same 40 inputs every run.
      await fc.assert(
        fc.asyncProperty(crashOps, fc.uint8Array({ minLength: 0, maxLength: 40 }), crashAndRecover),
        fcParams({ seed: -739921233, numRuns: 40 }),
      );
      await crashAndRecover(...fiveUnflushed);
    });
  });
});

describe("bounded memory", () => {
  /** A deterministic stand-in for a signed batch (the store does not check signatures). */
  const signature = (modelId: bigint, items: number[], n: number): BatchSignature => ({
    modelId,
    gatewayId: modelId + 100n,
    batchNumber: BigInt(n + 1),
    servedPricing: PRICING(),
    enclave: getAddress("0x00000000000000000000000000000000000000e1"),
    sessionIds: [BigInt(n % 7) + 1n],
    receipts: items.map((index) => BigInt(index) * 2n ** 200n + BigInt(n)),
    requestsCommitment: `0x${n.toString(16).padStart(64, "0")}`,
    digest: `0x${(n + 1).toString(16).padStart(64, "0")}`,
    signature: `0x${"11".repeat(65)}`,
    items,
  });

  /** Pages of several sizes from every cursor (step 3 for the larger ones): memory, file and the boundary between. */
  const expectSamePages = async (store: ReceiptStore, reference: ReceiptStore) => {
    for (const limit of [1, 7, 50, 500]) {
      for (let after = -1; after <= reference.batchCount; after += limit === 1 ? 1 : 3) {
        const [page, expected] = [await store.page(after, limit), await reference.page(after, limit)];
        expect(page, `page(${after}, ${limit})`).toEqual(expected);
      }
    }
  };

  test("keeps at most maxBatchesInMemory batches and no batched receipt, and serves older batches from the log exactly as from memory", async () => {
    const dir = tempDir();
    const bounded = await open(join(dir, "bounded.log"), LEDGER, ANCHOR, 16);
    const unbounded = await open(join(dir, "unbounded.log"), LEDGER, ANCHOR, Number.MAX_SAFE_INTEGER);
    // Two models interleaved, so a batch's receipts are spread over the log among other records.
    const pending = new Map<bigint, number[]>();
    let n = 0;
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 3_000; i++) {
      const model = BigInt((i % 3 === 0 ? 0 : 1) + 1);
      const input = receipt(BigInt((i % 5) + 1), model, i);
      const [a, b] = [bounded.append(input, 0n), unbounded.append(input, 0n)];
      // Both stores stamp createdAt themselves: align them so their pages compare equal.
      b.receipt.createdAt = a.receipt.createdAt;
      writes.push(a.durable, b.durable);
      const queue = pending.get(model) ?? [];
      queue.push(a.receipt.index);
      pending.set(model, queue);
      if (queue.length === 10) {
        // A batch covers durable receipts only.
        await Promise.all(writes.splice(0));
        pending.set(model, []);
        const sig = signature(model, queue, n++);
        const [x, y] = await Promise.all([bounded.appendBatch(sig), unbounded.appendBatch(sig)]);
        y.signedAt = x.signedAt;
      }
      expect(bounded.batchesInMemory).toBeLessThanOrEqual(16);
    }
    await Promise.all(writes.splice(0));
    for (const [model, queue] of pending) {
      if (queue.length === 0) continue;
      const sig = signature(model, queue, n++);
      const [x, y] = await Promise.all([bounded.appendBatch(sig), unbounded.appendBatch(sig)]);
      y.signedAt = x.signedAt;
    }
    expect(bounded.batchCount).toBe(300);
    expect(bounded.batchesInMemory).toBe(16);
    expect(bounded.receiptsInMemory).toBe(0);
    expect(bounded.unbatched).toBe(0);
    expect(unbounded.batchesInMemory).toBe(300);
    await expectSamePages(bounded, unbounded);
    // Every batch, in order, with its receipts in item order.
    const all = await allBatches(bounded);
    expect(all.map(({ batch }) => batch.batch)).toEqual([...Array(300).keys()]);
    for (const { batch, receipts } of all) expect(receipts.map((r) => r.index)).toEqual(batch.items);

    // Recovery rebuilds the same from the log, holding as little.
    await bounded.close();
    const reopened = await open(join(dir, "bounded.log"), LEDGER, ANCHOR, 16);
    expect(reopened.batchCount).toBe(300);
    expect(reopened.receiptCount).toBe(3_000);
    expect(reopened.batchesInMemory).toBe(16);
    expect(reopened.receiptsInMemory).toBe(0);
    await expectSamePages(reopened, unbounded);
    // And keeps appending after recovery, with pages still equal to what memory served.
    const more = reopened.append(receipt(9n, 1n, 3_000), 0n);
    await more.durable;
    const batch = await reopened.appendBatch(signature(1n, [more.receipt.index], n));
    expect(batch.batch).toBe(300);
    expect(reopened.receiptsInMemory).toBe(0);
    const last = await reopened.page(299, 10);
    expect(last.batches).toEqual([{ batch, receipts: [more.receipt] }]);
    expect((await reopened.page(-1, 300)).batches).toEqual(all);
    await Promise.all([reopened.close(), unbounded.close()]);
  });

  test("a store with maxBatchesInMemory 0 serves everything from the log", async () => {
    const path = join(tempDir(), "receipts.log");
    const store = await open(path, LEDGER, ANCHOR, 0);
    const served: unknown[] = [];
    for (let i = 0; i < 20; i++) {
      const r = store.append(receipt(1n, 1n, i), 0n);
      await r.durable;
      const batch = await store.appendBatch(signature(1n, [r.receipt.index], i));
      served.push({ batch, receipts: [{ ...r.receipt, batch: i }] });
    }
    expect(store.batchesInMemory).toBe(0);
    expect((await store.page(-1, 50)).batches).toEqual(served);
    await store.close();
  });

  test("unbatched receipts are recovered and re-batched after a restart, batched ones are not", async () => {
    const path = join(tempDir(), "receipts.log");
    const store = await open(path, LEDGER, ANCHOR, 2);
    for (let i = 0; i < 25; i++) await store.append(receipt(BigInt((i % 3) + 1), 1n, i), 0n).durable;
    const batcher = new Batcher(store, new FakeSigner(), { maxReceipts: 4, maxDelayMs: 60_000, sign: true }, silent);
    // The full batches are signed at once, the last receipt waits for its delay.
    for (const deadline = Date.now() + 5_000; store.batchCount < 6 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
    expect(store.batchCount).toBe(6);
    expect(store.receiptsInMemory).toBe(1);
    await store.close(); // "crash" before the remaining receipt is batched
    const reopened = await open(path, LEDGER, ANCHOR, 2);
    expect(reopened.recoveredUnbatched().map((r) => r.index)).toEqual([24]);
    const after = new Batcher(reopened, new FakeSigner(), { maxReceipts: 4, maxDelayMs: 60_000, sign: true }, silent);
    await after.flush();
    expect(reopened.receiptsInMemory).toBe(0);
    expect(reopened.batchesInMemory).toBe(2);
    expect((await allBatches(reopened)).flatMap((b) => b.batch.items).sort((x, y) => x - y)).toEqual([...Array(25).keys()]);
    await after.stop();
    await reopened.close();
    void batcher; // never stopped: stopping would sign the receipt the "crash" left unbatched
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
    const batches = await allBatches(store);
    const covered = batches.flatMap(({ batch }) => batch.items);
    expect([...covered].sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    for (const { batch, receipts } of batches) {
      expect(batch.items.length).toBeLessThanOrEqual(3);
      expect(receipts.map((r) => r.index)).toEqual(batch.items);
      for (const r of receipts) expect(r.modelId).toBe(batch.modelId);
    }
    await batcher.stop();
    await store.close();
  });

  test("numbers each gateway's batches 1, 2, 3... across restarts, never reusing one, and cuts a batch at a pricing change", async () => {
    const path = join(tempDir(), "receipts.log");
    let store = await open(path);
    let signer = new FakeSigner();
    let batcher = new Batcher(store, signer, { maxReceipts: 2, maxDelayMs: 10_000, sign: true }, silent);
    for (let i = 0; i < 5; i++) await store.append(receipt(1n, 1n, i), 0n).durable; // gateway 101
    await store.append(receipt(2n, 2n, 5), 0n).durable; // gateway 102
    await store.append(receipt(1n, 1n, 6, PRICING(2n)), 0n).durable; // gateway 101, dearer: a batch of its own
    await store.append(receipt(1n, 1n, 7, PRICING(2n)), 0n).durable;
    await batcher.stop();
    const numbers = (await allBatches(store)).map(({ batch }) => [batch.gatewayId, batch.batchNumber, batch.servedPricing, batch.items.length]);
    expect(numbers).toEqual([
      [101n, 1n, PRICING(), 2],
      [101n, 2n, PRICING(), 2],
      [101n, 3n, PRICING(), 1],
      [101n, 4n, PRICING(2n), 2],
      [102n, 1n, PRICING(), 1],
    ]);
    await store.close();

    // After a restart the numbers continue; one already taken is refused.
    store = await open(path);
    expect([store.lastBatchNumber(101n), store.lastBatchNumber(102n), store.lastBatchNumber(103n)]).toEqual([4n, 1n, 0n]);
    await expect(
      store.appendBatch({ ...(await allBatches(store))[0]!.batch, items: [] }),
    ).rejects.toThrow(ReceiptStoreError);
    signer = new FakeSigner();
    batcher = new Batcher(store, signer, { maxReceipts: 2, maxDelayMs: 10_000, sign: true, settledBatches: async () => 7n }, silent);
    await store.append(receipt(1n, 1n, 8), 0n).durable;
    await store.append(receipt(3n, 3n, 9), 0n).durable; // gateway 103: none in the log, 7 settled on chain
    await batcher.stop();
    expect(signer.batches.map((b) => [b.gatewayId, b.batchNumber])).toEqual([
      [101n, 5n],
      [103n, 8n],
    ]);
    await store.close();
  });

  test("a log of another version is refused as foreign", async () => {
    const path = join(tempDir(), "receipts.log");
    const store = await open(path);
    await store.close();
    const { AppendLog } = await import("./log.js");
    const other = join(tempDir(), "receipts.log");
    const { log } = await AppendLog.open({ path: other, durability: "fsync", groupCommitWindowMs: 0 });
    await log.append({ k: "h", v: 1, chainId: 31337, ledger: LEDGER.toLowerCase(), anchor: ANCHOR });
    await log.close();
    const error = await open(other).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReceiptStoreError);
    expect((error as ReceiptStoreError).reason).toBe("foreign");
  });

  test("signs after maxDelayMs without a flush", async () => {
    const store = await open(join(tempDir(), "receipts.log"));
    const batcher = new Batcher(store, new FakeSigner(), { maxReceipts: 100, maxDelayMs: 30, sign: true }, silent);
    await store.append(receipt(1n), 0n).durable;
    await new Promise((r) => setTimeout(r, 150));
    expect(store.batchCount).toBe(1);
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
    expect(store.batchCount).toBe(0);
    fail = false;
    await new Promise((r) => setTimeout(r, 250));
    expect(store.batchCount).toBe(1);
    await batcher.stop();
    await store.close();
  });
});

describe("segments and compaction", () => {
  const openSegmented = (dir: string, maxRecords: number, legacyFile?: string, maxBatchesInMemory?: number) =>
    ReceiptStore.open({
      path: dir,
      durability: "fsync",
      groupCommitWindowMs: 0,
      chainId: 31337,
      ledger: LEDGER,
      anchor: ANCHOR,
      maxBatchesInMemory,
      segments: { maxBytes: Number.POSITIVE_INFINITY, maxRecords, legacyFile },
    });
  /** Lets the log's thread-pool work (creating the next segment) finish, so the next append can roll. */
  const settleIo = () => new Promise((resolve) => setTimeout(resolve, 5));

  /** One step of the property: serve a receipt, flush the batcher, or settle a share of the batches and compact. */
  type Op = { kind: "receipt"; session: bigint; model: bigint } | { kind: "flush" } | { kind: "settle"; share: number };
  const ops = fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant("receipt" as const), session: fc.bigInt({ min: 1n, max: 4n }), model: fc.bigInt({ min: 1n, max: 2n }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant("flush" as const) }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant("settle" as const), share: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })) }),
      },
    ),
    { minLength: 1, maxLength: 80, size: "large" },
  );
  /**
   * How the process dies: `torn` (garbage after the last durable record), `prepared` (the next segment created and
   * empty), `roll` (the next segment holding a prefix of its first commit), `drop` (a compaction deleted the newest
   * `depth` of the segments it was dropping, then died).
   */
  const crash = fc.record({
    kind: fc.constantFrom("torn", "prepared", "roll", "drop"),
    garbage: fc.uint8Array({ minLength: 0, maxLength: 40 }),
    cut: fc.nat(),
    depth: fc.nat(),
  });
  type Crash = { kind: "torn" | "prepared" | "roll" | "drop"; garbage: Uint8Array; cut: number; depth: number };

  /** What the runs exercised, so the property checks that it reaches every case it claims to. */
  const seen = { compacted: 0, straddled: 0, gapRepaired: 0, emptyRemoved: 0, torn: 0, rolled: 0 };
  const crashAndRecover = async (steps: Op[], maxRecords: number, how: Crash) => {
    const dir = join(tempDir(), "receipts");
    const store = await openSegmented(dir, maxRecords, undefined, 4);
    const batcher = new Batcher(store, new FakeSigner(), { maxReceipts: 5, maxDelayMs: 60_000, sign: true }, silent);
    const durableBatches: SignedBatch[] = [];
    batcher.onBatch = (batch) => durableBatches.push(batch);
    const acknowledged: Receipt[] = [];
    /** The chain: per gateway the batches settled, per session the last sequence settled. */
    const settled = new Map<bigint, bigint>();
    const chainSequence = new Map<bigint, bigint>();
    for (const [n, op] of steps.entries()) {
      if (op.kind === "receipt") {
        acknowledged.push(await store.append(receipt(op.session, op.model, n), chainSequence.get(op.session) ?? 0n).durable);
        await settleIo();
      } else if (op.kind === "flush") {
        await batcher.flush();
      } else {
        // The chain settles each gateway's batches in order: every durable batch below a cursor.
        const cutoff = Math.floor(op.share * (durableBatches.length + 1));
        for (const batch of durableBatches.slice(0, cutoff)) {
          if (batch.batchNumber > (settled.get(batch.gatewayId) ?? 0n)) settled.set(batch.gatewayId, batch.batchNumber);
          for (const index of batch.items) {
            const r = acknowledged[index]!;
            if (r.sequence > (chainSequence.get(r.sessionId) ?? 0n)) chainSequence.set(r.sessionId, r.sequence);
          }
        }
        for (const [gateway, number] of settled) store.markSettled(gateway, number);
        if (how.kind === "drop" && store.compactionPoint()) break; // the crash comes in the middle of this compaction
        if ((await store.compact()).segments > 0) seen.compacted++;
      }
    }
    // Crash: see the first property. A prepared segment is deleted by `close`, so the crash modes recreate it.
    const point = how.kind === "drop" ? store.compactionPoint() : undefined;
    await store.close();
    await batcher.stop();
    const segmentsBefore = store.log.segments;
    expect(durableBatches.length).toBe(store.batchCount);
    const lastSegment = segmentsBefore.at(-1)!;
    const nextPath = join(dir, segmentFileName(lastSegment.id + 1));
    if (how.kind === "torn") appendFileSync(lastSegment.path, how.garbage);
    if (how.kind === "prepared") writeFileSync(nextPath, new Uint8Array());
    if (how.kind === "roll") {
      // Cut before its second record is whole: the roll's first commit never completed.
      const firstCommit = Buffer.concat([encodeRecord({ seg: lastSegment.id + 1, base: lastSegment.end }), encodeRecord({ k: "h", pad: "x".repeat(50) })]);
      writeFileSync(nextPath, Buffer.concat([firstCommit.subarray(0, how.cut % firstCommit.length), how.garbage]));
    }
    if (point) {
      // The drop deletes newest first; the crash leaves the oldest `depth` (at least one) of them behind.
      const doomed = segmentsBefore.filter((segment, i) => i < segmentsBefore.length - 1 && segment.end <= point.at);
      const deleted = doomed.length - 1 - (how.depth % Math.max(1, doomed.length - 1));
      for (const segment of doomed.reverse().slice(0, Math.max(0, deleted))) unlinkSync(segment.path);
    }

    const recovered = await openSegmented(dir, maxRecords, undefined, 4);
    if (segmentsBefore.length > 1) seen.rolled++;
    if (recovered.recovery.tornBytes > 0) seen.torn++;
    if (how.kind === "drop" && (recovered.recovery.removedSegments ?? 0) > 0) seen.gapRepaired++;
    if (how.kind !== "drop" && (recovered.recovery.removedSegments ?? 0) > 0) seen.emptyRemoved++;
    if ((await recovered.page(-1, 10_000)).batches.length < recovered.batchCount - recovered.batchBase) seen.straddled++;
    const settledBatch = (batch: SignedBatch) => batch.batchNumber <= (settled.get(batch.gatewayId) ?? 0n);
    const batchedIds = new Set(durableBatches.flatMap((batch) => batch.items.map((index) => acknowledged[index]!.responseId)));
    // Nothing acknowledged and unsettled is lost; receipts, cursors and batch numbers continue above what was dropped.
    expect(recovered.receiptCount).toBe(acknowledged.length);
    expect(recovered.batchCount).toBe(durableBatches.length);
    const kept = new Set((await readLoggedReceipts(dir)).map((r) => r.responseId));
    const unsettledIds = durableBatches.filter((batch) => !settledBatch(batch)).flatMap((batch) => batch.items.map((i) => acknowledged[i]!.responseId));
    for (const id of unsettledIds) expect(kept.has(id), `unsettled receipt ${id} kept`).toBe(true);
    // Unbatched after recovery: exactly the acknowledged receipts no durable batch covers (never a settled one).
    const unbatched = acknowledged.filter((r) => !batchedIds.has(r.responseId));
    expect(recovered.recoveredUnbatched().map((r) => r.responseId)).toEqual(unbatched.map((r) => r.responseId));
    for (const id of unbatched.map((r) => r.responseId)) expect(kept.has(id)).toBe(true);
    // Every unsettled batch is still served, as it was signed, with its receipts.
    const served = (await recovered.page(-1, 10_000)).batches;
    const servedByCursor = new Map(served.map((stored) => [stored.batch.batch, stored]));
    for (const batch of durableBatches.filter((b) => !settledBatch(b))) {
      const stored = servedByCursor.get(batch.batch);
      expect(stored?.batch.digest, `unsettled batch ${batch.batch} served`).toBe(batch.digest);
      expect(stored!.receipts.map((r) => r.responseId)).toEqual(batch.items.map((i) => acknowledged[i]!.responseId));
    }
    for (const gateway of new Set(durableBatches.map((b) => b.gatewayId))) {
      const last = durableBatches.filter((b) => b.gatewayId === gateway).at(-1)!.batchNumber;
      expect(recovered.lastBatchNumber(gateway)).toBe(last);
    }
    // Re-batching signs exactly the unbatched receipts, under numbers above every earlier batch's.
    const signer = new FakeSigner();
    const after = new Batcher(recovered, signer, { maxReceipts: 5, maxDelayMs: 60_000, sign: true }, silent);
    await after.flush();
    expect(signer.batches.flatMap((b) => b.receipts.map((r) => r.responseId)).sort()).toEqual(unbatched.map((r) => r.responseId).sort());
    for (const input of signer.batches) {
      expect(input.batchNumber).toBeGreaterThan(durableBatches.filter((b) => b.gatewayId === input.gatewayId).at(-1)?.batchNumber ?? 0n);
    }
    expect(recovered.receiptsInMemory).toBe(0);
    // Sequences keep increasing per session (the chain's settled sequence covers sessions whose receipts were dropped).
    const lastBySession = new Map<bigint, bigint>();
    for (const r of acknowledged) lastBySession.set(r.sessionId, r.sequence);
    for (const [session, last] of lastBySession) {
      expect((await recovered.append(receipt(session), chainSequence.get(session) ?? 0n).durable).sequence).toBe(last + 1n);
    }
    await after.stop();
    await recovered.close();
  };

  test("property: rolls, compaction and a crash anywhere (torn tail, mid-roll, mid-drop) lose no unsettled receipt and resurrect no settled one", async () => {
    await fc.assert(
      fc.asyncProperty(ops, fc.integer({ min: 1, max: 8 }), crash, async (steps, maxRecords, how) => {
        await crashAndRecover(steps, maxRecords, how);
      }),
      fcParams({ numRuns: 40 }),
    );
    for (const [what, runs] of Object.entries(seen)) expect(runs, `runs that ${what}`).toBeGreaterThan(0);
  });

  test("the crash property's seed -739921233 case, segmented: five receipts of one model, no flush, a segment per two records", async () => {
    const five: Op[] = Array.from({ length: 5 }, () => ({ kind: "receipt" as const, session: 1n, model: 2n }));
    for (const kind of ["torn", "prepared", "roll", "drop"] as const) {
      await crashAndRecover([...five, { kind: "settle", share: 1 }], 2, { kind, garbage: new Uint8Array([1, 2, 3]), cut: 11, depth: 0 });
    }
  });

  test("a restart after compaction reads only the unsettled tail, and keeps serving from the first retained batch", async () => {
    const dir = join(tempDir(), "receipts");
    const store = await openSegmented(dir, 50);
    const batcher = new Batcher(store, new FakeSigner(), { maxReceipts: 10, maxDelayMs: 60_000, sign: true }, silent);
    for (let i = 0; i < 1_000; i++) {
      await store.append(receipt(BigInt((i % 4) + 1), 1n, i), 0n).durable;
      if (i % 10 === 9) await settleIo();
    }
    await batcher.flush();
    expect(store.batchCount).toBe(100);
    const segments = store.log.segments.length;
    expect(segments).toBeGreaterThan(15);
    // The chain settled all but the last three batches (gateway 101's numbers 1..97).
    store.markSettled(101n, 97n);
    const report = await store.compact();
    expect(report.segments).toBeGreaterThan(10);
    expect(store.log.segments.length).toBe(segments - report.segments);
    const page = await store.page(-1, 500);
    expect(page.batches.map((b) => b.batch.batchNumber).slice(-3)).toEqual([98n, 99n, 100n]);
    expect(page.batches[0]!.batch.batch).toBeGreaterThanOrEqual(store.batchBase);
    await batcher.stop();
    await store.close();

    let replayed = 0;
    const reopened = await ReceiptStore.open({
      path: dir,
      durability: "fsync",
      groupCommitWindowMs: 0,
      chainId: 31337,
      ledger: LEDGER,
      anchor: ANCHOR,
      segments: { maxBytes: Number.POSITIVE_INFINITY, maxRecords: 50 },
      onRecoveredReceipt: () => replayed++,
    });
    expect(reopened.receiptCount).toBe(1_000);
    expect(reopened.batchCount).toBe(100);
    expect(replayed).toBeLessThan(200); // the retained tail, not the thousand
    expect(replayed).toBeGreaterThanOrEqual(30);
    expect((await reopened.page(-1, 500)).batches.map((b) => b.batch.batchNumber).slice(-3)).toEqual([98n, 99n, 100n]);
    expect((await reopened.append(receipt(1n), 250n).durable).index).toBe(1_000);
    await reopened.close();
  });

  test("a log whose first segment starts past position 0 without a checkpoint is refused, not renumbered from 0", async () => {
    const dir = join(tempDir(), "receipts");
    mkdirSync(dir);
    const header = { k: "h", v: 2, chainId: 31337, ledger: LEDGER.toLowerCase(), anchor: ANCHOR };
    writeFileSync(join(dir, segmentFileName(5)), Buffer.concat([encodeRecord({ seg: 5, base: 1_000 }), encodeRecord(header)]));
    await expect(openSegmented(dir, 4)).rejects.toThrow(/without a checkpoint/);
  });

  test("a single-file log of an earlier version is moved in as the first segment on first start, losing nothing", async () => {
    const dataDir = tempDir();
    const legacyFile = join(dataDir, "receipts.log");
    const old = await open(legacyFile);
    const batcher = new Batcher(old, new FakeSigner(), { maxReceipts: 3, maxDelayMs: 60_000, sign: true }, silent);
    for (let i = 0; i < 10; i++) await old.append(receipt(BigInt((i % 2) + 1), 1n, i), 0n).durable;
    await batcher.flush();
    await old.append(receipt(1n, 1n, 10), 0n).durable; // unbatched at the "crash"
    const before = await readLoggedReceipts(legacyFile);
    const batchesBefore = await allBatches(old);
    await old.close();
    void batcher;

    const dir = join(dataDir, "receipts");
    const migrated = await openSegmented(dir, 4, legacyFile);
    expect(migrated.recovery.migratedFrom).toBe(legacyFile);
    expect(existsSync(legacyFile)).toBe(false);
    expect(readdirSync(dir)).toEqual([segmentFileName(0)]);
    expect(await readLoggedReceipts(dir)).toEqual(before);
    expect(migrated.receiptCount).toBe(11);
    expect(await allBatches(migrated)).toEqual(batchesBefore);
    expect(migrated.recoveredUnbatched().map((r) => r.index)).toEqual([10]);
    // It goes on rolling past the old file, and a second start does not migrate again.
    for (let i = 0; i < 10; i++) {
      await migrated.append(receipt(3n, 1n, 11 + i), 0n).durable;
      await settleIo();
    }
    expect(migrated.log.segments.length).toBeGreaterThan(1);
    await migrated.close();
    const again = await openSegmented(dir, 4, legacyFile);
    expect(again.recovery.migratedFrom).toBeUndefined();
    expect(again.receiptCount).toBe(21);
    expect((await readLoggedReceipts(dir)).slice(0, 11)).toEqual(before);
    await again.close();
  });
});
