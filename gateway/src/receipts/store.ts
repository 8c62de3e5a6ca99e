/**
 * The receipt store: the durable log of receipts and signed batches, and the in-memory index served by
 * GET /v1/receipts.
 *
 * Log records (JSON, see `log.ts` for the framing):
 * - `{k:"h", v, chainId, ledger}` once at the start: a log never mixes deployments;
 * - `{k:"r", ...}` one per served request, appended before its response completes, with the gateway that served
 *   it and the pricing it was served at;
 * - `{k:"b", ...}` one per signed batch, appended after the receipts it covers, with its gateway and batch number.
 *
 * Batch numbers count each gateway's batches from 1 in signing order (the ledger settles them in that order). The
 * log is their durable record: a number is taken by the batch record that carries it, and the next batch of the
 * gateway gets a greater one, across restarts, so a number is never reused (`nextBatchNumber`).
 *
 * Sequence numbers are assigned when a receipt is appended, in log order, as
 * `max(last sequence in the log, last sequence settled on chain) + 1`, so they strictly increase per session
 * across restarts and a session's receipts appear in the log (and so in batches) in sequence order.
 * A receipt becomes batchable only once durable; a batch is served only once its record is durable.
 *
 * **Segments and compaction** (`segments`): the log rolls to a new segment file at a size or record count, and each
 * segment after the first starts with a header carrying a checkpoint: the state at its start (`r` receipts and
 * `b` batches so far, `c` receipts covered by batch records so far, `bn` each gateway's last batch number). The
 * segments before a checkpoint are dropped once (1) every receipt before it is covered by a durable batch record
 * (before it, or a later one: the store follows the `r - c` receipts still uncovered at the checkpoint until batches
 * cover them), and (2) the chain has settled every one of those batches (`settledBatches(g) >= n` for each, told by
 * `markSettled`) and every batch before the checkpoint. A retained batch that covers a dropped receipt is therefore
 * settled: recovery accepts it without the dropped receipt, and pages skip it. Recovery starts at the first
 * retained segment's checkpoint: it reads the unsettled tail, never resurrects a settled receipt as unbatched (the
 * receipt is gone, its batch settled), and keeps numbering receipts, cursors and batch numbers above everything
 * dropped. A session whose receipts were all dropped has them all settled, so its chain `lastSequence` is
 * at least their sequences: `append` continues above it (callers pass the chain's settled sequence).
 */
import { getAddress, type Address, type Hex } from "viem";
import { AppendLog, readAllRecords, type CommitMode, type Durability, type RecoveryReport } from "./log.js";
import type { BatchSignature, Receipt, SignedBatch } from "./types.js";

/** 2: receipts carry their gateway and pricing, batches their gateway, number and served pricing. */
const LOG_VERSION = 2;

type HeaderRecord = { k: "h"; v: number; chainId: number; ledger: string; anchor: string; cp?: Checkpoint };
/** The store's state where a segment starts (see the module doc); `bn` maps gateway ids to batch numbers (decimal). */
type Checkpoint = { r: number; b: number; c: number; bn: Record<string, string> };
/** A segment start the store may drop the log before: its position and checkpoint. */
type Boundary = {
  at: number;
  r: number;
  b: number;
  c: number;
  /** Per gateway, the greatest number of a batch before the boundary or covering a receipt before it. */
  bn: Map<bigint, bigint>;
  /** Receipts before the boundary that no batch record covers yet. */
  uncovered: number;
  /** Cursors of the batches after the boundary that cover receipts before it. */
  straddling: number[];
};
type ReceiptRecord = {
  k: "r";
  i: number;
  id: string;
  m: string;
  s: string;
  q: string;
  in: number;
  out: number;
  rs: number;
  h: Hex;
  c: string;
  t: number;
  /** Gateway id. */
  g: string;
  /** Packed pricing served at (hex). */
  p: string;
};
type BatchRecord = {
  k: "b";
  n: number;
  m: string;
  e: Address;
  ss: string[];
  w: string[];
  rc: Hex;
  d: Hex;
  sig: Hex;
  it: number[];
  t: number;
  /** Gateway id, batch number, packed served pricing (hex). */
  g: string;
  bn: string;
  sp: string;
};

/** Thrown when the log cannot be used: `foreign` (another chain or deployment's log) or `corrupt`. */
export class ReceiptStoreError extends Error {
  override name = "ReceiptStoreError";
  readonly reason: "foreign" | "corrupt";
  constructor(message: string, options: { cause?: unknown; reason?: "foreign" | "corrupt" } = {}) {
    super(message, options);
    this.reason = options.reason ?? "corrupt";
  }
}

export type NewReceipt = Omit<Receipt, "index" | "sequence" | "batch" | "createdAt" | "requestHash"> & {
  /** The request hash, which commits to the sequence the store assigns. */
  requestHash: (sequence: bigint) => Hex;
};

export type ReceiptStoreOptions = {
  /** The log: a file, or with `segments` a directory of segment files. */
  path: string;
  /**
   * Segment the log: roll at `maxBytes` or `maxRecords`; `legacyFile`, a single-file log of an earlier version, is
   * moved in as the first segment at open.
   */
  segments?: { maxBytes: number; maxRecords: number; legacyFile?: string };
  durability: Durability;
  groupCommitWindowMs: number;
  commitMode?: CommitMode;
  chainId: number;
  ledger: Address;
  /**
   * Identifies the chain instance: the hash of the deployment block. A fresh local chain at the same chain id and
   * addresses has another one, so a log never outlives its chain.
   */
  anchor: Hex;
  /**
   * How many of the most recent batches (with their receipts) stay in memory; older ones are read back from the
   * log when served. Default 64 (~10 MB at 256 receipts per batch). Ignored under `none` durability (no file to read from: every batch is kept).
   */
  maxBatchesInMemory?: number;
  /** Called for every receipt recovered from the log, in log order, while the store opens. */
  onRecoveredReceipt?: (receipt: Receipt) => void;
};

/** A served batch and its receipts, in the order of `batch.items`. */
export type StoredBatch = { batch: SignedBatch; receipts: Receipt[] };

/** An unbatched receipt and where its record starts in the log (-1 if it has none). */
type Unbatched = { receipt: Receipt; offset: number };

const DEFAULT_BATCHES_IN_MEMORY = 64;

/**
 * Memory is bounded: receipt objects are kept only until a durable batch covers them (to build batches and, after a
 * crash, to re-batch), batches only for the last `maxBatchesInMemory`. Per batch ever signed the store keeps three
 * numbers (where its receipts start in the log, where its record starts and ends), from which an older batch and
 * its receipts are read back.
 */
export class ReceiptStore {
  #log!: AppendLog;
  #recovery!: RecoveryReport;
  readonly #path: string;
  readonly #maxBatchesInMemory: number;
  /** Receipts no durable batch covers, by index, in log order. */
  readonly #unbatched = new Map<number, Unbatched>();
  #receiptCount = 0;
  /** The last durable batches, oldest first; `#recent[0]` is batch `#batchCount - #recent.length`. */
  readonly #recent: StoredBatch[] = [];
  #batchCount = 0;
  /** Per durable batch: the lowest offset of its receipts' records, its own record's offset and end. */
  readonly #batchFrom: number[] = [];
  readonly #batchAt: number[] = [];
  readonly #batchEnd: number[] = [];
  readonly #lastSequence = new Map<bigint, bigint>();
  /** Per gateway, the greatest batch number taken (by a batch record durable or being written). */
  readonly #lastBatchNumber = new Map<bigint, bigint>();
  #durableListeners: ((receipt: Receipt) => void)[] = [];
  /** Receipts not yet in a signed batch whose record is durable or being written. */
  #pendingCount = 0;
  /** The first batch cursor the log still holds (batches below it were settled and dropped). */
  #batchBase = 0;
  /** Receipts covered by the batch records appended so far (durable or being written). */
  #covered = 0;
  /** Segment starts after the first retained one, oldest first. */
  readonly #boundaries: Boundary[] = [];
  /** The lowest receipt index the log still holds (lower ones were settled and dropped). */
  #receiptBase = 0;
  /** Retained batches that cover dropped receipts: settled, and left out of pages. */
  readonly #straddling = new Set<number>();
  /** Per gateway, the batches the chain has settled (`markSettled`). */
  readonly #settled = new Map<bigint, bigint>();
  #compacting: Promise<CompactionReport> | undefined;

  private constructor(options: ReceiptStoreOptions) {
    this.#path = options.path;
    this.#maxBatchesInMemory =
      options.durability === "none" ? Number.POSITIVE_INFINITY : Math.max(0, options.maxBatchesInMemory ?? DEFAULT_BATCHES_IN_MEMORY);
  }

  /**
   * Opens the log and rebuilds unbatched receipts, recent batches and per-session sequences from it, record by
   * record as the log is read (a log of any size is recovered in bounded memory).
   */
  static async open(options: ReceiptStoreOptions): Promise<ReceiptStore> {
    const store = new ReceiptStore(options);
    const header: HeaderRecord = {
      k: "h",
      v: LOG_VERSION,
      chainId: options.chainId,
      ledger: options.ledger.toLowerCase(),
      anchor: options.anchor.toLowerCase(),
    };
    let records = 0;
    let restored = false;
    const segments = options.segments && {
      ...options.segments,
      firstRecords: (base: number): unknown[] => [{ ...header, cp: store.#checkpoint(base) }],
    };
    const { log, recovery } = await AppendLog.open({ ...options, segments }, (record, offset, end) => {
      if (records++ > 0) {
        if ((record as { k?: unknown }).k === "h") store.#replayHeader(record as HeaderRecord, header, offset, options.path);
        else store.#replay(record as ReceiptRecord | BatchRecord, offset, end, options.onRecoveredReceipt);
        return;
      }
      // The header comes first; a foreign log is refused before anything in it is touched.
      const first = record as Partial<HeaderRecord>;
      if (first.k !== "h") throw new ReceiptStoreError(`${options.path} is not a receipt log`);
      if (first.v !== LOG_VERSION) {
        // Its batches were signed in another format: they cannot settle on this ledger.
        throw new ReceiptStoreError(`${options.path} is a version ${first.v} receipt log; this gateway writes version ${LOG_VERSION}`, {
          reason: "foreign",
        });
      }
      if (first.chainId !== header.chainId || first.ledger !== header.ledger || first.anchor !== header.anchor) {
        throw new ReceiptStoreError(
          `${options.path} holds receipts of chain ${first.chainId} ledger ${first.ledger} (anchor ${first.anchor}), ` +
            `not chain ${header.chainId} ledger ${header.ledger} (anchor ${header.anchor}): use another dataDir`,
          { reason: "foreign" },
        );
      }
      // The first retained segment's checkpoint: what the dropped segments held.
      if (first.cp) {
        store.#restore(first.cp);
        restored = true;
      }
    });
    const base = log.segments[0]?.base ?? 0;
    if (base > 0 && !restored) {
      // Its earlier segments are gone but nothing says what they held: numbering from 0 would reuse cursors.
      await log.close();
      throw new ReceiptStoreError(`${options.path} starts at position ${base} without a checkpoint: its earlier segments are missing`);
    }
    store.#log = log;
    store.#recovery = recovery;
    if (records === 0) await log.append(header);
    store.#pendingCount = store.#unbatched.size;
    return store;
  }

  get recovery(): RecoveryReport {
    return this.#recovery;
  }

  /** The state before the next record, for the header of a segment starting at `base`. */
  #checkpoint(base: number): Checkpoint {
    const bn: Record<string, string> = {};
    for (const [gateway, number] of this.#lastBatchNumber) bn[gateway.toString()] = number.toString();
    const checkpoint = { r: this.#receiptCount, b: this.#batchCount + this.#pendingBatches, c: this.#covered, bn };
    this.#boundaries.push(toBoundary(base, checkpoint));
    return checkpoint;
  }

  /** Starts the replay of a log whose earlier segments were dropped from their checkpoint. */
  #restore(checkpoint: Checkpoint): void {
    this.#receiptCount = checkpoint.r;
    this.#receiptBase = checkpoint.r;
    this.#batchCount = checkpoint.b;
    this.#batchBase = checkpoint.b;
    this.#covered = checkpoint.c;
    for (const [gateway, number] of Object.entries(checkpoint.bn)) this.#lastBatchNumber.set(BigInt(gateway), BigInt(number));
  }

  /** A later segment's header: same log, and its checkpoint is exactly the state replayed so far. */
  #replayHeader(record: HeaderRecord, expected: HeaderRecord, offset: number, path: string): void {
    if (record.v !== expected.v || record.chainId !== expected.chainId || record.ledger !== expected.ledger || record.anchor !== expected.anchor) {
      throw new ReceiptStoreError(`a segment of ${path} belongs to another log (header at position ${offset})`);
    }
    const checkpoint = record.cp;
    const bn = [...this.#lastBatchNumber].every(([gateway, number]) => checkpoint?.bn[gateway.toString()] === number.toString());
    if (
      !checkpoint ||
      checkpoint.r !== this.#receiptCount ||
      checkpoint.b !== this.#batchCount ||
      checkpoint.c !== this.#covered ||
      !bn ||
      Object.keys(checkpoint.bn).length !== this.#lastBatchNumber.size
    ) {
      throw new ReceiptStoreError(`the checkpoint at position ${offset} of ${path} does not match the records before it: a segment is missing or damaged`);
    }
    this.#boundaries.push(toBoundary(offset, checkpoint));
  }

  #replay(record: ReceiptRecord | BatchRecord, offset: number, end: number, onReceipt?: (receipt: Receipt) => void): void {
    if (record.k === "r") {
      if (record.i !== this.#receiptCount) {
        throw new ReceiptStoreError(`receipt record ${record.i} found where ${this.#receiptCount} was expected`);
      }
      const receipt = fromReceiptRecord(record);
      const last = this.#lastSequence.get(receipt.sessionId) ?? 0n;
      if (receipt.sequence <= last) {
        throw new ReceiptStoreError(`receipt ${receipt.index} repeats sequence ${receipt.sequence} of session ${receipt.sessionId}`);
      }
      this.#receiptCount++;
      this.#unbatched.set(receipt.index, { receipt, offset });
      this.#lastSequence.set(receipt.sessionId, receipt.sequence);
      onReceipt?.(receipt);
    } else if (record.k === "b") {
      if (record.n !== this.#batchCount) {
        throw new ReceiptStoreError(`batch record ${record.n} found where ${this.#batchCount} was expected`);
      }
      const batch = fromBatchRecord(record);
      this.#takeBatchNumber(batch);
      // Only unbatched receipts are held: an index not held is missing or already batched, unless it was dropped
      // (then the batch is settled: a segment is dropped only once every batch covering its receipts is).
      for (const index of batch.items) {
        if (index < this.#receiptBase) this.#straddling.add(batch.batch);
        else if (!this.#unbatched.has(index)) {
          throw new ReceiptStoreError(`batch ${batch.batch} covers receipt ${index}, which is missing or already batched`);
        }
      }
      this.#cover(batch);
      this.#addBatch(batch, this.#lowestOffset(batch, offset), offset, end);
    } else {
      throw new ReceiptStoreError(`unknown record kind ${(record as { k?: unknown }).k}`);
    }
  }

  /** The lowest log offset of the (unbatched) receipts `batch` covers, or `fallback`. */
  #lowestOffset(batch: SignedBatch | BatchSignature, fallback: number): number {
    let from = fallback;
    for (const index of batch.items) {
      const offset = this.#unbatched.get(index)?.offset;
      if (offset !== undefined && offset >= 0 && offset < from) from = offset;
    }
    return from;
  }

  /** Counts the receipts `batch` covers, for the checkpoints and for the boundaries still waiting for batches. */
  #cover(batch: SignedBatch): void {
    this.#covered += batch.items.length;
    for (const boundary of this.#boundaries) {
      if (boundary.uncovered === 0) continue;
      const before = batch.items.filter((index) => index < boundary.r).length;
      if (before === 0) continue;
      boundary.uncovered -= before;
      boundary.straddling.push(batch.batch);
      const last = boundary.bn.get(batch.gatewayId) ?? 0n;
      if (batch.batchNumber > last) boundary.bn.set(batch.gatewayId, batch.batchNumber);
    }
  }

  /** Records durable batch `batch` (the next one): takes its receipts out of the unbatched ones. */
  #addBatch(batch: SignedBatch, from: number, at: number, end: number): void {
    const receipts: Receipt[] = [];
    for (const index of batch.items) {
      if (index < this.#receiptBase) continue; // dropped (the batch is settled)
      const entry = this.#unbatched.get(index);
      if (!entry) throw new ReceiptStoreError(`batch ${batch.batch} covers receipt ${index}, which is missing or already batched`);
      this.#unbatched.delete(index);
      entry.receipt.batch = batch.batch;
      receipts.push(entry.receipt);
    }
    this.#batchFrom.push(from);
    this.#batchAt.push(at);
    this.#batchEnd.push(end);
    this.#batchCount++;
    this.#recent.push({ batch, receipts });
    if (this.#recent.length > this.#maxBatchesInMemory) this.#recent.shift();
  }

  /** Receipts ever appended (the next receipt's index). */
  get receiptCount(): number {
    return this.#receiptCount;
  }

  /** Durable batches (the next batch's cursor, once those being written are durable). */
  get batchCount(): number {
    return this.#batchCount;
  }

  /** Receipt objects held outside batches: those no durable batch covers yet. */
  get receiptsInMemory(): number {
    return this.#unbatched.size;
  }

  /** Batches held in memory (with their receipts), at most `maxBatchesInMemory`. */
  get batchesInMemory(): number {
    return this.#recent.length;
  }

  /** Receipts not yet in a signed batch (durable or not). */
  get unbatched(): number {
    return this.#pendingCount;
  }

  get log(): AppendLog {
    return this.#log;
  }

  /** The greatest batch number gateway `gatewayId` used in this log (0 if none). */
  lastBatchNumber(gatewayId: bigint): bigint {
    return this.#lastBatchNumber.get(gatewayId) ?? 0n;
  }

  /**
   * The number of gateway `gatewayId`'s next batch: above every number in the log and above `settled` (the
   * gateway's batches settled on chain, for a log that lost its history).
   */
  nextBatchNumber(gatewayId: bigint, settled = 0n): bigint {
    const last = this.lastBatchNumber(gatewayId);
    return (last > settled ? last : settled) + 1n;
  }

  /** Records `batch`'s number as taken; throws if it does not follow the gateway's earlier numbers. */
  #takeBatchNumber(batch: Pick<SignedBatch, "gatewayId" | "batchNumber">): void {
    this.#checkBatchNumber(batch);
    this.#lastBatchNumber.set(batch.gatewayId, batch.batchNumber);
  }

  #checkBatchNumber(batch: Pick<SignedBatch, "gatewayId" | "batchNumber">): void {
    const last = this.lastBatchNumber(batch.gatewayId);
    if (batch.batchNumber <= last) {
      throw new ReceiptStoreError(`batch number ${batch.batchNumber} of gateway ${batch.gatewayId} is not above ${last}, its last one`);
    }
  }

  /** The last sequence this gateway used for `sessionId` (0 if none). */
  lastSequence(sessionId: bigint): bigint {
    return this.#lastSequence.get(sessionId) ?? 0n;
  }

  /** Receipts that no durable batch covers, in log order (at start: those recovered from the log unbatched). */
  recoveredUnbatched(): Receipt[] {
    return Array.from(this.#unbatched.values(), (entry) => entry.receipt);
  }

  /** Calls `listener` for each receipt once it is durable. */
  onDurable(listener: (receipt: Receipt) => void): void {
    this.#durableListeners.push(listener);
  }

  /**
   * Assigns the receipt its index and sequence (above `settledSequence`, the session's last sequence settled on
   * chain) synchronously, so the caller can account for it at once; `durable` resolves once it is on disk.
   */
  append(input: NewReceipt, settledSequence: bigint): { receipt: Receipt; durable: Promise<Receipt> } {
    const last = this.lastSequence(input.sessionId);
    const sequence = (last > settledSequence ? last : settledSequence) + 1n;
    const receipt: Receipt = {
      ...input,
      index: this.#receiptCount,
      sequence,
      requestHash: input.requestHash(sequence),
      createdAt: Date.now(),
    };
    const written = this.#log.appendAt(toReceiptRecord(receipt));
    this.#receiptCount++;
    this.#unbatched.set(receipt.index, { receipt, offset: written.offset });
    this.#lastSequence.set(receipt.sessionId, sequence);
    this.#pendingCount++;
    const durable = written.durable.then(
      () => {
        for (const listener of this.#durableListeners) listener(receipt);
        return receipt;
      },
      (error: unknown) => {
        this.#pendingCount--;
        // Never durable: no batch may cover it (the log refuses every later append anyway).
        this.#unbatched.delete(receipt.index);
        throw error;
      },
    );
    return { receipt, durable };
  }

  /** Records a signed batch; resolves once durable, after which it is served. */
  async appendBatch(signature: BatchSignature): Promise<SignedBatch> {
    const batch: SignedBatch = { ...signature, batch: this.#batchCount + this.#pendingBatches, signedAt: Date.now() };
    this.#checkBatchNumber(batch);
    // Appended before its number is taken: a segment this record starts has a checkpoint without it.
    const written = this.#log.appendAt(toBatchRecord(batch));
    this.#takeBatchNumber(batch);
    this.#cover(batch);
    // Its receipts are durable, so their records precede the batch's.
    const from = this.#lowestOffset(batch, written.offset);
    this.#pendingBatches++;
    try {
      await written.durable;
    } finally {
      this.#pendingBatches--;
    }
    if (batch.batch !== this.#batchCount) {
      throw new ReceiptStoreError(`batch ${batch.batch} became durable out of order`);
    }
    this.#addBatch(batch, from, written.offset, written.end);
    this.#pendingCount -= batch.items.length;
    return batch;
  }
  #pendingBatches = 0;

  /** Batches with cursor greater than `after` (-1 for all), at most `limit`, with their receipts. */
  async page(after: number, limit: number): Promise<{ batches: StoredBatch[]; hasMore: boolean }> {
    // Batches below the base were settled and dropped: a keeper behind it resumes at the first one retained. A
    // straddling batch (settled, some receipts dropped) is left out.
    const count = this.#batchCount;
    const cursors: number[] = [];
    let next = Math.max(this.#batchBase, after + 1);
    const skip = () => {
      while (next < count && this.#straddling.has(next)) next++;
    };
    for (skip(); next < count && cursors.length < limit; skip()) cursors.push(next++);
    const hasMore = next < count;
    if (cursors.length === 0) return { batches: [], hasMore };
    // Take the in-memory part now: batches appended while the older ones are read push it out of memory.
    const firstInMemory = count - this.#recent.length;
    const fromMemory = cursors.filter((n) => n >= firstInMemory).map((n) => this.#recent[n - firstInMemory]!);
    const older = cursors.filter((n) => n < firstInMemory);
    const fromFile = older.length > 0 ? await this.#readBatches(older) : [];
    return { batches: [...fromFile, ...fromMemory], hasMore };
  }

  /** Reads durable batches `cursors` (ascending) and their receipts back from the log. */
  async #readBatches(cursors: number[]): Promise<StoredBatch[]> {
    // First the batch records (each at a known place), then their receipts: every receipt record of a batch lies
    // between the lowest of them (`#batchFrom`) and the batch record, and the batches of a page mostly share those
    // spans, so they are merged and read once, keeping only the wanted receipts. The places are taken before the
    // first read: a compaction meanwhile shifts the index.
    const places: { at: number; end: number; from: number }[] = [];
    for (const n of cursors) {
      const i = n - this.#batchBase;
      if (i < 0) throw new ReceiptStoreError(`batch ${n} was settled and dropped from the log`);
      places.push({ at: this.#batchAt[i]!, end: this.#batchEnd[i]!, from: this.#batchFrom[i]! });
    }
    const batches: SignedBatch[] = [];
    const wanted = new Set<number>();
    for (const [k, n] of cursors.entries()) {
      let batch: SignedBatch | undefined;
      const place = places[k]!;
      await this.#scan(place.at, place.end, (record) => {
        if (record.k === "b" && record.n === n) batch = fromBatchRecord(record);
      });
      if (!batch) throw new ReceiptStoreError(`batch ${n} is not at position ${place.at} of ${this.#path}`);
      batches.push(batch);
      for (const index of batch.items) wanted.add(index);
    }
    const spans: [number, number][] = places.map((place) => [place.from, place.at]);
    spans.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const [from, to] of spans) {
      const last = merged.at(-1);
      if (last && from <= last[1]) last[1] = Math.max(last[1], to);
      else merged.push([from, to]);
    }
    const receipts = new Map<number, Receipt>();
    for (const [from, to] of merged) {
      await this.#scan(from, to, (record) => {
        if (record.k === "r" && wanted.has(record.i)) receipts.set(record.i, fromReceiptRecord(record));
      });
    }
    return batches.map((batch) => ({
      batch,
      receipts: batch.items.map((index) => {
        const receipt = receipts.get(index);
        if (!receipt) throw new ReceiptStoreError(`receipt ${index} of batch ${batch.batch} is not where the log index says`);
        receipt.batch = batch.batch;
        return receipt;
      }),
    }));
  }

  /** Decodes the records in `[from, to)` of the log (`from` must start a record), chunk by chunk. */
  async #scan(from: number, to: number, visit: (record: ReceiptRecord | BatchRecord) => void): Promise<void> {
    const validBytes = await this.#log.scan(from, to, (record) => visit(record as ReceiptRecord | BatchRecord));
    if (validBytes !== to) throw new ReceiptStoreError(`${this.#path} has no valid record at position ${validBytes}`);
  }

  /** Tells the store that the chain has settled gateway `gatewayId`'s batches up to number `settled`. */
  markSettled(gatewayId: bigint, settled: bigint): void {
    if (settled > (this.#settled.get(gatewayId) ?? 0n)) this.#settled.set(gatewayId, settled);
  }

  /** The gateways whose batches this log holds or checkpoints: those whose settlement compaction needs to know. */
  batchGateways(): bigint[] {
    return [...this.#lastBatchNumber.keys()];
  }

  /**
   * The last segment start before which everything is batched and settled (per `markSettled`), or undefined. The
   * log can be dropped before `at`, and `batches` is the first batch cursor it would then keep.
   */
  compactionPoint(): { at: number; batches: number; receipts: number; straddling: number[] } | undefined {
    let point: Boundary | undefined;
    for (const boundary of this.#boundaries) {
      // Every receipt before it covered by a durable batch record (one still being written does not count).
      if (boundary.uncovered > 0 || boundary.straddling.some((cursor) => cursor >= this.#batchCount)) continue;
      if ([...boundary.bn].every(([gateway, number]) => (this.#settled.get(gateway) ?? 0n) >= number)) point = boundary;
    }
    return point && { at: point.at, batches: point.b, receipts: point.r, straddling: point.straddling };
  }

  /**
   * Drops the segments before the last compaction point (see the module doc) and forgets the batches they held.
   * One compaction at a time; resolves with what was dropped.
   */
  compact(): Promise<CompactionReport> {
    this.#compacting ??= this.#compact().finally(() => (this.#compacting = undefined));
    return this.#compacting;
  }

  async #compact(): Promise<CompactionReport> {
    const point = this.compactionPoint();
    if (!point) return { segments: 0, batches: 0 };
    const segments = await this.#log.dropBefore(point.at);
    if (segments === 0) return { segments: 0, batches: 0 };
    while (this.#boundaries.length > 0 && this.#boundaries[0]!.at <= point.at) this.#boundaries.shift();
    const batches = point.batches - this.#batchBase;
    this.#batchFrom.splice(0, batches);
    this.#batchAt.splice(0, batches);
    this.#batchEnd.splice(0, batches);
    this.#batchBase = point.batches;
    this.#receiptBase = point.receipts;
    for (const cursor of this.#straddling) if (cursor < point.batches) this.#straddling.delete(cursor);
    for (const cursor of point.straddling) this.#straddling.add(cursor);
    const firstInMemory = this.#batchCount - this.#recent.length;
    if (firstInMemory < this.#batchBase) this.#recent.splice(0, this.#batchBase - firstInMemory);
    return { segments, batches };
  }

  /** The first batch cursor the log still holds. */
  get batchBase(): number {
    return this.#batchBase;
  }

  async close(): Promise<void> {
    await this.#compacting;
    await this.#log.close();
  }
}

/** What a compaction dropped: segment files and batches. */
export type CompactionReport = { segments: number; batches: number };

const toBoundary = (at: number, checkpoint: Checkpoint): Boundary => ({
  at,
  r: checkpoint.r,
  b: checkpoint.b,
  c: checkpoint.c,
  bn: new Map(Object.entries(checkpoint.bn).map(([gateway, number]) => [BigInt(gateway), BigInt(number)])),
  uncovered: checkpoint.r - checkpoint.c,
  straddling: [],
});

/** Every receipt record of the log at `path` (file or segment directory), in log order (for tools and tests). */
export async function readLoggedReceipts(path: string): Promise<Receipt[]> {
  const records = await readAllRecords(path);
  return records.filter((record) => (record as { k?: unknown }).k === "r").map((record) => fromReceiptRecord(record as ReceiptRecord));
}

function toReceiptRecord(receipt: Receipt): ReceiptRecord {
  return {
    k: "r",
    i: receipt.index,
    id: receipt.responseId,
    m: receipt.modelId.toString(),
    s: receipt.sessionId.toString(),
    q: receipt.sequence.toString(),
    in: receipt.inputTokens,
    out: receipt.outputTokens,
    rs: receipt.reasoningTokens,
    h: receipt.requestHash,
    c: receipt.cost.toString(),
    t: receipt.createdAt,
    g: receipt.gatewayId.toString(),
    p: `0x${receipt.pricing.toString(16)}`,
  };
}

function fromReceiptRecord(record: ReceiptRecord): Receipt {
  return {
    index: record.i,
    responseId: record.id,
    modelId: BigInt(record.m),
    sessionId: BigInt(record.s),
    sequence: BigInt(record.q),
    inputTokens: record.in,
    outputTokens: record.out,
    reasoningTokens: record.rs,
    requestHash: record.h,
    cost: BigInt(record.c),
    createdAt: record.t,
    gatewayId: BigInt(record.g),
    pricing: BigInt(record.p),
  };
}

function toBatchRecord(batch: SignedBatch): BatchRecord {
  return {
    k: "b",
    n: batch.batch,
    m: batch.modelId.toString(),
    e: batch.enclave,
    ss: batch.sessionIds.map(String),
    w: batch.receipts.map((word) => `0x${word.toString(16)}`),
    rc: batch.requestsCommitment,
    d: batch.digest,
    sig: batch.signature,
    it: batch.items,
    t: batch.signedAt,
    g: batch.gatewayId.toString(),
    bn: batch.batchNumber.toString(),
    sp: `0x${batch.servedPricing.toString(16)}`,
  };
}

function fromBatchRecord(record: BatchRecord): SignedBatch {
  return {
    batch: record.n,
    modelId: BigInt(record.m),
    enclave: getAddress(record.e),
    sessionIds: record.ss.map(BigInt),
    receipts: record.w.map(BigInt),
    requestsCommitment: record.rc,
    digest: record.d,
    signature: record.sig,
    items: record.it,
    signedAt: record.t,
    gatewayId: BigInt(record.g),
    batchNumber: BigInt(record.bn),
    servedPricing: BigInt(record.sp),
  };
}
