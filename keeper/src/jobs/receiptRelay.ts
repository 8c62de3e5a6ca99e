/**
 * Receipt relay: pulls signed usage batches from gateways, verifies them like the ledger will, and settles them in
 * the order each gateway signed them. Several keepers may relay the same gateway: the ledger rejects a settled
 * batch with `StaleSequence`, which the simulation catches before any gas is spent, so the loser just moves on.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { getAddress, isAddressEqual, type Address, type Hex } from "viem";
import { z } from "zod";
import { isCogFiError, ledgerAddresses, settleUsage, verifyUsageBatch, type SignedUsageBatch } from "@cogfi/sdk";
import type { Job, JobContext } from "./job.js";

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
const batchSchema = z.object({
  cursor: z.string().regex(/^\d+$/),
  modelId: z.string().regex(/^\d+$/),
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
 * What happened to one batch. A batch that fails verification can never settle as signed (forged, malformed, or
 * signed by a key that is unknown, revoked or attested for another model), so it is skipped and counted. Anything
 * that may pass later (a paused model, a key that expired and will be re-attested, an RPC failure) throws instead,
 * and the cursor stays on the batch until the next pass.
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

  /** Verifies then settles one batch; never throws for the batch's own faults. */
  async relayBatch(batch: SignedUsageBatch, target: { chainId: number; ledger: Address }, context: JobContext): Promise<RelayOutcome> {
    const { client, log, metrics } = context;
    const verdict = await verifyUsageBatch({ batch, chainId: target.chainId, ledger: target.ledger, client });
    if (!verdict.valid) {
      if (verdict.problems.every((problem) => problem.startsWith("StaleSequence"))) return "already-settled";
      // An expired key becomes valid again, signature unchanged, once the gateway re-attests it: wait for that.
      if (verdict.problems.every((problem) => problem === "InvalidEnclaveKey: Expired")) {
        throw new Error(`batch of model ${batch.modelId} waits for enclave ${batch.enclave} to re-attest (key expired)`);
      }
      const reason = (verdict.problems.find((problem) => !problem.startsWith("StaleSequence")) ?? "unknown").split(":")[0]!;
      metrics.receiptsRejected.inc({ reason }, batch.receipts.length);
      log.warn({ problems: verdict.problems, modelId: batch.modelId }, "batch rejected");
      return "rejected";
    }
    try {
      const result = await settleUsage(client, { batch });
      metrics.settlements.inc({ outcome: "settled" });
      metrics.receiptsSettled.inc(batch.receipts.length);
      metrics.settlementGas.inc(Number(result.gasUsed));
      return "settled";
    } catch (error) {
      if (isCogFiError(error, "StaleSequence")) {
        metrics.settlements.inc({ outcome: "lost-race" });
        return "already-settled";
      }
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

function toBatch(json: z.infer<typeof batchSchema>): SignedUsageBatch {
  return {
    modelId: BigInt(json.modelId),
    sessionIds: json.sessionIds.map(BigInt),
    receipts: json.receipts.map(BigInt),
    requestsCommitment: json.requestsCommitment as Hex,
    enclave: getAddress(json.enclave),
    signature: json.signature as Hex,
  };
}

function readCursors(file: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}
