/**
 * Groups durable receipts into per-model batches and signs them off the request path.
 *
 * A model's batch is signed as soon as it holds `batchMaxReceipts` receipts, or `batchMaxDelayMs` after its
 * oldest receipt became durable. Batches are signed and recorded one at a time, in order, so a session's
 * receipts reach batches — and batches reach the log — in sequence order.
 *
 * Each batch gets the next number of its gateway (`ReceiptStore.nextBatchNumber`) before it is signed; it is taken
 * for good once the batch record is written. A batch holds receipts of one gateway served at one pricing: a
 * pricing change (or a new gateway) starts a new batch, so `servedPricing` (the minimum of its receipts' pricings)
 * never charges a receipt below the price it was served at.
 */
import type { Logger } from "pino";
import type { ReceiptStore } from "./store.js";
import type { Receipt, ReceiptSigner, SignedBatch } from "./types.js";

export type BatcherOptions = {
  maxReceipts: number;
  maxDelayMs: number;
  sign: boolean;
  /**
   * The gateway's batches settled on chain, read before the first batch of a gateway this log has none of: a log
   * that lost its history then still never reuses a settled number.
   */
  settledBatches?: (gatewayId: bigint) => Promise<bigint>;
};

export class Batcher {
  readonly #store: ReceiptStore;
  readonly #signer: ReceiptSigner;
  readonly #options: BatcherOptions;
  readonly #logger: Logger;
  /** Durable, unbatched receipts per model, in log order. */
  readonly #pending = new Map<bigint, { receipts: Receipt[]; since: number }>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #scheduled = false;
  #stopped = false;
  /** Called after each batch with its receipt count and signing seconds. */
  onBatch: ((batch: SignedBatch, seconds: number) => void) | undefined;
  /** Called when signing or recording a batch fails (the receipts stay pending and are retried). */
  onError: ((error: unknown) => void) | undefined;

  constructor(store: ReceiptStore, signer: ReceiptSigner, options: BatcherOptions, logger: Logger) {
    this.#store = store;
    this.#signer = signer;
    this.#options = options;
    this.#logger = logger;
    for (const receipt of store.recoveredUnbatched()) this.#add(receipt);
    store.onDurable((receipt) => this.#add(receipt));
  }

  /** Receipts waiting for a batch. */
  get pending(): number {
    let count = 0;
    for (const queue of this.#pending.values()) count += queue.receipts.length;
    return count;
  }

  #add(receipt: Receipt): void {
    if (!this.#options.sign) return;
    let queue = this.#pending.get(receipt.modelId);
    if (!queue) {
      queue = { receipts: [], since: performance.now() };
      this.#pending.set(receipt.modelId, queue);
    }
    queue.receipts.push(receipt);
    if (queue.receipts.length >= this.#options.maxReceipts) this.#schedule(0);
    else this.#schedule(this.#options.maxDelayMs);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    if (delayMs === 0) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          void this.#cycle(false);
        });
      }
      return;
    }
    if (this.#timer || this.#scheduled) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#cycle(false);
    }, delayMs);
    this.#timer.unref();
  }

  /** Signs every due batch (all pending ones when `all`), one at a time. */
  #cycle(all: boolean): Promise<void> {
    this.#running = this.#running.then(() => this.#signDue(all));
    return this.#running;
  }

  async #signDue(all: boolean): Promise<void> {
    const now = performance.now();
    for (const [modelId, queue] of this.#pending) {
      while (
        queue.receipts.length > 0 &&
        (all || queue.receipts.length >= this.#options.maxReceipts || now - queue.since >= this.#options.maxDelayMs)
      ) {
        const receipts = batchable(queue.receipts, this.#options.maxReceipts);
        const { gatewayId } = receipts[0]!;
        const started = performance.now();
        try {
          const settled =
            this.#store.lastBatchNumber(gatewayId) === 0n && this.#options.settledBatches
              ? await this.#options.settledBatches(gatewayId)
              : 0n;
          const batchNumber = this.#store.nextBatchNumber(gatewayId, settled);
          const signature = await this.#signer.signBatch({ modelId, gatewayId, batchNumber, receipts });
          const batch = await this.#store.appendBatch(signature);
          queue.receipts.splice(0, receipts.length);
          queue.since = performance.now();
          this.onBatch?.(batch, (performance.now() - started) / 1_000);
          this.#logger.debug({ batch: batch.batch, modelId, gatewayId, batchNumber, receipts: receipts.length }, "batch signed");
        } catch (error) {
          this.onError?.(error);
          this.#logger.error({ err: error, modelId, receipts: receipts.length }, "signing a batch failed; will retry");
          if (!this.#stopped) this.#schedule(Math.max(this.#options.maxDelayMs, 100));
          return;
        }
      }
      if (queue.receipts.length === 0) this.#pending.delete(modelId);
    }
    // Whatever is still pending waits for its delay.
    if (this.#pending.size > 0) {
      const oldest = Math.min(...[...this.#pending.values()].map((queue) => queue.since));
      this.#schedule(Math.max(1, this.#options.maxDelayMs - (performance.now() - oldest)));
    }
  }

  /** Signs everything pending now and waits for it to be durable. */
  async flush(): Promise<void> {
    await this.#cycle(true);
  }

  /** Flushes and stops scheduling. */
  async stop(): Promise<void> {
    await this.flush();
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** The receipts the next batch takes: up to `max` from the front that share the first one's gateway and pricing. */
function batchable(receipts: readonly Receipt[], max: number): Receipt[] {
  const first = receipts[0]!;
  let end = 1;
  while (end < receipts.length && end < max && receipts[end]!.gatewayId === first.gatewayId && receipts[end]!.pricing === first.pricing) end++;
  return receipts.slice(0, end);
}
