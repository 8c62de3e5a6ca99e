/**
 * Sends the keeper's transactions so that a unit of work costs at most one nonce, whatever happens to the process,
 * the RPC or the chain:
 *
 * - every transaction is signed locally and recorded (raw bytes, nonce, fees) in the state file *before* it is
 *   broadcast; a restart finds it there and re-broadcasts the same bytes (same hash) instead of signing anew;
 * - a unit of work is named by a key (`settle:<ledger>:<gateway>:<batch>`); asking to send work that already has a
 *   transaction in flight resumes that transaction;
 * - a transaction not mined after `bumpAfterMs` is re-signed with the same nonce and fees raised by `bumpPercent`
 *   (at least the 10% nodes require of a replacement), up to `maxFeePerGas`;
 * - a receipt counts once it is `confirmations` blocks deep and its block is still canonical; a receipt whose block
 *   left the chain (a reorg) puts the transaction back in flight and re-broadcasts it;
 * - a confirmed transaction stays watched until it is `finalityDepth` blocks deep (`checkFinality`, which the jobs call
 *   each pass): if a reorg deeper than `confirmations` takes its block and the new chain does not hold it, its work is
 *   reopened (`pending`, detail `reorged-out:<block>`) for its job to judge again; nothing is re-sent blindly;
 * - a nonce taken by a transaction the keeper did not record (the key used elsewhere) drops the work's attempts
 *   (`TxDroppedError`); the next send signs it again with a fresh nonce.
 *
 * A new nonce is the lowest one at or above the key's mined count that no open attempt holds, so a dropped attempt
 * never leaves a gap that blocks later transactions.
 */
import {
  keccak256,
  parseTransaction,
  type Address,
  type Hash,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type TransactionReceipt,
} from "viem";
import type { Logger } from "pino";
import { toCogFiError } from "@cogfi/sdk";
import type { KeeperStore, TxAttempt } from "../state/store.js";

export type TxSenderOptions = {
  /** Blocks a receipt must be under (1 = mined) before the work counts as done. */
  confirmations: number;
  /** How often an in-flight transaction is checked. */
  pollIntervalMs: number;
  /** Re-price a transaction that is not mined after this long. */
  bumpAfterMs: number;
  /** Fee increase of a re-priced transaction, in percent (nodes refuse a replacement under +10%). */
  bumpPercent: number;
  /** Ceiling on `maxFeePerGas`, in wei (undefined: none). */
  maxFeePerGas?: bigint;
  /** Gas limit = estimate x (1 + gasMarginPercent / 100) + gasMarginFixed: an estimate on the latest block misses
   * work the first transaction of a block pays (an oracle write, a revenue claim, a cost-feed round). */
  gasMarginPercent: number;
  gasMarginFixed: bigint;
  /** Blocks after which a confirmed transaction is final and no longer watched for deep reorgs (>= confirmations). */
  finalityDepth: number;
};

export const DEFAULT_TX_SENDER_OPTIONS: TxSenderOptions = {
  confirmations: 1,
  pollIntervalMs: 250,
  bumpAfterMs: 30_000,
  bumpPercent: 15,
  gasMarginPercent: 25,
  gasMarginFixed: 60_000n,
  finalityDepth: 64,
};

/** A confirmed transaction whose block a deep reorg replaced (`checkFinality`). */
export type DeepReorg = {
  workKey: string;
  kind: string;
  hash: Hash;
  /** The block it was confirmed in, now off the chain. */
  blockNumber: bigint;
  /** `reopened`: not on the new chain (or reverted there): the work is due again; `reincluded`: the new chain holds it, succeeded. */
  outcome: "reopened" | "reincluded";
};

export type TxRequest = {
  /** Names the unit of work: one key, at most one nonce (see the module comment). */
  workKey: string;
  /** Kind of work, for status and metrics (`settle`, `liquidate`...). */
  kind: string;
  to: Address;
  data: Hex;
  value?: bigint;
  /**
   * State the call is simulated (and its gas estimated) on before signing: `latest` (default), or `pending` for a
   * call that depends on this key's transactions still in the pool (pipelined work, sent before its predecessor is
   * mined; the node runs its pending pool first).
   */
  simulateOn?: "latest" | "pending";
};

export type TxOutcome = {
  status: "success" | "reverted";
  hash: Hash;
  receipt: TransactionReceipt;
  /** Transactions signed for this work (1 + fee bumps + re-signings after a drop). */
  attempts: number;
  /** The work had a transaction already (a restart, or a second call for the same work). */
  resumed: boolean;
};

/** Counters the sender reports (the keeper wires them to Prometheus). */
export type TxSenderEvents = {
  sent?(kind: string): void;
  bumped?(kind: string): void;
  confirmed?(kind: string, status: "success" | "reverted", gasUsed: bigint): void;
  dropped?(kind: string): void;
  reorged?(kind: string): void;
  /** A confirmed transaction's block left the chain (a reorg deeper than the confirmation depth). */
  deepReorg?(kind: string, outcome: DeepReorg["outcome"]): void;
};

/** The nonce of a work's transaction was used by a transaction this keeper did not sign: send the work again. */
export class TxDroppedError extends Error {
  override name = "TxDroppedError";
  constructor(
    readonly workKey: string,
    readonly nonce: number,
  ) {
    super(`the nonce ${nonce} of ${workKey} was used by another transaction; the work is not done`);
  }
}

export class TxSender {
  private readonly options: TxSenderOptions;
  /** Serializes nonce choice, signing and recording (waiting is concurrent). */
  private signing: Promise<unknown> = Promise.resolve();
  /**
   * One follower per unit of work in this process: a job and the restart's `resumeOpen` (or two sends of the same
   * work) share it, so a fee bump is signed once and no follower mistakes the other's confirmation for a drop.
   */
  private readonly following = new Map<string, Promise<Omit<TxOutcome, "resumed">>>();
  /** The finality check in progress: concurrent callers (every job's pass) share it. */
  private finality?: Promise<DeepReorg[]>;

  constructor(
    private readonly publicClient: PublicClient,
    private readonly account: LocalAccount,
    private readonly chainId: number,
    private readonly store: KeeperStore,
    private readonly log: Logger,
    options: Partial<TxSenderOptions> = {},
    private readonly events: TxSenderEvents = {},
  ) {
    this.options = { ...DEFAULT_TX_SENDER_OPTIONS, ...options };
    if (this.options.bumpPercent < 10) throw new Error("bumpPercent must be at least 10 (nodes refuse smaller replacements)");
    if (this.options.confirmations < 1) throw new Error("confirmations must be at least 1");
    if (this.options.finalityDepth < this.options.confirmations) throw new Error("finalityDepth must be at least confirmations");
  }

  get address(): Address {
    return this.account.address;
  }

  /**
   * Sends the work's transaction (simulated first: a call that would revert throws its decoded error and spends no
   * nonce), or resumes the one already in flight, and waits until it is confirmed.
   * @throws the call's decoded revert (nothing sent), TxDroppedError, or an RPC error (the attempt stays recorded and
   * the next call resumes it).
   */
  async send(request: TxRequest, signal?: AbortSignal): Promise<TxOutcome> {
    if (this.store.work(request.workKey)?.status === "done") {
      const confirmed = lastConfirmed(this.store.attempts(request.workKey));
      if (confirmed) return this.outcomeOf(request.workKey, confirmed, true);
    }
    // Work that reverted or was dropped may be sent again; work in flight is resumed.
    let resumed = this.openAttempts(request.workKey).length > 0;
    if (!resumed) resumed = !(await this.signNew(request));
    for (;;) {
      try {
        return { ...(await this.follow(request.kind, request.workKey, signal)), resumed };
      } catch (error) {
        if (!(error instanceof TxDroppedError)) throw error;
        // Another caller of the same work may have signed it again already: then this one resumes that transaction.
        resumed = !(await this.signNew(request));
      }
    }
  }

  /**
   * Signs, records and broadcasts the work's transaction without waiting for it (nothing when the work is done or
   * in flight already); `send` then follows it. Consecutive dispatches take consecutive nonces, so a job can pipeline
   * work that must be mined in order: the nonce keeps that order through fee bumps.
   * @throws the call's decoded revert (nothing sent) or an RPC error.
   */
  async dispatch(request: TxRequest): Promise<void> {
    if (this.store.work(request.workKey)?.status === "done") return;
    if (this.openAttempts(request.workKey).length > 0) return;
    await this.signNew(request);
  }

  /** Re-broadcasts every recorded transaction not mined yet (call at start: a crash may have stopped before a broadcast). */
  async rebroadcastOpen(): Promise<number> {
    let count = 0;
    for (const attempt of this.store.openAttempts()) {
      if (attempt.status === "mined") continue;
      await this.broadcast(attempt);
      count++;
    }
    return count;
  }

  /**
   * Follows every recorded transaction still in flight to its confirmation (call at start, after `rebroadcastOpen`):
   * work a job will not meet again (a liquidation whose position is gone by now) still ends `done` or `reverted`
   * in the state instead of staying in flight. Resolves when all are settled; a failure is logged, not thrown.
   */
  async resumeOpen(signal?: AbortSignal): Promise<number> {
    const keys = this.openWork();
    await Promise.all(
      keys.map(async (workKey) => {
        const kind = this.store.work(workKey)?.kind ?? "unknown";
        try {
          await this.follow(kind, workKey, signal);
        } catch (error) {
          if (!signal?.aborted) this.log.warn({ workKey, err: error }, "could not follow a transaction recorded before the restart");
        }
      }),
    );
    return keys.length;
  }

  /**
   * The finality watch: checks that the confirmed transactions of the last `finalityDepth` blocks are still on the
   * chain, and reopens the work of those a deep reorg removed (see the module comment). Cheap: one block number and
   * one block per pass while nothing moved (a canonical block vouches for every older one: its hash commits to them),
   * plus a receipt lookup per transaction whose block left. Concurrent calls share one check. Returns what it found;
   * RPC errors are thrown (the next call checks again, nothing was changed for the blocks not checked).
   */
  checkFinality(): Promise<DeepReorg[]> {
    this.finality ??= this.watchFinality().finally(() => {
      this.finality = undefined;
    });
    return this.finality;
  }

  private async watchFinality(): Promise<DeepReorg[]> {
    const head = await this.publicClient.getBlockNumber({ cacheTime: 0 });
    const own = this.account.address.toLowerCase();
    // Confirmed fewer than `finalityDepth` blocks ago (a block counts 1 deep when it is the head).
    const watched = this.store
      .confirmedSince(head - BigInt(this.options.finalityDepth) + 2n)
      .filter((attempt) => attempt.address.toLowerCase() === own && attempt.blockNumber !== undefined);
    const byBlock = new Map<bigint, TxAttempt[]>();
    for (const attempt of watched) byBlock.set(attempt.blockNumber!, [...(byBlock.get(attempt.blockNumber!) ?? []), attempt]);
    const found: DeepReorg[] = [];
    // Newest first: the first block still canonical vouches for every older one.
    for (const [number, attempts] of byBlock) {
      const canonical = await this.canonicalHash(number);
      const gone = attempts.filter((attempt) => attempt.blockHash !== canonical);
      if (gone.length === 0) break;
      for (const attempt of gone) found.push(await this.afterDeepReorg(attempt));
    }
    return found;
  }

  /** Re-judges one confirmed attempt whose block left the chain: re-included (keep it, new block) or reopened. */
  private async afterDeepReorg(attempt: TxAttempt): Promise<DeepReorg> {
    const kind = this.store.work(attempt.workKey)?.kind ?? "unknown";
    const blockNumber = attempt.blockNumber!;
    const receipt = await this.receiptOf(attempt.hash);
    const base = { workKey: attempt.workKey, kind, hash: attempt.hash, blockNumber };
    if (receipt?.status === "success") {
      this.store.setAttemptStatus(attempt.id, "confirmed", { number: receipt.blockNumber, hash: receipt.blockHash });
      this.events.deepReorg?.(kind, "reincluded");
      this.log.warn({ ...base, newBlock: receipt.blockNumber }, "deep reorg: a confirmed transaction's block left the chain; the new chain holds it too");
      return { ...base, outcome: "reincluded" };
    }
    // Gone from the chain (or reverted on the new one): the work is not done; its job judges it again.
    this.store.reopenWork(attempt.workKey, [attempt.id], blockNumber);
    this.events.deepReorg?.(kind, "reopened");
    this.log.warn({ ...base, reverted: receipt !== undefined }, "deep reorg: a confirmed transaction left the chain; its work is reopened");
    return { ...base, outcome: "reopened" };
  }

  /** The canonical hash at `number`, or undefined when the chain is shorter now. */
  private async canonicalHash(number: bigint): Promise<Hash | undefined> {
    try {
      return (await this.publicClient.getBlock({ blockNumber: number })).hash;
    } catch (error) {
      if ((error as Error).name === "BlockNotFoundError") return undefined;
      throw error;
    }
  }

  /** Work keys with a transaction in flight (for jobs that resume them after a restart). */
  openWork(): string[] {
    return [...new Set(this.store.openAttempts().map((attempt) => attempt.workKey))];
  }

  private openAttempts(workKey: string): TxAttempt[] {
    return this.store.attempts(workKey).filter((attempt) => attempt.status === "signed" || attempt.status === "sent" || attempt.status === "mined");
  }

  /**
   * Signs, records and broadcasts a new transaction for the work, unless one is in flight for it by the time the
   * signing queue reaches it (another caller signed it meanwhile): then nothing is signed and undefined is returned.
   */
  private async signNew(request: TxRequest): Promise<TxAttempt | undefined> {
    const run = this.signing.then(async () => {
      if (this.openAttempts(request.workKey).length > 0) return undefined;
      const call = { account: this.account.address, to: request.to, data: request.data, value: request.value ?? 0n };
      let estimate: bigint;
      try {
        estimate = await this.publicClient.estimateGas(request.simulateOn === "pending" ? { ...call, blockTag: "pending" } : call);
      } catch (error) {
        throw toCogFiError(error, request.kind);
      }
      const gas = (estimate * BigInt(100 + this.options.gasMarginPercent)) / 100n + this.options.gasMarginFixed;
      const fees = await this.currentFees();
      const nonce = await this.freeNonce();
      const attempt = await this.sign(request.kind, request.workKey, { ...call, gas, nonce, ...fees });
      this.events.sent?.(request.kind);
      return attempt;
    });
    this.signing = run.catch(() => undefined);
    const attempt = await run;
    if (attempt) await this.broadcast(attempt);
    return attempt;
  }

  /** The lowest nonce at or above the key's mined count that no open attempt of this keeper holds. */
  private async freeNonce(): Promise<number> {
    const mined = await this.publicClient.getTransactionCount({ address: this.account.address, blockTag: "latest" });
    const held = new Set(
      this.store
        .openAttempts()
        .filter((attempt) => attempt.address.toLowerCase() === this.account.address.toLowerCase())
        .map((attempt) => attempt.nonce),
    );
    let nonce = mined;
    while (held.has(nonce)) nonce++;
    return nonce;
  }

  private async currentFees(): Promise<{ maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }> {
    const { maxFeePerGas, maxPriorityFeePerGas } = await this.publicClient.estimateFeesPerGas();
    const cap = this.options.maxFeePerGas;
    const maxFee = cap !== undefined && maxFeePerGas > cap ? cap : maxFeePerGas;
    return { maxFeePerGas: maxFee, maxPriorityFeePerGas: maxPriorityFeePerGas > maxFee ? maxFee : maxPriorityFeePerGas };
  }

  private async sign(
    kind: string,
    workKey: string,
    tx: { to: Address; data: Hex; value: bigint; gas: bigint; nonce: number; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<TxAttempt> {
    const raw = await this.account.signTransaction({ type: "eip1559", chainId: this.chainId, ...tx });
    return this.store.recordAttempt(kind, {
      workKey,
      address: this.account.address,
      nonce: tx.nonce,
      hash: keccak256(raw),
      raw,
      maxFeePerGas: tx.maxFeePerGas,
      maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
      gas: tx.gas,
    });
  }

  /** Sends the recorded bytes; a node that already has them, or has mined them, is fine. */
  private async broadcast(attempt: TxAttempt): Promise<void> {
    try {
      await this.publicClient.sendRawTransaction({ serializedTransaction: attempt.raw });
    } catch (error) {
      const text = errorText(error);
      // Known to the node, or its nonce is already used (by this very transaction, or by one the tracker will find).
      if (!/already known|known transaction|already imported|nonce too low|nonce has already been used/i.test(text)) {
        this.log.warn({ hash: attempt.hash, nonce: attempt.nonce, err: error }, "broadcast failed; the transaction stays recorded and is sent again");
        return;
      }
    }
    if (attempt.status === "signed") this.store.setAttemptStatus(attempt.id, "sent");
  }

  /** Joins this process's follower of the work, or becomes it. A caller's own abort only stops its own wait. */
  private async follow(kind: string, workKey: string, signal?: AbortSignal): Promise<Omit<TxOutcome, "resumed">> {
    for (;;) {
      signal?.throwIfAborted();
      const current = this.following.get(workKey);
      if (!current) break;
      try {
        return await untilAborted(current, signal);
      } catch (error) {
        // The follower it joined was stopped by its own caller's abort: follow the work itself.
        if (signal?.aborted || !isAbortLike(error)) throw error;
      }
    }
    const run = this.track(kind, workKey, signal).finally(() => {
      if (this.following.get(workKey) === run) this.following.delete(workKey);
    });
    this.following.set(workKey, run);
    return run;
  }

  /** Waits for the work's transaction (any of its attempts) to be confirmed, bumping fees and surviving reorgs. */
  private async track(kind: string, workKey: string, signal?: AbortSignal): Promise<Omit<TxOutcome, "resumed">> {
    for (;;) {
      signal?.throwIfAborted();
      const open = this.openAttempts(workKey);
      if (open.length === 0) {
        // Confirmed meanwhile by another follower of the same work: that is the outcome, nothing to send again.
        const confirmed = lastConfirmed(this.store.attempts(workKey));
        if (confirmed) {
          const { resumed: _, ...outcome } = await this.outcomeOf(workKey, confirmed, true);
          return outcome;
        }
        throw new TxDroppedError(workKey, -1);
      }
      const nonce = open[open.length - 1]!.nonce;

      let mined: { attempt: TxAttempt; receipt: TransactionReceipt } | undefined;
      for (const attempt of [...open].reverse()) {
        const receipt = await this.receiptOf(attempt.hash);
        if (receipt) {
          mined = { attempt, receipt };
          break;
        }
      }

      if (mined) {
        const { attempt, receipt } = mined;
        if (attempt.status !== "mined" || attempt.blockHash !== receipt.blockHash) {
          this.store.setAttemptStatus(attempt.id, "mined", { number: receipt.blockNumber, hash: receipt.blockHash });
        }
        const head = await this.publicClient.getBlockNumber({ cacheTime: 0 });
        if (head - receipt.blockNumber + 1n >= BigInt(this.options.confirmations)) {
          const block = await this.publicClient.getBlock({ blockNumber: receipt.blockNumber });
          if (block.hash === receipt.blockHash) {
            // Another follower of the same work (a job and the restart's `resumeOpen`) may have confirmed it already.
            // (Only one of the attempts followed here counts: a work re-sent after a revert has an older confirmed one.)
            if (this.store.attempts(workKey).some((a) => a.status === "confirmed" && open.some((o) => o.id === a.id))) {
              return { status: receipt.status, hash: attempt.hash, receipt, attempts: this.store.attempts(workKey).length };
            }
            for (const other of open) if (other.id !== attempt.id) this.store.setAttemptStatus(other.id, "replaced");
            this.store.setAttemptStatus(attempt.id, "confirmed", { number: receipt.blockNumber, hash: receipt.blockHash });
            this.store.setWorkStatus(workKey, receipt.status === "success" ? "done" : "reverted");
            this.events.confirmed?.(kind, receipt.status, receipt.gasUsed);
            return { status: receipt.status, hash: attempt.hash, receipt, attempts: this.store.attempts(workKey).length };
          }
          // The block left the chain: back in flight.
          this.log.warn({ workKey, hash: attempt.hash, block: receipt.blockNumber }, "transaction's block was reorged out; re-broadcasting");
          this.events.reorged?.(kind);
          // Back to `signed`: it must reach a node again, and the loop re-sends it until a broadcast succeeds.
          this.store.setAttemptStatus(attempt.id, "signed");
          await this.broadcast({ ...attempt, status: "signed" });
        }
      } else {
        const reorged = open.filter((attempt) => attempt.status === "mined");
        if (reorged.length > 0) {
          // Its block left the chain and took the receipt along: back in flight, at once.
          this.log.warn({ workKey, hashes: reorged.map((attempt) => attempt.hash) }, "mined transaction lost in a reorg; re-broadcasting");
          this.events.reorged?.(kind);
          for (const attempt of reorged) {
            // Back to `signed` (see above): a failed re-broadcast is retried on the next poll, not at the next fee bump.
            this.store.setAttemptStatus(attempt.id, "signed");
            await this.broadcast({ ...attempt, status: "signed" });
          }
          continue;
        }
        const minedCount = await this.publicClient.getTransactionCount({ address: this.account.address, blockTag: "latest" });
        // The nonce is used: by one of this work's transactions mined since the lookup above, or by another one.
        if (minedCount > nonce && (await this.anyReceipt(open))) continue;
        if (minedCount > nonce) {
          for (const attempt of open) this.store.setAttemptStatus(attempt.id, "dropped");
          this.events.dropped?.(kind);
          this.log.warn({ workKey, nonce }, "nonce used by a transaction this keeper did not record; signing the work again");
          throw new TxDroppedError(workKey, nonce);
        }
        const newest = open[open.length - 1]!;
        for (const attempt of open) if (attempt.status === "signed") await this.broadcast(attempt);
        if (Date.now() - newest.createdAt >= this.options.bumpAfterMs) await this.bump(kind, newest);
      }
      await sleep(this.options.pollIntervalMs, signal);
    }
  }

  /** Re-signs `attempt` with the same nonce and higher fees, or re-broadcasts it when the fee ceiling is reached. */
  private async bump(kind: string, attempt: TxAttempt): Promise<void> {
    const factor = BigInt(100 + this.options.bumpPercent);
    const current = await this.currentFees();
    let maxFeePerGas = max(ceilDiv(attempt.maxFeePerGas * factor, 100n), current.maxFeePerGas);
    const maxPriorityFeePerGas = max(ceilDiv(attempt.maxPriorityFeePerGas * factor, 100n), current.maxPriorityFeePerGas);
    const cap = this.options.maxFeePerGas;
    if (cap !== undefined && maxFeePerGas > cap) maxFeePerGas = cap;
    if (maxFeePerGas < ceilDiv(attempt.maxFeePerGas * 110n, 100n) || maxPriorityFeePerGas > maxFeePerGas) {
      // At the ceiling: a replacement would be refused; keep the transaction and send it again.
      this.log.warn({ hash: attempt.hash, maxFeePerGas: attempt.maxFeePerGas }, "transaction not mined and its fee is at the ceiling");
      await this.broadcast(attempt);
      this.store.setAttemptStatus(attempt.id, "sent");
      return;
    }
    // The replacement repeats the recorded call: its bytes are the source of truth, not a node's copy.
    const signed = parseTransaction(attempt.raw);
    const replacement = await this.signing.then(() =>
      this.sign(kind, attempt.workKey, {
        to: signed.to as Address,
        data: signed.data ?? "0x",
        value: signed.value ?? 0n,
        gas: attempt.gas,
        nonce: attempt.nonce,
        maxFeePerGas,
        maxPriorityFeePerGas,
      }),
    );
    this.events.bumped?.(kind);
    this.log.info({ workKey: attempt.workKey, nonce: attempt.nonce, from: attempt.hash, to: replacement.hash, maxFeePerGas }, "fee bumped");
    await this.broadcast(replacement);
  }

  private async anyReceipt(attempts: readonly TxAttempt[]): Promise<boolean> {
    for (const attempt of attempts) if (await this.receiptOf(attempt.hash)) return true;
    return false;
  }

  private async receiptOf(hash: Hash): Promise<TransactionReceipt | undefined> {
    try {
      return await this.publicClient.getTransactionReceipt({ hash });
    } catch (error) {
      if ((error as Error).name === "TransactionReceiptNotFoundError") return undefined;
      throw error;
    }
  }

  private async outcomeOf(workKey: string, attempt: TxAttempt, resumed: boolean): Promise<TxOutcome> {
    const receipt = await this.publicClient.getTransactionReceipt({ hash: attempt.hash });
    return { status: receipt.status, hash: attempt.hash, receipt, attempts: this.store.attempts(workKey).length, resumed };
  }
}

/** The work's latest confirmed attempt (a work re-sent after a revert has one per transaction mined). */
function lastConfirmed(attempts: readonly TxAttempt[]): TxAttempt | undefined {
  return attempts.filter((attempt) => attempt.status === "confirmed").at(-1);
}

function errorText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 8) {
    parts.push(current.message, (current as { details?: string }).details ?? "");
    current = current.cause;
  }
  return parts.join(" | ");
}

/** `promise`, or the abort reason as soon as `signal` aborts (the promise itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** An error that only says a wait was stopped (an AbortSignal's reason), not that the work failed. */
function isAbortLike(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
