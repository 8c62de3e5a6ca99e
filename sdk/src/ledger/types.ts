import type { Address } from "viem";

/** Where a session stands at a given time (see docs/receipts.md §1). */
export type SessionStatus =
  /** Open, unexpired, with budget left: the gateway may serve it. */
  | "active"
  /** Open and unexpired but with no budget left. */
  | "exhausted"
  /** Expired or close requested; receipts signed before the expiry can still settle until `refundableAt`. */
  | "grace"
  /** Past the grace period: anyone may close it and refund the rest to the buyer; settling charges nothing. */
  | "refundable"
  /** Closed and refunded. */
  | "closed";

/** A session as the SDK returns it. Amounts in stablecoin units. */
export type SessionInfo = {
  sessionId: bigint;
  modelId: bigint;
  /** The EnclaveRegistry gateway the session is bound to: only its receipts charge the session. */
  gatewayId: bigint;
  buyer: Address;
  budget: bigint;
  spent: bigint;
  remaining: bigint;
  /** Highest settled sequence; the next receipt must have a greater one. */
  lastSequence: bigint;
  expiry: bigint;
  /** `expiry + SETTLEMENT_GRACE`: from then on the rest is refundable and settlement charges the session nothing. */
  refundableAt: bigint;
  policyId: bigint;
  closed: boolean;
  status: SessionStatus;
};

/** Which average a cost feed answers. */
export type CostKind = "perRequest" | "perMillionTokens";

/** A usage batch's effect on one session, from the `SessionCharged` / `UsageUnpaid` events. */
export type SessionCharge = { sessionId: bigint; lastSequence: bigint; cost: bigint; charged: bigint; unpaid: bigint };

/** Receipts of a session group that settlement skipped (`ReceiptsSkipped`): neither charged nor counted. */
export type SkippedReceipts = {
  sessionId: bigint;
  receipts: bigint;
  /** `stale`: at or below the session's settled sequence; `otherGateway`: the session is bound to another gateway. */
  reason: "stale" | "otherGateway";
};
