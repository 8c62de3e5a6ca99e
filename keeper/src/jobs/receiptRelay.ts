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
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { getAddress, isAddressEqual, type Address, type Hex } from "viem";
import { z } from "zod";
import {
  getSettledBatches,
  isCogFiError,
  ledgerAddresses,
  settleUsage,
  verifyUsageBatch,
  type CogFiClient,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import type { Job, JobContext } from "./job.js";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
const decimal = z.string().regex(/^\d+$/);
const batchSchema = z.object({
  cursor: decimal,
  modelId: decimal,
  gatewayId: decimal,
  batchNumber: decimal,
  servedPricing: decimal,
  enclave: hex,
  sessionIds: z.array(z.string().regex(/^\d+$/)).min(1),
  receipts: z.array(hex).min(1),
  requestsCommitment: hex,
  signature: hex,
});
const pageSchema = z.object({
  chainId: z.number().int(),
  ledger: hex,
  data: z.array(batchSchema),
  next_cursor: z.string().regex(/^-?\d+$/),
  has_more: z.boolean(),
});

/**
 * What happened to one batch. `already-settled`: the ledger's counter for its gateway is at or above its number
 * (someone else submitted it). A batch that fails verification can never settle as signed (forged, malformed, or
 * signed by a key that is unknown, revoked or attested for another model), so it is skipped and counted
 * (`rejected`). Anything that may pass later (an earlier batch of the gateway not settled yet, a key that expired
 * and will be re-attested, an RPC failure, a reverted submission) throws instead, and the cursor stays on the batch
 * until the next pass.
 */
export type RelayOutcome = "settled" | "already-settled" | "rejected";

type GatewayState = { cursor: number; settled: number; alreadySettled: number; rejected: number; lastError?: string };

export type ReceiptRelayOptions = {
  gatewayUrls: readonly string[];
  intervalMs: number;
  /** Batches fetched per request. */
  fetchLimit: number;
  /** File where cursors survive restarts (optional: without it a restart re-reads and skips settled batches). */
  cursorFile?: string;
};

export class ReceiptRelayJob implements Job {
  readonly name = "receipt-relay";
  readonly intervalMs: number;
  private readonly gateways = new Map<string, GatewayState>();

  constructor(private readonly options: ReceiptRelayOptions) {
    this.intervalMs = options.intervalMs;
    const saved = options.cursorFile ? readCursors(options.cursorFile) : {};
    for (const url of options.gatewayUrls) {
      this.gateways.set(url, { cursor: saved[url] ?? -1, settled: 0, alreadySettled: 0, rejected: 0 });
    }
  }

  status() {
    return Object.fromEntries(this.gateways);
  }

  async run(context: JobContext): Promise<void> {
    for (const [url, state] of this.gateways) {
      if (context.signal.aborted) return;
      try {
        await this.relayGateway(url, state, context);
        state.lastError = undefined;
      } catch (error) {
        // One unreachable or misbehaving gateway never stops the others.
        state.lastError = error instanceof Error ? error.message : String(error);
        context.log.warn({ gateway: url, err: error }, "relay pass failed for gateway");
      }
    }
  }

  private async relayGateway(url: string, state: GatewayState, context: JobContext): Promise<void> {
    const { client, log, metrics } = context;
    const ledger = ledgerAddresses(client).inferenceLedger;
    const chainId = client.deployment.chainId;
    for (;;) {
      const response = await fetch(`${url}/v1/receipts?after=${state.cursor}&limit=${this.options.fetchLimit}`, { signal: context.signal });
      if (!response.ok) throw new Error(`GET /v1/receipts answered ${response.status}`);
      const page = pageSchema.parse(await response.json());
      if (page.chainId !== chainId || !isAddressEqual(page.ledger as Address, ledger)) {
        throw new Error(`gateway signs for chain ${page.chainId} ledger ${page.ledger}, not ${chainId} ${ledger}`);
      }
      for (const json of page.data) {
        const cursor = Number(json.cursor);
        if (cursor <= state.cursor) continue;
        metrics.receiptsFetched.inc({ gateway: url }, json.receipts.length);
        const outcome = await this.relayBatch(toBatch(json), { chainId, ledger }, context);
        log.info({ gateway: url, cursor, receipts: json.receipts.length, outcome }, "batch relayed");
        if (outcome === "settled") state.settled++;
        else if (outcome === "already-settled") state.alreadySettled++;
        else state.rejected++;
        state.cursor = cursor;
        metrics.gatewayCursor.set({ gateway: url }, cursor);
        this.saveCursors();
      }
      if (!page.has_more || page.data.length === 0) return;
    }
  }

  /**
   * Settles one batch if it is its gateway's next; never throws for the batch's own faults. Throws when the batch
   * must wait (an earlier batch of its gateway is not settled, its key expired) or the chain could not be used.
   */
  async relayBatch(batch: SignedUsageBatch, target: { chainId: number; ledger: Address }, context: JobContext): Promise<RelayOutcome> {
    const { client, log, metrics } = context;
    const { gatewayId, batchNumber } = batch;
    const settled = await getSettledBatches(client, { gatewayId });
    if (batchNumber <= settled) return "already-settled";
    if (batchNumber > settled + 1n) throw waiting(batch, settled);

    const verdict = await verifyUsageBatch({ batch, chainId: target.chainId, ledger: target.ledger, client });
    if (!verdict.valid) {
      const problems = verdict.problems;
      // Settled by someone else between the two reads: the counter says so.
      if (problems.every((problem) => problem.startsWith("BatchOutOfOrder: already settled"))) return "already-settled";
      if (problems.every((problem) => problem.startsWith("BatchOutOfOrder: waits"))) throw waiting(batch, verdict.settledBatches ?? settled);
      // An expired key becomes valid again, signature unchanged, once the gateway re-attests it: wait for that.
      if (problems.every((problem) => problem === "InvalidEnclaveKey: Expired" || problem.startsWith("BatchOutOfOrder"))) {
        throw new Error(`batch ${batchNumber} of gateway ${gatewayId} waits for enclave ${batch.enclave} to re-attest (key expired)`);
      }
      const reason = (problems.find((problem) => !problem.startsWith("BatchOutOfOrder")) ?? problems[0] ?? "unknown").split(":")[0]!;
      metrics.receiptsRejected.inc({ reason }, batch.receipts.length);
      log.warn({ problems, modelId: batch.modelId, gatewayId, batchNumber }, "batch rejected");
      return "rejected";
    }
    try {
      const result = await settleUsage(client, { batch });
      metrics.settlements.inc({ outcome: "settled" });
      metrics.receiptsSettled.inc(batch.receipts.length);
      metrics.settlementGas.inc(Number(result.gasUsed));
      if (result.skipped.length > 0) log.info({ gatewayId, batchNumber, skipped: result.skipped }, "receipts skipped by settlement");
      return "settled";
    } catch (error) {
      if (isCogFiError(error, "BatchOutOfOrder")) {
        const expected = error.args[2] as bigint;
        if (expected > batchNumber && (await confirmSettled(client, batch))) {
          metrics.settlements.inc({ outcome: "lost-race" });
          return "already-settled";
        }
        metrics.settlements.inc({ outcome: "out-of-order" });
        throw new Error(`batch ${batchNumber} of gateway ${gatewayId} is out of order (the ledger expects ${expected})`, { cause: error });
      }
      // A submission that reverted (in simulation or on chain) settled nothing: the next pass re-reads the counter.
      metrics.settlements.inc({ outcome: "error" });
      throw error;
    }
  }

  private saveCursors(): void {
    const file = this.options.cursorFile;
    if (!file) return;
    const cursors = Object.fromEntries([...this.gateways].map(([url, state]) => [url, state.cursor]));
    mkdirSync(dirname(file), { recursive: true });
    // Write-then-rename: a crash leaves either the old or the new file, never half of one.
    writeFileSync(`${file}.tmp`, JSON.stringify(cursors));
    renameSync(`${file}.tmp`, file);
  }
}

/** The error for a batch whose gateway has not settled its predecessor yet: the cursor waits on it. */
function waiting(batch: SignedUsageBatch, settled: bigint): Error {
  return new Error(
    `batch ${batch.batchNumber} of gateway ${batch.gatewayId} waits for batch ${settled + 1n} (${settled} settled): ` +
      "batches settle in signing order",
  );
}

/** Whether the ledger's counter, read now, covers `batch`. */
async function confirmSettled(client: CogFiClient, batch: SignedUsageBatch): Promise<boolean> {
  return (await getSettledBatches(client, { gatewayId: batch.gatewayId })) >= batch.batchNumber;
}

function toBatch(json: z.infer<typeof batchSchema>): SignedUsageBatch {
  return {
    modelId: BigInt(json.modelId),
    gatewayId: BigInt(json.gatewayId),
    batchNumber: BigInt(json.batchNumber),
    servedPricing: BigInt(json.servedPricing),
    sessionIds: json.sessionIds.map(BigInt),
    receipts: json.receipts.map(BigInt),
    requestsCommitment: json.requestsCommitment as Hex,
    enclave: getAddress(json.enclave),
    signature: json.signature as Hex,
  };
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
