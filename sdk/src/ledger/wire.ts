/**
 * The wire format of a gateway's `GET /v1/receipts`: one schema, one serializer (the gateway's), one parser (the
 * keeper's, anyone auditing a gateway). Integers that may exceed 2^53 are decimal strings; `receipts` are the
 * packed words as 0x-prefixed 32-byte hex. `modelId`, `batchNumber`, `servedPricing`, `sessionIds`, `receipts`,
 * `requestsCommitment`, `enclave` and `signature` are exactly the arguments of `InferenceLedger.settle`;
 * `gatewayId` is the signer's gateway (signed, not sent): the batch is settled iff
 * `settledBatches(gatewayId) >= batchNumber`. Documented in gateway/README.md (Receipts).
 */
import { getAddress, numberToHex, type Address, type Hex } from "viem";
import { z } from "zod";
import { ReceiptFormatError, type SignedUsageBatch } from "./receipts.js";

/** One receipt of a served batch, with what ties it to its request. */
export type ServedReceipt = {
  /** The `id` of the chat completion the client received. */
  responseId: string;
  sessionId: bigint;
  sequence: bigint;
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** Commits to the request and response (`requestHashOf`). */
  requestHash: Hex;
  /** Unix milliseconds. */
  createdAt: number;
};

/** A signed batch as a gateway serves it: `settle`'s arguments, its gateway, and the gateway's bookkeeping. */
export type ServedBatch = SignedUsageBatch & {
  /** The batch's place in the gateway's feed (`after=` of the next request), from 0, over all its models. */
  cursor: number;
  /** The EIP-712 digest the enclave signed. */
  digest: Hex;
  /** Unix milliseconds. */
  signedAt: number;
  /** The receipts in the order of `receipts`. */
  items: ServedReceipt[];
};

/** One page of `GET /v1/receipts`. */
export type ReceiptsPage = {
  /** The chain and ledger the gateway signs for. */
  chainId: number;
  ledger: Address;
  batches: ServedBatch[];
  /** The cursor to continue after (`-1`: from the start). */
  nextCursor: number;
  hasMore: boolean;
};

const hexPattern = /^0x(?:[0-9a-fA-F]{2})*$/;
const hex = z.string().regex(hexPattern, "0x-prefixed hex");
const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "0x-prefixed 32 bytes");
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address");
const MAX_UINT256 = (1n << 256n) - 1n;
/** A uint256 as a decimal string. */
const decimal = z
  .string()
  .regex(/^\d+$/, "a decimal integer")
  .refine((value) => BigInt(value) <= MAX_UINT256, "larger than a uint256");
const count = z.number().int().nonnegative().max(0xffff_ffff);
const millis = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const cursor = z.string().regex(/^(?:-1|\d+)$/, "a cursor");

/** The schema of one receipt of a served batch (wire: `ReceiptJson`). */
export const receiptJsonSchema = z.object({
  responseId: z.string(),
  sessionId: decimal,
  sequence: decimal,
  inputTokens: count,
  outputTokens: count,
  reasoningTokens: count,
  requestHash: bytes32,
  createdAt: millis,
});

/** The schema of one served batch (wire: `BatchJson`). */
export const batchJsonSchema = z.object({
  cursor: z.string().regex(/^\d+$/, "a cursor"),
  modelId: decimal,
  gatewayId: decimal,
  batchNumber: decimal,
  servedPricing: decimal,
  enclave: address,
  sessionIds: z.array(decimal).min(1),
  receipts: z.array(bytes32).min(1),
  requestsCommitment: bytes32,
  digest: bytes32,
  signature: hex,
  signedAt: millis,
  items: z.array(receiptJsonSchema),
});

/** The schema of a `GET /v1/receipts` page (wire: `ReceiptsPageJson`). */
export const receiptsPageJsonSchema = z.object({
  object: z.literal("list"),
  chainId: z.number().int().positive(),
  ledger: address,
  data: z.array(batchJsonSchema),
  next_cursor: cursor,
  has_more: z.boolean(),
});

export type ReceiptJson = z.infer<typeof receiptJsonSchema>;
export type BatchJson = z.infer<typeof batchJsonSchema>;
export type ReceiptsPageJson = z.infer<typeof receiptsPageJsonSchema>;

/* SERIALIZE */

/**
 * A served receipt in the wire format.
 * @example
 * const json = serializeServedReceipt(receipt);
 */
export function serializeServedReceipt(receipt: ServedReceipt): ReceiptJson {
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

/**
 * A served batch in the wire format.
 * @example
 * const json = serializeServedBatch({ ...signedBatch, cursor: 0, digest, signedAt: Date.now(), items });
 */
export function serializeServedBatch(batch: ServedBatch): BatchJson {
  return {
    cursor: String(batch.cursor),
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
    items: batch.items.map(serializeServedReceipt),
  };
}

/**
 * A `GET /v1/receipts` page in the wire format (what the gateway answers).
 * @example
 * res.json(serializeReceiptsPage({ chainId, ledger, batches, nextCursor: -1, hasMore: false }));
 */
export function serializeReceiptsPage(page: ReceiptsPage): ReceiptsPageJson {
  return {
    object: "list",
    chainId: page.chainId,
    ledger: page.ledger,
    data: page.batches.map(serializeServedBatch),
    next_cursor: String(page.nextCursor),
    has_more: page.hasMore,
  };
}

/* PARSE */

function fromReceiptJson(json: ReceiptJson): ServedReceipt {
  return { ...json, sessionId: BigInt(json.sessionId), sequence: BigInt(json.sequence), requestHash: json.requestHash as Hex };
}

function fromBatchJson(json: BatchJson): ServedBatch {
  return {
    modelId: BigInt(json.modelId),
    gatewayId: BigInt(json.gatewayId),
    batchNumber: BigInt(json.batchNumber),
    servedPricing: BigInt(json.servedPricing),
    sessionIds: json.sessionIds.map(BigInt),
    receipts: json.receipts.map(BigInt),
    requestsCommitment: json.requestsCommitment as Hex,
    enclave: getAddress(json.enclave),
    signature: json.signature as Hex,
    cursor: Number(json.cursor),
    digest: json.digest as Hex,
    signedAt: json.signedAt,
    items: json.items.map(fromReceiptJson),
  };
}

function parseWith<schema extends z.ZodTypeAny>(schema: schema, json: unknown, what: string): z.infer<schema> {
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid";
    throw new ReceiptFormatError(`malformed ${what}: ${where}`, { cause: result.error });
  }
  return result.data;
}

/**
 * Parses one served batch (its JSON object) into `settle`'s arguments, its gateway and the gateway's bookkeeping.
 * Throws `ReceiptFormatError` (with the zod error as `cause`) when it does not match the format.
 * @example
 * const batch = parseServedBatch(page.data[0]);
 * await settleUsage(client, { batch });
 */
export function parseServedBatch(json: unknown): ServedBatch {
  return fromBatchJson(parseWith(batchJsonSchema, json, "receipt batch"));
}

/**
 * Parses a `GET /v1/receipts` page. Throws `ReceiptFormatError` (with the zod error as `cause`) when it does not
 * match the format.
 * @example
 * const page = parseReceiptsPage(await (await fetch(`${gateway}/v1/receipts?after=-1`)).json());
 * for (const batch of page.batches) await settleUsage(client, { batch });
 */
export function parseReceiptsPage(json: unknown): ReceiptsPage {
  const page = parseWith(receiptsPageJsonSchema, json, "receipts page");
  return {
    chainId: page.chainId,
    ledger: getAddress(page.ledger),
    batches: page.data.map(fromBatchJson),
    nextCursor: Number(page.next_cursor),
    hasMore: page.has_more,
  };
}
