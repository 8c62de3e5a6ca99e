/**
 * The receipt store: the durable log of receipts and signed batches, and the in-memory index served by
 * GET /v1/receipts.
 *
 * Log records (JSON, see `log.ts` for the framing):
 * - `{k:"h", v, chainId, ledger}` once at the start: a log never mixes deployments;
 * - `{k:"r", ...}` one per served request, appended before its response completes;
 * - `{k:"b", ...}` one per signed batch, appended after the receipts it covers.
 *
 * Sequence numbers are assigned when a receipt is appended, in log order, as
 * `max(last sequence in the log, last sequence settled on chain) + 1`, so they strictly increase per session
 * across restarts and a session's receipts appear in the log (and so in batches) in sequence order.
 * A receipt becomes batchable only once durable; a batch is served only once its record is durable.
 */
import { getAddress, type Address, type Hex } from "viem";
import { AppendLog, type CommitMode, type Durability, type RecoveryReport } from "./log.js";
import type { BatchSignature, Receipt, SignedBatch } from "./types.js";

const LOG_VERSION = 1;

type HeaderRecord = { k: "h"; v: number; chainId: number; ledger: string; anchor: string };
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
  path: string;
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
};

export class ReceiptStore {
  readonly #log: AppendLog;
  readonly #receipts: Receipt[] = [];
  readonly #batches: SignedBatch[] = [];
  readonly #lastSequence = new Map<bigint, bigint>();
  #durableListeners: ((receipt: Receipt) => void)[] = [];
  #unbatched = 0;
  readonly recovery: RecoveryReport;

  private constructor(log: AppendLog, recovery: RecoveryReport) {
    this.#log = log;
    this.recovery = recovery;
  }

  /** Opens the log and rebuilds receipts, batches and per-session sequences from it. */
  static async open(options: ReceiptStoreOptions): Promise<ReceiptStore> {
    const { log, records, recovery } = await AppendLog.open(options);
    const store = new ReceiptStore(log, recovery);
    const header: HeaderRecord = {
      k: "h",
      v: LOG_VERSION,
      chainId: options.chainId,
      ledger: options.ledger.toLowerCase(),
      anchor: options.anchor.toLowerCase(),
    };
    if (records.length === 0) {
      await log.append(header);
    } else {
      const first = records[0] as Partial<HeaderRecord>;
      if (first.k !== "h" || first.v !== LOG_VERSION) throw new ReceiptStoreError(`${options.path} is not a receipt log`);
      if (first.chainId !== header.chainId || first.ledger !== header.ledger || first.anchor !== header.anchor) {
        await log.close();
        throw new ReceiptStoreError(
          `${options.path} holds receipts of chain ${first.chainId} ledger ${first.ledger} (anchor ${first.anchor}), ` +
            `not chain ${header.chainId} ledger ${header.ledger} (anchor ${header.anchor}): use another dataDir`,
          { reason: "foreign" },
        );
      }
    }
    for (const record of records.slice(1)) store.#replay(record as ReceiptRecord | BatchRecord);
    store.#unbatched = store.#receipts.filter((receipt) => receipt.batch === undefined).length;
    return store;
  }

  #replay(record: ReceiptRecord | BatchRecord): void {
    if (record.k === "r") {
      if (record.i !== this.#receipts.length) {
        throw new ReceiptStoreError(`receipt record ${record.i} found where ${this.#receipts.length} was expected`);
      }
      const receipt = fromReceiptRecord(record);
      this.#receipts.push(receipt);
      const last = this.#lastSequence.get(receipt.sessionId) ?? 0n;
      if (receipt.sequence <= last) {
        throw new ReceiptStoreError(`receipt ${receipt.index} repeats sequence ${receipt.sequence} of session ${receipt.sessionId}`);
      }
      this.#lastSequence.set(receipt.sessionId, receipt.sequence);
    } else if (record.k === "b") {
      if (record.n !== this.#batches.length) {
        throw new ReceiptStoreError(`batch record ${record.n} found where ${this.#batches.length} was expected`);
      }
      const batch = fromBatchRecord(record);
      for (const index of batch.items) {
        const receipt = this.#receipts[index];
        if (!receipt || receipt.batch !== undefined) {
          throw new ReceiptStoreError(`batch ${batch.batch} covers receipt ${index}, which is missing or already batched`);
        }
        receipt.batch = batch.batch;
      }
      this.#batches.push(batch);
    } else {
      throw new ReceiptStoreError(`unknown record kind ${(record as { k?: unknown }).k}`);
    }
  }

  /** Every receipt, in log order. */
  get receipts(): readonly Receipt[] {
    return this.#receipts;
  }

  get batches(): readonly SignedBatch[] {
    return this.#batches;
  }

  /** Receipts not yet in a signed batch (durable or not). */
  get unbatched(): number {
    return this.#unbatched;
  }

  get log(): AppendLog {
    return this.#log;
  }

  /** The last sequence this gateway used for `sessionId` (0 if none). */
  lastSequence(sessionId: bigint): bigint {
    return this.#lastSequence.get(sessionId) ?? 0n;
  }

  /** Receipts recovered from the log that no batch covers, in log order. */
  recoveredUnbatched(): Receipt[] {
    return this.#receipts.filter((receipt) => receipt.batch === undefined);
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
      index: this.#receipts.length,
      sequence,
      requestHash: input.requestHash(sequence),
      createdAt: Date.now(),
    };
    const written = this.#log.append(toReceiptRecord(receipt));
    this.#receipts.push(receipt);
    this.#lastSequence.set(receipt.sessionId, sequence);
    this.#unbatched++;
    const durable = written.then(
      () => {
        for (const listener of this.#durableListeners) listener(receipt);
        return receipt;
      },
      (error: unknown) => {
        this.#unbatched--;
        throw error;
      },
    );
    return { receipt, durable };
  }

  /** Records a signed batch; resolves once durable, after which it is served. */
  async appendBatch(signature: BatchSignature): Promise<SignedBatch> {
    const batch: SignedBatch = { ...signature, batch: this.#batches.length + this.#pendingBatches, signedAt: Date.now() };
    this.#pendingBatches++;
    try {
      await this.#log.append(toBatchRecord(batch));
    } finally {
      this.#pendingBatches--;
    }
    if (batch.batch !== this.#batches.length) {
      throw new ReceiptStoreError(`batch ${batch.batch} became durable out of order`);
    }
    for (const index of batch.items) this.#receipts[index]!.batch = batch.batch;
    this.#unbatched -= batch.items.length;
    this.#batches.push(batch);
    return batch;
  }
  #pendingBatches = 0;

  /** Batches with cursor greater than `after` (-1 for all), at most `limit`. */
  page(after: number, limit: number): { batches: SignedBatch[]; hasMore: boolean } {
    const start = Math.max(0, after + 1);
    const batches = this.#batches.slice(start, start + limit);
    return { batches, hasMore: start + limit < this.#batches.length };
  }

  async close(): Promise<void> {
    await this.#log.close();
  }
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
  };
}
