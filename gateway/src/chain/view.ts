/**
 * Cached, block-consistent reads of the chain for approval.
 *
 * The head block is refreshed on demand: a request accepts a head whose fetch started at most `headMaxAgeMs`
 * before the request arrived, and requests in flight together share one `eth_getBlockByNumber`. Sessions and
 * models are cached per block number: an entry is reused only for the block it was read at (or a later read),
 * so once the gateway has seen the block that closed, drained or expired a session, every later request is
 * judged by that block's state. With `headMaxAgeMs = 0` a transaction mined before a request was sent is always
 * seen by it.
 */
import type { Address } from "viem";
import type { BlockHead, ChainReader, KeyGateway, ModelState, SessionState } from "./types.js";

type CacheEntry<T> = { block: bigint; value: Promise<T> };

/** A bounded map of per-block reads; reads never go backwards in blocks. */
class BlockCache<K, T> {
  readonly #entries = new Map<K, CacheEntry<T>>();
  readonly #max: number;
  constructor(max: number) {
    this.#max = max;
  }

  get(key: K, block: bigint, read: (block: bigint) => Promise<T>): Promise<T> {
    const entry = this.#entries.get(key);
    if (entry && entry.block >= block) return entry.value;
    const value = read(block);
    const fresh = { block, value };
    this.#entries.delete(key);
    this.#entries.set(key, fresh);
    if (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as K;
      this.#entries.delete(oldest);
    }
    // A failed read is not cached: the next request retries.
    value.catch(() => {
      if (this.#entries.get(key) === fresh) this.#entries.delete(key);
    });
    return value;
  }
}

/** Keeps the latest block and refreshes it when a request needs a fresher one. */
export class HeadTracker {
  readonly #reader: ChainReader;
  readonly #maxAgeMs: number;
  #latest: { head: BlockHead; startedAt: number } | undefined;
  #inflight: { value: Promise<BlockHead>; startedAt: number } | undefined;

  constructor(reader: ChainReader, maxAgeMs: number) {
    this.#reader = reader;
    this.#maxAgeMs = maxAgeMs;
  }

  get maxAgeMs(): number {
    return this.#maxAgeMs;
  }

  /** The latest head known, if any. */
  get latest(): BlockHead | undefined {
    return this.#latest?.head;
  }

  /**
   * A head whose fetch started no earlier than `arrivedAt - maxAgeMs` (performance.now() time; `maxAgeMs`
   * defaults to the configured `headMaxAgeMs`, 0 asks for a head fetched after `arrivedAt`).
   */
  get(arrivedAt = performance.now(), maxAgeMs = this.#maxAgeMs): Promise<BlockHead> {
    const oldestAcceptable = arrivedAt - maxAgeMs;
    if (this.#latest && this.#latest.startedAt >= oldestAcceptable) return Promise.resolve(this.#latest.head);
    if (this.#inflight && this.#inflight.startedAt >= oldestAcceptable) return this.#inflight.value;
    return this.refresh();
  }

  /** Fetches the head now. */
  refresh(): Promise<BlockHead> {
    const startedAt = performance.now();
    const value = this.#reader.head().then((head) => {
      // Heads only move forward (a lagging RPC node must not resurrect an older state).
      if (!this.#latest || head.number >= this.#latest.head.number) this.#latest = { head, startedAt };
      else if (startedAt > this.#latest.startedAt) this.#latest = { head: this.#latest.head, startedAt };
      return this.#latest.head;
    });
    const inflight = { value, startedAt };
    this.#inflight = inflight;
    const clear = () => {
      if (this.#inflight === inflight) this.#inflight = undefined;
    };
    value.then(clear, clear);
    return value;
  }
}

export type ChainViewOptions = { headMaxAgeMs: number; cacheEntries: number };

/** Heads, sessions and models, cached per block. */
export class ChainView {
  readonly reader: ChainReader;
  readonly heads: HeadTracker;
  readonly #sessions: BlockCache<bigint, SessionState | undefined>;
  readonly #models: BlockCache<bigint, ModelState | undefined>;
  readonly #modelCount: BlockCache<"count", bigint>;
  readonly #keys: BlockCache<string, KeyGateway>;

  constructor(reader: ChainReader, options: ChainViewOptions) {
    this.reader = reader;
    this.heads = new HeadTracker(reader, options.headMaxAgeMs);
    this.#sessions = new BlockCache(options.cacheEntries);
    this.#models = new BlockCache(options.cacheEntries);
    this.#modelCount = new BlockCache(1);
    this.#keys = new BlockCache(options.cacheEntries);
  }

  head(arrivedAt?: number, maxAgeMs?: number): Promise<BlockHead> {
    return this.heads.get(arrivedAt, maxAgeMs);
  }

  /** The configured head freshness. */
  get headMaxAgeMs(): number {
    return this.heads.maxAgeMs;
  }

  session(sessionId: bigint, block: bigint): Promise<SessionState | undefined> {
    return this.#sessions.get(sessionId, block, (b) => this.reader.session(sessionId, b));
  }

  model(modelId: bigint, block: bigint): Promise<ModelState | undefined> {
    return this.#models.get(modelId, block, (b) => this.reader.model(modelId, b));
  }

  /** The key's status for the model and the gateway it signs for (how the gateway learns its id, rotation included). */
  keyGateway(key: Address, modelId: bigint, block: bigint): Promise<KeyGateway> {
    return this.#keys.get(`${key}:${modelId}`, block, (b) => this.reader.keyGateway(key, modelId, b));
  }

  modelCount(block: bigint): Promise<bigint> {
    return this.#modelCount.get("count", block, (b) => this.reader.modelCount(b));
  }

  /** Every registered model at `block`, by id. */
  async models(block: bigint): Promise<ModelState[]> {
    const count = await this.modelCount(block);
    const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1));
    const models = await Promise.all(ids.map((id) => this.model(id, block)));
    return models.filter((model): model is ModelState => model !== undefined);
  }
}
