/**
 * The wire format of GET /v1/receipts: one object per signed batch. Integers that may exceed 2^53 are decimal
 * strings; `receipts` are the packed words as 0x-prefixed 32-byte hex. `modelId`, `batchNumber`, `servedPricing`,
 * `sessionIds`, `receipts`, `requestsCommitment`, `enclave` and `signature` are exactly the arguments of
 * `InferenceLedger.settle`; `gatewayId` is the signer's gateway (signed, not sent): the batch is settled iff
 * `settledBatches(gatewayId) >= batchNumber`.
 */
import type { SignedUsageBatch } from "@cogfi/sdk";
import { getAddress, numberToHex, type Address, type Hex } from "viem";
import type { Receipt, SignedBatch } from "./types.js";

export type ReceiptJson = {
  responseId: string;
  sessionId: string;
  sequence: string;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  requestHash: Hex;
  createdAt: number;
};

export type BatchJson = {
  cursor: string;
  modelId: string;
  /** The signing key's EnclaveRegistry gateway. */
  gatewayId: string;
  /** The batch's place in its gateway's signing order, from 1. */
  batchNumber: string;
  /** The pricing its receipts were served at, packed (`input << 160 | output << 80 | reasoning`). */
  servedPricing: string;
  enclave: Address;
  sessionIds: string[];
  receipts: Hex[];
  requestsCommitment: Hex;
  digest: Hex;
  signature: Hex;
  signedAt: number;
  /** The receipts in the order of `receipts`, with what ties each to its request. */
  items: ReceiptJson[];
};

export function receiptJson(receipt: Receipt): ReceiptJson {
  return {
    responseId: receipt.responseId,
    sessionId: receipt.sessionId.toString(),
    sequence: receipt.sequence.toString(),
    inputTokens: receipt.inputTokens,
    outputTokens: receipt.outputTokens,
    reasoningTokens: receipt.reasoningTokens,
    requestHash: receipt.requestHash,
    createdAt: receipt.createdAt,
  };
}

/** `receipts`: the batch's receipts in the order of `batch.items`. */
export function batchJson(batch: SignedBatch, receipts: readonly Receipt[]): BatchJson {
  return {
    cursor: String(batch.batch),
    modelId: batch.modelId.toString(),
    gatewayId: batch.gatewayId.toString(),
    batchNumber: batch.batchNumber.toString(),
    servedPricing: batch.servedPricing.toString(),
    enclave: batch.enclave,
    sessionIds: batch.sessionIds.map(String),
    receipts: batch.receipts.map((word) => numberToHex(word, { size: 32 })),
    requestsCommitment: batch.requestsCommitment,
    digest: batch.digest,
    signature: batch.signature,
    signedAt: batch.signedAt,
    items: receipts.map(receiptJson),
  };
}

/** Parses a batch back into settle() arguments and its gateway (what a keeper or test does with the JSON). */
export function parseBatchJson(json: BatchJson): SignedUsageBatch & { sessionIds: bigint[]; receipts: bigint[] } {
  return {
    modelId: BigInt(json.modelId),
    gatewayId: BigInt(json.gatewayId),
    batchNumber: BigInt(json.batchNumber),
    servedPricing: BigInt(json.servedPricing),
    sessionIds: json.sessionIds.map(BigInt),
    receipts: json.receipts.map(BigInt),
    requestsCommitment: json.requestsCommitment,
    enclave: getAddress(json.enclave),
    signature: json.signature,
  };
}
