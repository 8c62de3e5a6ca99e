import { parseEventLogs, type Hash, type Hex } from "viem";
import type { CogFiClient } from "../client.js";
import type { CogFiContractError, CogFiError } from "../errors.js";
import { inferenceLedgerAbi } from "../generated/abis.js";
import { writeAndWait } from "../internal/write.js";
import { ledgerAddresses } from "./addresses.js";
import type { SignedUsageBatch, UsageBatch } from "./receipts.js";
import type { SessionCharge, SkippedReceipts } from "./types.js";

/** The batch to settle; its `gatewayId` (signed, not sent) is not needed here. */
export type SettleUsageParameters = { batch: UsageBatch & Pick<SignedUsageBatch, "signature"> };
export type SettleUsageReturnType = {
  hash: Hash;
  digest: Hex;
  /** The signer's gateway and the batch's place in its signing order, as settled. */
  gatewayId: bigint;
  batchNumber: bigint;
  /** Total charged to the batch's sessions, in stablecoin units. */
  charged: bigint;
  protocolFee: bigint;
  /** What the submitter (this client's account) earned. */
  submitterFee: bigint;
  sessions: SessionCharge[];
  /** Session groups (or their stale prefixes) that were skipped, not charged. */
  skipped: SkippedReceipts[];
  gasUsed: bigint;
};
export type SettleUsageErrorType =
  | CogFiContractError<
      | "EmptyBatch"
      | "InvalidSessionCount"
      | "UnknownModel"
      | "InvalidEnclaveKey"
      | "InvalidSignature"
      | "BatchOutOfOrder"
      | "UnknownSession"
      | "SessionModelMismatch"
      | "InvalidSessionIndex"
      | "SequenceNotIncreasing"
      | "ReservedBitsSet"
      | "StatsOverflow"
    >
  | CogFiError;

/**
 * Submits a signed usage batch; simulated first, so an invalid batch fails without spending gas. A gateway's
 * batches settle in signing order: `BatchOutOfOrder(gatewayId, batchNumber, expected)` with `expected` above the
 * batch's number means the batch was already settled (by another keeper), below it that an earlier batch must
 * settle first. Receipts already settled are skipped (`skipped`), the rest of the batch settles.
 * @example
 * const { charged, submitterFee } = await settleUsage(keeperClient, { batch });
 */
export async function settleUsage(client: CogFiClient, { batch }: SettleUsageParameters): Promise<SettleUsageReturnType> {
  const { hash, receipt } = await writeAndWait(client, "settleUsage", {
    address: ledgerAddresses(client).inferenceLedger,
    abi: inferenceLedgerAbi,
    functionName: "settle",
    args: [
      {
        modelId: batch.modelId,
        batchNumber: batch.batchNumber,
        servedPricing: batch.servedPricing,
        sessionIds: [...batch.sessionIds],
        receipts: [...batch.receipts],
        requestsCommitment: batch.requestsCommitment,
        enclave: batch.enclave,
      },
      batch.signature,
    ],
  });
  const logs = parseEventLogs({ abi: inferenceLedgerAbi, logs: receipt.logs });
  const sessions = new Map<bigint, SessionCharge>();
  const skipped: SkippedReceipts[] = [];
  let settled:
    | { digest: Hex; gatewayId: bigint; batchNumber: bigint; charged: bigint; protocolFee: bigint; submitterFee: bigint }
    | undefined;
  for (const log of logs) {
    if (log.eventName === "SessionCharged") {
      const { sessionId, lastSequence, cost, charged } = log.args;
      const previous = sessions.get(sessionId);
      sessions.set(sessionId, {
        sessionId,
        lastSequence,
        cost: (previous?.cost ?? 0n) + cost,
        charged: (previous?.charged ?? 0n) + charged,
        unpaid: (previous?.unpaid ?? 0n) + cost - charged,
      });
    } else if (log.eventName === "ReceiptsSkipped") {
      const { sessionId, receipts, reason } = log.args;
      skipped.push({ sessionId, receipts, reason: reason === 0 ? "stale" : "otherGateway" });
    } else if (log.eventName === "UsageSettled") {
      const { digest, gatewayId, batchNumber, charged, protocolFee, submitterFee } = log.args;
      settled = { digest, gatewayId, batchNumber, charged, protocolFee, submitterFee };
    }
  }
  if (!settled) throw new Error(`settleUsage: no UsageSettled event in ${hash}`);
  return { hash, ...settled, sessions: [...sessions.values()], skipped, gasUsed: receipt.gasUsed };
}
