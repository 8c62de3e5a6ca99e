/** Receipts as the gateway records, batches and serves them. */
import type { Address, Hex } from "viem";

/** One served request's usage: the on-chain receipt fields plus what ties it to the request. */
export type Receipt = {
  /** Dense position in the log, from 0. */
  index: number;
  /** The `id` of the chat completion the client received. */
  responseId: string;
  modelId: bigint;
  /** The gateway (EnclaveRegistry id of the model's key) that served it: the session's gateway. */
  gatewayId: bigint;
  sessionId: bigint;
  /** Per-session, strictly increasing across restarts. */
  sequence: bigint;
  inputTokens: number;
  /** Visible output tokens (OpenAI's completion_tokens minus reasoning_tokens). */
  outputTokens: number;
  reasoningTokens: number;
  /** Commits to the request and response, see `requestHashOf`. */
  requestHash: Hex;
  /** Cost at the pricing the request was approved under, rounded up (the gateway's own exposure bookkeeping). */
  cost: bigint;
  /** The pricing the request was served (approved) at, packed as a batch's `servedPricing` (sdk `packPricing`). */
  pricing: bigint;
  /** Unix milliseconds. */
  createdAt: number;
  /** The batch that signed it, once signed. */
  batch?: number;
};

/** A signed batch: exactly the arguments of `InferenceLedger.settle` plus bookkeeping. */
export type SignedBatch = {
  /** The batch's cursor: dense, from 0, over every gateway (model) of this process. */
  batch: number;
  modelId: bigint;
  /** The signer's gateway (signed, not sent to `settle`). */
  gatewayId: bigint;
  /**
   * The batch's place in its gateway's signing order, from 1, never reused: the ledger settles batch `n` of a
   * gateway only after its batch `n - 1`.
   */
  batchNumber: bigint;
  /** Component-wise minimum of the pricings its receipts were served at, packed. */
  servedPricing: bigint;
  enclave: Address;
  sessionIds: bigint[];
  /** Packed receipt words, grouped by session index in list order. */
  receipts: bigint[];
  requestsCommitment: Hex;
  digest: Hex;
  signature: Hex;
  /** Indexes of the receipts, in the order of `receipts`. */
  items: number[];
  /** Unix milliseconds. */
  signedAt: number;
};

/** What a signer needs to build a batch: the receipts of one model and gateway, in log order, and its number. */
export type BatchInput = { modelId: bigint; gatewayId: bigint; batchNumber: bigint; receipts: readonly Receipt[] };

/** A batch as signed, before it gets its cursor. */
export type BatchSignature = Omit<SignedBatch, "batch" | "signedAt">;

/**
 * Packs and signs batches in the format of docs/receipts.md. One enclave key per model: the EnclaveRegistry
 * binds each key to a single model.
 */
export interface ReceiptSigner {
  /** The enclave key that signs `modelId`'s batches. */
  enclaveFor(modelId: bigint): Address;
  signBatch(input: BatchInput): Promise<BatchSignature>;
  /** Releases resources (the signing worker). */
  close?(): Promise<void>;
}
