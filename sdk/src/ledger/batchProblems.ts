/**
 * Why `settle` would reject a usage batch, as `validateUsageBatch` and `verifyUsageBatch` report it: `kind` is the
 * ledger's error name, the other fields its details, `message` a rendering for logs.
 */
import type { KeyStatusName } from "../constants.js";

/** A batch problem, by the ledger error it stands for. */
export type UsageBatchProblem =
  | { kind: "EmptyBatch"; message: string }
  | { kind: "InvalidSessionCount"; sessions: number; message: string }
  /** Receipt `receipt` has reserved bits set. */
  | { kind: "ReservedBitsSet"; receipt: number; message: string }
  /** Receipt `receipt` does not increase its session's sequence. */
  | { kind: "SequenceNotIncreasing"; receipt: number; message: string }
  /**
   * Receipts not grouped in `sessionIds` order: receipt `receipt` skips or goes back to a session, or the last
   * `sessionsWithoutReceipts` listed sessions have none.
   */
  | ({ kind: "InvalidSessionIndex"; message: string } & ({ receipt: number } | { sessionsWithoutReceipts: number }))
  /**
   * Not the gateway's next batch. `expected` (read on chain: its settled batches + 1) above `got` means the batch is
   * already settled, below it that an earlier batch must settle first; without `expected` the number can never
   * settle (batches count from 1).
   */
  | { kind: "BatchOutOfOrder"; gatewayId: bigint; got: bigint; expected?: bigint; message: string }
  /**
   * `notEnclave`: not signed by the batch's enclave key; `otherLedger`: verified against another ledger than the
   * client's; `otherGateway`: signed for gateway `signedFor`, the key signs for `keyGateway`.
   */
  | { kind: "InvalidSignature"; reason: "notEnclave" | "otherLedger"; message: string }
  | { kind: "InvalidSignature"; reason: "otherGateway"; signedFor: bigint; keyGateway: bigint; message: string }
  /** The enclave key may not sign for the model now. */
  | { kind: "InvalidEnclaveKey"; status: Exclude<KeyStatusName, "Valid">; message: string }
  | { kind: "UnknownSession"; sessionId: bigint; message: string }
  | { kind: "SessionModelMismatch"; sessionId: bigint; message: string };

export type UsageBatchProblemKind = UsageBatchProblem["kind"];

/** Problems by their details (without `message`), for building them. */
type Details<problem> = problem extends unknown ? Omit<problem, "message"> : never;

/**
 * A problem with its log message (`<kind>: <details>`).
 * @example
 * const problem = batchProblem({ kind: "UnknownSession", sessionId: 7n }); // problem.message === "UnknownSession: 7"
 */
export function batchProblem(details: Details<UsageBatchProblem>): UsageBatchProblem {
  return { ...details, message: `${details.kind}: ${describe(details)}` } as UsageBatchProblem;
}

function describe(problem: Details<UsageBatchProblem>): string {
  switch (problem.kind) {
    case "EmptyBatch":
      return "no receipts";
    case "InvalidSessionCount":
      return `${problem.sessions} sessions`;
    case "ReservedBitsSet":
    case "SequenceNotIncreasing":
      return `receipt ${problem.receipt}`;
    case "InvalidSessionIndex":
      return "receipt" in problem ? `receipt ${problem.receipt}` : `${problem.sessionsWithoutReceipts} listed sessions have no receipts`;
    case "BatchOutOfOrder":
      if (problem.expected === undefined) return "batch numbers start at 1";
      if (problem.got < problem.expected) return `already settled (gateway ${problem.gatewayId} settled ${problem.expected - 1n} batches)`;
      return `waits for batch ${problem.expected} of gateway ${problem.gatewayId}`;
    case "InvalidSignature":
      if (problem.reason === "otherGateway") return `signed for gateway ${problem.signedFor}, the key signs for gateway ${problem.keyGateway}`;
      return problem.reason === "notEnclave" ? "not signed by the enclave" : "signed for another ledger";
    case "InvalidEnclaveKey":
      return problem.status;
    case "UnknownSession":
    case "SessionModelMismatch":
      return String(problem.sessionId);
  }
}
