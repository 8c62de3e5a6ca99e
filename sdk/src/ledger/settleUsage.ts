import { parseEventLogs, type Hash, type Hex } from "viem";
import type { CogFiClient } from "../client.js";
import type { CogFiContractError, CogFiError } from "../errors.js";
import { inferenceLedgerAbi } from "../generated/abis.js";
import { writeAndWait } from "../internal/write.js";
import { ledgerAddresses } from "./addresses.js";
import type { SignedUsageBatch } from "./receipts.js";
import type { SessionCharge } from "./types.js";

export type SettleUsageParameters = { batch: SignedUsageBatch };
export type SettleUsageReturnType = {
  hash: Hash;
  digest: Hex;
  /** Total charged to the batch's sessions, in stablecoin units. */
  charged: bigint;
  protocolFee: bigint;
  /** What the submitter (this client's account) earned. */
  submitterFee: bigint;
  sessions: SessionCharge[];
  gasUsed: bigint;
};
export type SettleUsageErrorType =
  | CogFiContractError<
      | "EmptyBatch"
      | "InvalidSessionCount"
      | "ModelPaused"
      | "UnknownModel"
      | "InvalidEnclaveKey"
      | "InvalidSignature"
      | "UnknownSession"
      | "SessionModelMismatch"
      | "InvalidSessionIndex"
      | "StaleSequence"
      | "SequenceNotIncreasing"
      | "ReservedBitsSet"
      | "StatsOverflow"
    >
  | CogFiError;

/**
 * Submits a signed usage batch; simulated first, so a stale or invalid batch fails without spending gas
 * (`StaleSequence` means another keeper already settled it).
 * @example
 * const { charged, submitterFee } = await settleUsage(keeperClient, { batch });
 */
export async function settleUsage(client: CogFiClient, { batch }: SettleUsageParameters): Promise<SettleUsageReturnType> {
  const { hash, receipt } = await writeAndWait(client, "settleUsage", {
    address: ledgerAddresses(client).inferenceLedger,
    abi: inferenceLedgerAbi,
    functionName: "settle",
    args: [batch.modelId, [...batch.sessionIds], [...batch.receipts], batch.requestsCommitment, batch.enclave, batch.signature],
  });
  const logs = parseEventLogs({ abi: inferenceLedgerAbi, logs: receipt.logs });
  const sessions = new Map<bigint, SessionCharge>();
  let settled: { digest: Hex; charged: bigint; protocolFee: bigint; submitterFee: bigint } | undefined;
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
    } else if (log.eventName === "UsageSettled") {
      const { digest, charged, protocolFee, submitterFee } = log.args;
      settled = { digest, charged, protocolFee, submitterFee };
    }
  }
  if (!settled) throw new Error(`settleUsage: no UsageSettled event in ${hash}`);
  return { hash, ...settled, sessions: [...sessions.values()], gasUsed: receipt.gasUsed };
}
