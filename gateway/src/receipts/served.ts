/**
 * A stored batch as the sdk's `ServedBatch`, which the sdk serializes into the wire format of `GET /v1/receipts`
 * (`serializeReceiptsPage`; the keeper parses it with `parseReceiptsPage`).
 */
import type { ServedBatch, ServedReceipt } from "@cogfi/sdk";
import type { Receipt, SignedBatch } from "./types.js";

export function servedReceipt(receipt: Receipt): ServedReceipt {
  return {
    responseId: receipt.responseId,
    sessionId: receipt.sessionId,
    sequence: receipt.sequence,
    inputTokens: receipt.inputTokens,
    outputTokens: receipt.outputTokens,
    reasoningTokens: receipt.reasoningTokens,
    requestHash: receipt.requestHash,
    createdAt: receipt.createdAt,
  };
}

/** `receipts`: the batch's receipts in the order of `batch.items`. */
export function servedBatch(batch: SignedBatch, receipts: readonly Receipt[]): ServedBatch {
  return {
    cursor: batch.batch,
    modelId: batch.modelId,
    gatewayId: batch.gatewayId,
    batchNumber: batch.batchNumber,
    servedPricing: batch.servedPricing,
    enclave: batch.enclave,
    sessionIds: batch.sessionIds,
    receipts: batch.receipts,
    requestsCommitment: batch.requestsCommitment,
    digest: batch.digest,
    signature: batch.signature,
    signedAt: batch.signedAt,
    items: receipts.map(servedReceipt),
  };
}
