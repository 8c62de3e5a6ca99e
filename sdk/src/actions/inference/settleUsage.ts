import { encodeFunctionData, parseEventLogs, type Address, type Hash, type Hex, type TransactionReceipt } from "viem";
import type { CogFiClient } from "../../client.js";
import { SKIP_REASONS, type SkipReasonName } from "../../constants.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { inferenceLedgerAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import type { SignedUsageBatch, UsageBatch } from "../../ledger/receipts.js";
import type { SessionCharge, SkippedReceipts } from "../../ledger/types.js";

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
  const { hash, receipt } = await writeAndWait(client, "settleUsage", settleCall(client, batch));
  return settlementFromReceipt({ ...receipt, transactionHash: hash });
}

/**
 * The `settle` call of a batch as `{ to, data }`, for senders that sign and track transactions themselves (the keeper);
 * read the outcome with `settlementFromReceipt`.
 * @example
 * const { to, data } = settleUsageCalldata(client, { batch });
 */
export function settleUsageCalldata(client: CogFiClient, { batch }: SettleUsageParameters): { to: Address; data: Hex } {
  const call = settleCall(client, batch);
  return { to: call.address, data: encodeFunctionData({ abi: call.abi, functionName: call.functionName, args: call.args }) };
}

function settleCall(client: CogFiClient, batch: SettleUsageParameters["batch"]) {
  return {
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
  } as const;
}

/**
 * What a successful settlement transaction did, from its receipt's events.
 * @throws when the receipt holds no `UsageSettled` event (not a settlement, or a reverted one).
 */
export function settlementFromReceipt(receipt: Pick<TransactionReceipt, "logs" | "gasUsed" | "transactionHash">): SettleUsageReturnType {
  const hash = receipt.transactionHash;
  const logs = parseEventLogs({ abi: inferenceLedgerAbi, logs: receipt.logs });
  const sessions = new Map<bigint, SessionCharge>();
  const skipped: SkippedReceipts[] = [];
  let settled:
    | { digest: Hex; gatewayId: bigint; batchNumber: bigint; charged: bigint; protocolFee: bigint; submitterFee: bigint }
    | undefined;
  for (const log of logs) {
    // A group's cost is what `SessionCharged` says was paid plus what `UsageUnpaid` (emitted after it) says was not.
    if (log.eventName === "SessionCharged") {
      const { sessionId, lastSequence, charged } = log.args;
      const previous = sessionCharge(sessions, sessionId);
      sessions.set(sessionId, { ...previous, lastSequence, cost: previous.cost + charged, charged: previous.charged + charged });
    } else if (log.eventName === "UsageUnpaid") {
      const { sessionId, unpaid } = log.args;
      const previous = sessionCharge(sessions, sessionId);
      sessions.set(sessionId, { ...previous, cost: previous.cost + unpaid, unpaid: previous.unpaid + unpaid });
    } else if (log.eventName === "UsageCovered") {
      const { sessionId, amount } = log.args;
      const previous = sessionCharge(sessions, sessionId);
      sessions.set(sessionId, { ...previous, covered: previous.covered + amount });
    } else if (log.eventName === "ReceiptsSkipped") {
      const { sessionId, receipts, reason } = log.args;
      skipped.push({ sessionId, receipts, reason: skipReason(reason) });
    } else if (log.eventName === "UsageSettled") {
      const { digest, gatewayId, batchNumber, charged, protocolFee, submitterFee } = log.args;
      settled = { digest, gatewayId, batchNumber, charged, protocolFee, submitterFee };
    }
  }
  if (!settled) throw new Error(`settleUsage: no UsageSettled event in ${hash}`);
  return { hash, ...settled, sessions: [...sessions.values()], skipped, gasUsed: receipt.gasUsed };
}

/** The name of a `ReceiptsSkipped` reason; throws for one this SDK does not know (a newer ledger). */
function skipReason(reason: number): SkipReasonName {
  const name = SKIP_REASONS[reason];
  if (name === undefined) throw new Error(`settleUsage: unknown ReceiptsSkipped reason ${reason}`);
  return name;
}

function sessionCharge(sessions: Map<bigint, SessionCharge>, sessionId: bigint): SessionCharge {
  return sessions.get(sessionId) ?? { sessionId, lastSequence: 0n, cost: 0n, charged: 0n, covered: 0n, unpaid: 0n };
}
