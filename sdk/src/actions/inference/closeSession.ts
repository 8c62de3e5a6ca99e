import { parseEventLogs, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { inferenceLedgerAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";

export type CloseSessionParameters = { sessionId: bigint };
export type CloseSessionReturnType =
  /** The session was unexpired: it stops approving inference now; the rest is refundable at `refundableAt`. */
  | { kind: "requested"; refundableAt: bigint; hash: Hash }
  /** The grace period was over: the rest was refunded to the buyer. */
  | { kind: "refunded"; refund: bigint; hash: Hash };
export type CloseSessionErrorType =
  | CogFiContractError<"UnknownSession" | "SessionAlreadyClosed" | "NotSessionBuyer" | "SettlementGraceActive">
  | CogFiError;

/**
 * Requests the close of an active session (buyer), or refunds the unspent rest of one past its grace (anyone).
 * @example
 * const first = await closeSession(buyer, { sessionId }); // { kind: "requested", refundableAt }
 * // ... an hour later
 * const done = await closeSession(anyone, { sessionId }); // { kind: "refunded", refund }
 */
export async function closeSession(
  client: CogFiClient,
  { sessionId }: CloseSessionParameters,
): Promise<CloseSessionReturnType> {
  const { hash, receipt } = await writeAndWait(client, "closeSession", {
    address: ledgerAddresses(client).inferenceLedger,
    abi: inferenceLedgerAbi,
    functionName: "closeSession",
    args: [sessionId],
  });
  const logs = parseEventLogs({ abi: inferenceLedgerAbi, logs: receipt.logs });
  for (const log of logs) {
    if (log.eventName === "SessionCloseRequested") return { kind: "requested", refundableAt: log.args.refundableAt, hash };
    if (log.eventName === "SessionClosed") return { kind: "refunded", refund: log.args.refund, hash };
  }
  throw new Error(`closeSession: no close event in ${hash}`);
}
