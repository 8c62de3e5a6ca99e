/**
 * Receipt relay: pulls signed usage batches from gateways, verifies them like the ledger will, and settles them in
 * the order each gateway signed them.
 *
 * The ledger settles each on-chain gateway's batches in signing order: batch `n` of gateway `g` is settled iff
 * `settledBatches(g) >= n`, and only batch `settledBatches(g) + 1` can be submitted. That counter, not a revert,
 * decides what is settled: a settled batch is skipped before anything is simulated; a batch whose predecessor is not
 * settled yet waits (the cursor stays on it); a submission that reverts counts as settled only when the ledger says
 * `BatchOutOfOrder` with an expected number above the batch's and a fresh read of the counter confirms it (another
 * keeper won the race). Several keepers may relay the same gateway, and anyone may submit its batches: each batch
 * is still settled exactly once.
 *
 * Durability: the cursor of each gateway lives in the keeper's state file and advances only after its batch is
 * settled (confirmed), found settled, or rejected; the settlement transaction goes through the TxSender under the work
 * key `settle:<chainId>:<ledger>:<gatewayId>:<batchNumber>`, so a keeper killed mid-settlement resumes the very same
 * transaction after a restart instead of signing a second one. Gateways are relayed concurrently (their batches are
 * independent).
 *
 * Pipeline: one gateway's consecutive batches are sent without waiting for the previous settlement to be mined, up to
 * `maxInFlight` at once, from the keeper's one key in nonce order (the sender signs them one after the other), and
 * nonce order is the ledger's order: they are mined in order, several in a block, whatever fee bumps happen. A batch
 * whose predecessor's settlement is in flight passes verification with "waits for that batch" and is simulated on the
 * node's pending state. Results are judged in signing order, and only the head of the window moves the cursor, so
 * the cursor covers a confirmed prefix. Each settlement is judged on its own: one that reverted because another keeper
 * settled its batch is "already settled", and the next may well succeed. When the head fails (a revert, an expired
 * key), the settlements behind it revert or wait with it; their failure counts against nothing (their work is left
 * `reverted`, a later send signs it again), the pass ends, and the failed batch is tried again alone (a batch with a
 * failure on record goes alone); the ones behind it follow once it is resolved: settled, or dead-lettered.
 *
 * Deep reorgs: before each pass the sender's finality watch (`TxSender.checkFinality`) checks the settlements of the
 * last `finalityDepth` blocks. One that a reorg deeper than the confirmation depth took off the chain reopens its
 * work; the job then rewinds the gateway's cursor to just before that batch (where to find it was recorded, with the
 * work, before the settlement was sent), so the batch is fetched and judged again like any other: the ledger's
 * counter, read first, says whether it is settled on the new chain (re-included, or submitted by someone else), and
 * only a batch still unsettled is sent again. The ledger settles each batch once whatever the keeper does; this only
 * keeps the keeper from leaving a batch unsettled, or paying gas for one that is.
 *
 * Dead letters: a batch whose relay fails in a way an immediate retry cannot fix (the ledger reverts its settlement,
 * its key expired and waits for a re-attestation, its predecessor never settles) is tried again on the next pass,
 * then after a backoff that doubles (`retryBackoffMs`, at most `maxRetryBackoffMs`); its gateway's cursor waits
 * meanwhile. After `maxAttempts`
 * such failures it becomes a dead letter: recorded in the state (with the reason and the last error), counted in
 * `cogfi_keeper_dead_letters_total`, listed in /status and `cogfi-keeper status`, and the cursor moves past it. RPC
 * and gateway faults never count: they are retried on the next pass, without bound. (The ledger settles a gateway's
 * batches in order, so the batches after a dead one cannot settle either; each is dead-lettered by the same rule.)
 *
 * Trust: a batch's `gatewayId` and number come from the gateway's JSON; nothing is decided on them before the
 * signature is verified against the key's gateway on chain, so a tampered page cannot make the relay skip a batch as
 * "already settled".
 */
import { existsSync, readFileSync, renameSync } from "node:fs";
import { isAddressEqual, type Address } from "viem";
import {
  CogFiContractError,
  getSettledBatches,
  isCogFiError,
  ledgerAddresses,
  parseReceiptsPage,
  settlementFromReceipt,
  settleUsageCalldata,
  verifyUsageBatch,
  type CogFiClient,
  type ServedBatch,
  type SignedUsageBatch,
  type UsageBatchProblem,
} from "@cogfi/sdk";
import type { Job, JobContext } from "./job.js";

/**
 * What happened to one batch. `already-settled`: the ledger's counter for its gateway is at or above its number
 * (someone else submitted it). A batch that fails verification can never settle as signed (forged, malformed, or
 * signed by a key that is unknown, revoked or attested for another model), so it is skipped and counted
 * (`rejected`). Anything that may pass later (an earlier batch of the gateway not settled yet, a key that expired
 * and will be re-attested, an RPC failure, a reverted submission) throws instead, and the cursor stays on the batch
 * until the next pass.
 */
export type RelayOutcome = "settled" | "already-settled" | "rejected";

type GatewayState = {
  cursor: number;
  settled: number;
  alreadySettled: number;
  rejected: number;
  /** Batches given up on (see "Dead letters" above). */
  deadLettered: number;
  lastError?: string;
  /** When the gateway signed the oldest batch fetched and not settled yet (ms); undefined when caught up. */
  oldestUnsettledSignedAt?: number;
};

export type ReceiptRelayOptions = {
  gatewayUrls: readonly string[];
  intervalMs: number;
  /** Batches fetched per request. */
  fetchLimit: number;
  /** Largest receipts page read from a gateway, bytes (default `DEFAULT_MAX_RESPONSE_BYTES`); a larger one fails the pass. */
  maxResponseBytes?: number;
  /** Deadline of one receipts request, body included (default `DEFAULT_GATEWAY_TIMEOUT_MS`): a stalled gateway fails its pass. */
  requestTimeoutMs?: number;
  /** A cursor file of an older keeper (`relay-cursors.json`): imported into the state once, then renamed. */
  legacyCursorFile?: string;
  /** Failures a batch may have (that retrying at once would not fix) before it becomes a dead letter. */
  maxAttempts?: number;
  /** Wait after the first such failure; doubles with each one. */
  retryBackoffMs?: number;
  /** Ceiling on that wait. */
  maxRetryBackoffMs?: number;
  /** Settlements of one gateway in flight at once (pipelined, in nonce order = the ledger's order); 1 = one at a time. */
  maxInFlight?: number;
};

/** A relay failure that retrying at once will not fix; `reason` labels it in metrics and the dead-letter record. */
export class BatchRelayError extends Error {
  override name = "BatchRelayError";
  constructor(
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The reason of a failure that counts toward a dead letter (a contract revert, a typed relay failure), or undefined. */
export function deterministicReason(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (current instanceof BatchRelayError) return current.reason;
    if (current instanceof CogFiContractError) return current.errorName;
  }
  return undefined;
}

/** 30 s for one receipts page: a full page (~8 MB) takes well under a second on a working link. */
export const DEFAULT_GATEWAY_TIMEOUT_MS = 30_000;

/** 32 MiB: 100 batches of 256 receipts are ~8 MB of JSON (the config's default too). */
export const DEFAULT_MAX_RESPONSE_BYTES = 33_554_432;

/**
 * Reads a gateway's JSON answer, refusing it past `maxBytes` (declared or streamed): the gateway is not trusted, and a
 * huge or endless body must fail one pass, not fill the keeper's memory.
 */
async function readJsonCapped(response: Response, maxBytes: number, url: string): Promise<unknown> {
  const tooLarge = () => new Error(`GET /v1/receipts from ${url} answered more than ${maxBytes} bytes (relay.maxResponseBytes); not read`);
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new Error(`GET /v1/receipts from ${url} answered invalid JSON`, { cause });
  }
}

/** The job's name, also its cursors' namespace in the state file. */
const JOB = "usage-relay";
const DEFAULT_MAX_ATTEMPTS = 6;
const DEFAULT_RETRY_BACKOFF_MS = 5_000;
const DEFAULT_MAX_RETRY_BACKOFF_MS = 300_000;
const DEFAULT_MAX_IN_FLIGHT = 8;

export class ReceiptRelayJob implements Job {
  readonly name = JOB;
  readonly intervalMs: number;
  private readonly gateways = new Map<string, GatewayState>();
  private loaded = false;

  constructor(private readonly options: ReceiptRelayOptions) {
    this.intervalMs = options.intervalMs;
    for (const url of options.gatewayUrls) this.gateways.set(url, { cursor: -1, settled: 0, alreadySettled: 0, rejected: 0, deadLettered: 0 });
  }

  status() {
    return Object.fromEntries(this.gateways);
  }

  /** Signing time (ms) of the oldest batch a gateway served that is not settled yet, over every gateway. */
  oldestUnsettledSignedAt(): number | undefined {
    const times = [...this.gateways.values()].map((state) => state.oldestUnsettledSignedAt).filter((t): t is number => t !== undefined);
    return times.length === 0 ? undefined : Math.min(...times);
  }

  async run(context: JobContext): Promise<void> {
    if (!this.loaded) this.loadCursors(context);
    await this.requeueReorged(context);
    // One unreachable or misbehaving gateway never stops the others.
    await Promise.all(
      [...this.gateways].map(async ([url, state]) => {
        try {
          await this.relayGateway(url, state, context);
          state.lastError = undefined;
        } catch (error) {
          state.lastError = error instanceof Error ? error.message : String(error);
          context.log.warn({ gateway: url, err: error }, "relay pass failed for gateway");
        }
      }),
    );
  }

  /**
   * Runs the finality watch and rewinds each gateway's cursor to just before the earliest of its batches whose
   * settlement a deep reorg reopened (see "Deep reorgs" above). The cursor is saved before the work is marked taken
   * up, so a crash in between only rewinds again.
   */
  private async requeueReorged(context: JobContext): Promise<void> {
    const { store, sender, log } = context;
    await sender.checkFinality();
    for (const work of store.reorgedWork("settle")) {
      const ref = store.workRef(work.key);
      const source = ref?.job === JOB ? parseBatchRef(ref.ref) : undefined;
      const state = source && this.gateways.get(source.gateway);
      if (!source || !state) {
        // Sent by a keeper that did not record the batch's source, or for a gateway no longer configured.
        log.error({ workKey: work.key, detail: work.detail }, "deep reorg reopened a settlement this relay cannot find again; it is not re-queued");
        store.setWorkStatus(work.key, "void", `${work.detail}; not re-queued: its gateway is unknown`);
        continue;
      }
      if (state.cursor >= source.cursor) {
        state.cursor = source.cursor - 1;
        store.setCursor(JOB, source.gateway, String(state.cursor));
        context.metrics.gatewayCursor.set({ gateway: source.gateway }, state.cursor);
      }
      log.warn({ workKey: work.key, gateway: source.gateway, cursor: source.cursor, detail: work.detail }, "deep reorg: settlement re-queued (cursor rewound to its batch)");
      store.setWorkStatus(work.key, "void", `${work.detail}; re-queued`);
    }
  }

  private loadCursors(context: JobContext): void {
    const { store, log } = context;
    const legacy = this.options.legacyCursorFile;
    if (legacy && existsSync(legacy)) {
      for (const [url, cursor] of Object.entries(readCursors(legacy))) {
        if (store.getCursor(JOB, url) === undefined) store.setCursor(JOB, url, String(cursor));
      }
      renameSync(legacy, `${legacy}.imported`);
      log.info({ file: legacy }, "relay cursors imported into the keeper state");
    }
    for (const [url, state] of this.gateways) {
      const saved = store.getCursor(JOB, url);
      if (saved !== undefined) state.cursor = Number(saved);
    }
    this.loaded = true;
  }

  private async relayGateway(url: string, state: GatewayState, context: JobContext): Promise<void> {
    const { client, metrics } = context;
    const ledger = ledgerAddresses(client).inferenceLedger;
    const chainId = client.deployment.chainId;
    const target = { chainId, ledger };
    const maxInFlight = Math.max(1, this.options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    for (;;) {
      // The deadline covers the body too: a gateway that stalls mid-answer must not hold the pass (and the others).
      const signal = AbortSignal.any([context.signal, AbortSignal.timeout(this.options.requestTimeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS)]);
      const page = await (async () => {
        try {
          const response = await fetch(`${url}/v1/receipts?after=${state.cursor}&limit=${this.options.fetchLimit}`, { signal });
          if (!response.ok) throw new Error(`GET /v1/receipts answered ${response.status}`);
          return parseReceiptsPage(await readJsonCapped(response, this.options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES, url));
        } catch (error) {
          if (signal.aborted && !context.signal.aborted) throw new Error(`GET /v1/receipts from ${url} did not finish in time`, { cause: error });
          throw error;
        }
      })();
      if (page.chainId !== chainId || !isAddressEqual(page.ledger, ledger)) {
        throw new Error(`gateway signs for chain ${page.chainId} ledger ${page.ledger}, not ${chainId} ${ledger}`);
      }
      const batches = page.batches.filter((batch) => batch.cursor > state.cursor);
      // The pipeline: batches launched (verified, their settlement signed and broadcast) and not judged yet, in
      // signing order. Only the head is judged; the cursor moves over a judged prefix only.
      const window: InFlight[] = [];
      /** Per on-chain gateway id, the number of the last batch whose settlement is in flight in `window`. */
      const dispatched = new Map<bigint, bigint>();
      let next = 0;
      let barrier = false; // launch nothing more until the window drains
      let backingOff = false; // a batch waits for its backoff: stop this pass once the window drains
      try {
        for (;;) {
          while (!barrier && next < batches.length && window.length < maxInFlight) {
            const batch = batches[next]!;
            const retryKey = `${JOB}:${url}#${batch.cursor}`;
            const retry = context.store.retryState(retryKey);
            // Cleared when the batch is judged (settled, found settled, rejected, dead-lettered); it stays if it waits.
            state.oldestUnsettledSignedAt ??= batch.signedAt;
            // Backing off after a failure: this gateway's later batches wait too (the ledger settles them in order).
            if (retry && retry.deadAt === undefined && retry.nextAttemptAt > Date.now()) {
              barrier = backingOff = true;
              break;
            }
            // A batch that failed before goes alone: the batches behind it would revert with it.
            if (retry && window.length > 0) {
              barrier = true;
              break;
            }
            const head = window.length === 0;
            let entry: InFlight;
            if (retry?.deadAt !== undefined) {
              // Given up before a crash, the cursor not moved yet.
              entry = { batch, retryKey, retried: true, result: Promise.resolve({ outcome: "dead-letter" }) };
            } else {
              const predecessor = dispatched.get(batch.gatewayId);
              const pipelined = predecessor !== undefined && predecessor + 1n === batch.batchNumber;
              try {
                const launched = await this.launch(batch, target, context, pipelined, { gateway: url, cursor: batch.cursor });
                if (launched.sent) dispatched.set(batch.gatewayId, batch.batchNumber);
                entry = { batch, retryKey, retried: retry !== undefined, result: settle(launched.outcome) };
              } catch (error) {
                // Behind the window's batches, a failure to launch is theirs to explain (the predecessor not mined
                // yet, a simulation on a node without a pending state): it is launched again once it is the head.
                if (!head) {
                  barrier = true;
                  break;
                }
                entry = { batch, retryKey, retried: retry !== undefined, result: Promise.resolve({ error }) };
                barrier = true; // judged alone: the batches after it wait
              }
            }
            metrics.receiptsFetched.inc({ gateway: url }, batch.receipts.length);
            window.push(entry);
            next++;
            if (retry) barrier = true;
          }
          const entry = window.shift();
          if (!entry) {
            if (backingOff || next >= batches.length) break;
            barrier = false;
            continue;
          }
          this.judge(url, state, entry, await entry.result, context);
          state.oldestUnsettledSignedAt = (window[0]?.batch ?? batches[next])?.signedAt;
        }
      } finally {
        // A failure ends the pass: wait for the settlements still in flight (each is recorded with the sender and
        // resumed by the next pass; a revert caused by the failed batch before it counts against nothing).
        if (window.length > 0) await Promise.all(window.map((entry) => entry.result));
      }
      if (backingOff || !page.hasMore || page.batches.length === 0) return;
    }
  }

  /** Applies the head batch's result: counts it, moves the cursor past it, or records its failure (and throws). */
  private judge(url: string, state: GatewayState, entry: InFlight, result: LaunchResult, context: JobContext): void {
    const { log, metrics, store } = context;
    const { batch, retryKey } = entry;
    const { cursor } = batch;
    let outcome: RelayOutcome | "dead-letter";
    if ("outcome" in result) outcome = result.outcome;
    else {
      const { error } = result;
      const reason = deterministicReason(error);
      if (reason === undefined) throw error;
      const max = this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
      const failed = store.recordFailure({
        job: JOB,
        key: retryKey,
        reason,
        error: error instanceof Error ? error.message : String(error),
        maxAttempts: max,
        backoffMs: this.options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS,
        maxBackoffMs: this.options.maxRetryBackoffMs ?? DEFAULT_MAX_RETRY_BACKOFF_MS,
        detail: { gateway: url, cursor, gatewayId: batch.gatewayId.toString(), batchNumber: batch.batchNumber.toString(), digest: batch.digest },
      });
      metrics.workRetries.inc({ job: JOB, reason });
      if (failed.deadAt === undefined) {
        const message = error instanceof Error ? error.message : String(error);
        throw new Error(`${message} (failure ${failed.failures} of ${max}; next attempt in ${Math.max(0, failed.nextAttemptAt - Date.now())} ms)`, { cause: error });
      }
      metrics.deadLetters.inc({ job: JOB, reason });
      log.error({ gateway: url, cursor, gatewayId: batch.gatewayId, batchNumber: batch.batchNumber, failures: failed.failures, reason, err: error }, "batch dead-lettered: the cursor moves past it");
      outcome = "dead-letter";
    }
    if (entry.retried && outcome !== "dead-letter") store.clearRetry(retryKey);
    log.info({ gateway: url, cursor, receipts: batch.receipts.length, outcome }, "batch relayed");
    if (outcome === "settled") state.settled++;
    else if (outcome === "already-settled") state.alreadySettled++;
    else if (outcome === "rejected") state.rejected++;
    else state.deadLettered++;
    state.cursor = cursor;
    state.oldestUnsettledSignedAt = undefined;
    store.setCursor(JOB, url, String(cursor));
    metrics.gatewayCursor.set({ gateway: url }, cursor);
  }

  /**
   * Settles one batch if it is its gateway's next; never throws for the batch's own faults. Throws when the batch
   * must wait (an earlier batch of its gateway is not settled, its key expired) or the chain could not be used.
   */
  async relayBatch(
    batch: SignedUsageBatch,
    target: { chainId: number; ledger: Address },
    context: JobContext,
    /** Where the batch was fetched: recorded with its settlement, so a deep reorg can re-queue it. */
    source?: BatchRef,
  ): Promise<RelayOutcome> {
    return (await this.launch(batch, target, context, false, source)).outcome;
  }

  /**
   * Verifies the batch and, if it is to be settled, signs, records and broadcasts its settlement (or finds it in
   * flight already); resolves then, with the outcome still to come. `pipelined`: this keeper's settlement of the
   * batch before it (same gateway) is in flight, so "waits for that batch" is expected and the call is simulated on
   * the pending state. Throws what `relayBatch` throws before anything is sent.
   */
  private async launch(
    batch: SignedUsageBatch,
    target: { chainId: number; ledger: Address },
    context: JobContext,
    pipelined: boolean,
    source?: BatchRef,
  ): Promise<{ sent: boolean; outcome: Promise<RelayOutcome> }> {
    const { client, log, metrics, sender, store } = context;
    const { gatewayId, batchNumber } = batch;
    const workKey = `settle:${target.chainId}:${target.ledger.toLowerCase()}:${gatewayId}:${batchNumber}`;
    // A settlement this keeper already sent (before a restart, say): finish that transaction, sign nothing new.
    if (sender.openWork().includes(workKey)) return { sent: true, outcome: this.submit(batch, workKey, context) };
    if (store.work(workKey)?.status === "done") return { sent: false, outcome: Promise.resolve("settled") };

    const verdict = await verifyUsageBatch({ batch, chainId: target.chainId, ledger: target.ledger, client });
    if (!verdict.valid) {
      const problems = verdict.problems;
      const dispositions = problems.map(disposition);
      // The signer's gateway on chain has settled past this batch (the gateway id is the verified one: a forged id
      // fails the signature and lands in `invalid`).
      if (dispositions.every((d) => d === "already-settled")) return { sent: false, outcome: Promise.resolve("already-settled") };
      if (dispositions.every((d) => d === "waits-for-batch")) {
        if (!pipelined) throw waiting(batch, verdict.settledBatches ?? 0n);
        // Its predecessor's settlement is in flight: everything else verified, it goes right behind it.
      } else if (dispositions.every((d) => d !== "invalid")) {
        // An expired key becomes valid again, signature unchanged, once the gateway re-attests it: wait for that.
        throw new BatchRelayError("key-expired", `batch ${batchNumber} of gateway ${gatewayId} waits for enclave ${batch.enclave} to re-attest (key expired)`);
      } else {
        const reason = (problems.find((problem) => problem.kind !== "BatchOutOfOrder") ?? problems[0])?.kind ?? "unknown";
        metrics.receiptsRejected.inc({ reason }, batch.receipts.length);
        log.warn({ problems: problems.map((problem) => problem.message), modelId: batch.modelId, gatewayId, batchNumber }, "batch rejected");
        return { sent: false, outcome: Promise.resolve("rejected") };
      }
    }
    if (source) store.setWorkRef(workKey, JOB, JSON.stringify(source));
    const request = { workKey, kind: "settle", ...settleUsageCalldata(client, { batch }), ...(pipelined ? { simulateOn: "pending" as const } : {}) };
    try {
      await sender.dispatch(request);
    } catch (error) {
      // Nothing was sent: the simulation reverted (someone else settled it, or it is out of order) or the RPC failed.
      metrics.settlements.inc({ outcome: isCogFiError(error, "BatchOutOfOrder") ? "out-of-order" : "error" });
      if (await this.settledElsewhere(error, batch, client)) return { sent: false, outcome: Promise.resolve("already-settled") };
      throw error;
    }
    return { sent: true, outcome: this.submit(batch, workKey, context) };
  }

  /** Follows the batch's settlement (in flight) and reads its outcome. */
  private async submit(batch: SignedUsageBatch, workKey: string, context: JobContext): Promise<RelayOutcome> {
    const { client, log, metrics, sender, signal } = context;
    const { gatewayId, batchNumber } = batch;
    try {
      const outcome = await sender.send({ workKey, kind: "settle", ...settleUsageCalldata(client, { batch }) }, signal);
      metrics.settlementGas.inc(Number(outcome.receipt.gasUsed));
      if (outcome.status === "reverted") {
        // Mined and reverted: another keeper's settlement landed first (the counter says so), or the chain moved.
        if (await confirmSettled(client, batch)) {
          metrics.settlements.inc({ outcome: "lost-race" });
          return "already-settled";
        }
        metrics.settlements.inc({ outcome: "reverted" });
        throw new BatchRelayError("reverted", `the settlement of batch ${batchNumber} of gateway ${gatewayId} reverted on chain (${outcome.hash})`);
      }
      const result = settlementFromReceipt(outcome.receipt);
      metrics.settlements.inc({ outcome: "settled" });
      metrics.receiptsSettled.inc(batch.receipts.length);
      if (result.skipped.length > 0) log.info({ gatewayId, batchNumber, skipped: result.skipped }, "receipts skipped by settlement");
      return "settled";
    } catch (error) {
      if (error instanceof BatchRelayError) throw error;
      metrics.settlements.inc({ outcome: isCogFiError(error, "BatchOutOfOrder") ? "out-of-order" : "error" });
      if (await this.settledElsewhere(error, batch, client)) return "already-settled";
      // The work was dropped and its re-signing reverted in simulation, or an RPC failed (the transaction stays
      // recorded and the next pass resumes it).
      throw error;
    }
  }

  /** Whether `error` is the ledger saying the batch is settled already, and a fresh read of its counter agrees. */
  private async settledElsewhere(error: unknown, batch: SignedUsageBatch, client: CogFiClient): Promise<boolean> {
    if (!isCogFiError(error, "BatchOutOfOrder")) return false;
    const expected = error.args[2] as bigint;
    if (expected > batch.batchNumber && (await confirmSettled(client, batch))) {
      return true;
    }
    return false;
  }
}

/** A batch in the relay's pipeline; `retried`: it has a failure on record. */
type InFlight = { batch: ServedBatch; retryKey: string; retried: boolean; result: Promise<LaunchResult> };
type LaunchResult = { outcome: RelayOutcome | "dead-letter" } | { error: unknown };

/** The outcome as a value: never rejects (a window's later results may be left unread when the pass fails). */
function settle(outcome: Promise<RelayOutcome>): Promise<LaunchResult> {
  return outcome.then(
    (value) => ({ outcome: value }),
    (error: unknown) => ({ error }),
  );
}

/**
 * What a verification problem means for the relay: `already-settled` (the gateway's counter is past the batch),
 * `waits-for-batch` (an earlier batch of the gateway is not settled), `out-of-order` (a number that can never settle,
 * caught by the counter check first), `key-expired` (the gateway re-attests the key, the batch then verifies), or
 * `invalid` (the batch can never settle as signed).
 */
function disposition(problem: UsageBatchProblem): "already-settled" | "waits-for-batch" | "out-of-order" | "key-expired" | "invalid" {
  switch (problem.kind) {
    case "BatchOutOfOrder":
      if (problem.expected === undefined) return "out-of-order";
      return problem.got < problem.expected ? "already-settled" : "waits-for-batch";
    case "InvalidEnclaveKey":
      return problem.status === "Expired" ? "key-expired" : "invalid";
    case "EmptyBatch":
    case "InvalidSessionCount":
    case "ReservedBitsSet":
    case "SequenceNotIncreasing":
    case "InvalidSessionIndex":
    case "InvalidSignature":
    case "UnknownSession":
    case "SessionModelMismatch":
      return "invalid";
  }
}

/** The error for a batch whose gateway has not settled its predecessor yet: the cursor waits on it. */
function waiting(batch: SignedUsageBatch, settled: bigint): Error {
  return new BatchRelayError(
    "waits-for-batch",
    `batch ${batch.batchNumber} of gateway ${batch.gatewayId} waits for batch ${settled + 1n} (${settled} settled): ` +
      "batches settle in signing order",
  );
}

/** Where a settled batch came from: its gateway's URL and cursor (`work_refs` of the state). */
type BatchRef = { gateway: string; cursor: number };

function parseBatchRef(text: string): BatchRef | undefined {
  try {
    const value = JSON.parse(text) as Partial<BatchRef>;
    return typeof value.gateway === "string" && Number.isSafeInteger(value.cursor) ? { gateway: value.gateway, cursor: value.cursor! } : undefined;
  } catch (error) {
    throw new Error(`unreadable batch record ${text} in the keeper state`, { cause: error });
  }
}

/** Whether the ledger's counter, read now, covers `batch`. */
async function confirmSettled(client: CogFiClient, batch: SignedUsageBatch): Promise<boolean> {
  return (await getSettledBatches(client, { gatewayId: batch.gatewayId })) >= batch.batchNumber;
}

function readCursors(file: string): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    // No cursor file yet: start from the beginning (settled batches are skipped by the ledger's counter).
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new Error(`cannot read the cursor file ${file}`, { cause: error });
  }
  try {
    return JSON.parse(text) as Record<string, number>;
  } catch (error) {
    throw new Error(`the cursor file ${file} is not JSON: fix or delete it`, { cause: error });
  }
}
