/**
 * Usage receipts: packing, batching, request commitments and the EIP-712 typed data the enclave signs.
 * Pure functions, no client: the gateway (signer), the keeper (verifier, submitter) and the tests import them.
 * The format is specified in docs/receipts.md and checked against the contract by test/vectors/receipts.json.
 */
import {
  concat,
  encodeAbiParameters,
  hashStruct,
  hashTypedData,
  keccak256,
  numberToHex,
  toBytes,
  type Address,
  type Hex,
  type TypedDataDomain,
} from "viem";
import type { Pricing } from "../registry/types.js";
import {
  HISTOGRAM_BUCKETS,
  LEDGER_DOMAIN_NAME,
  LEDGER_DOMAIN_VERSION,
  MAX_SEQUENCE,
  MAX_SESSION_INDEX,
  MAX_SESSIONS_PER_BATCH,
  MAX_TOKENS,
  RESERVED_MASK,
} from "../constants.js";
import { batchProblem, type UsageBatchProblem } from "./batchProblems.js";
import { chargedPricing } from "./pricing.js";

// The layout and limits live in ../constants.ts; re-exported here, where they always were.
export {
  HISTOGRAM_BUCKETS,
  MAX_SEQUENCE,
  MAX_SESSION_INDEX,
  MAX_SESSIONS_PER_BATCH,
  MAX_TOKENS,
  RESERVED_MASK,
  SEQUENCE_BITS,
  SESSION_INDEX_BITS,
  TOKEN_BITS,
} from "../constants.js";

/** The fields of one packed receipt. Token counts are per request. */
export type PackedReceiptFields = {
  /** Index of the receipt's session in the batch's session list. */
  sessionIndex: number;
  /** Per-session sequence number, from 1, strictly increasing within a session. */
  sequence: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  reasoningTokens: bigint;
};

/** One served request, as the gateway records it before batching. */
export type UsageReceipt = {
  sessionId: bigint;
  sequence: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  reasoningTokens: bigint;
  /** 32-byte commitment to the request (see docs/receipts.md); only its Merkle root goes on chain. */
  requestHash: Hex;
};

/** A batch as `InferenceLedger.settle` takes it (minus the signature). */
export type UsageBatch = {
  modelId: bigint;
  /**
   * The batch's place in its gateway's signing order, from 1: the ledger settles a gateway's batch `n` only once
   * its batch `n - 1` is settled (`settledBatches(gatewayId) + 1`). A re-signed batch keeps its number.
   */
  batchNumber: bigint;
  /**
   * The pricing the gateway served the batch's receipts at (`packPricing`; for receipts served at several
   * pricings, their component-wise minimum). Settlement charges the lower of it and the pricing in force.
   */
  servedPricing: bigint;
  sessionIds: readonly bigint[];
  /** Packed receipt words, grouped by session in `sessionIds` order. */
  receipts: readonly bigint[];
  /** Merkle root of the receipts' request hashes (see `requestsMerkleRoot`). */
  requestsCommitment: Hex;
  /** The enclave key that signs the batch. */
  enclave: Address;
};

/**
 * A batch with its enclave signature, ready for `settle`. `gatewayId` is the EnclaveRegistry gateway of the signing
 * key: it is signed (part of the EIP-712 message) but not sent, the ledger reads it from the registry.
 */
export type SignedUsageBatch = UsageBatch & { gatewayId: bigint; signature: Hex };

/** Thrown for receipts or batches that break the format rules. */
export class ReceiptFormatError extends Error {
  override name = "ReceiptFormatError";
}

/**
 * Packs one receipt into its 256-bit word.
 * @example
 * const word = encodeReceipt({ sessionIndex: 0, sequence: 1n, inputTokens: 812n, outputTokens: 240n, reasoningTokens: 1_900n });
 */
export function encodeReceipt(fields: PackedReceiptFields): bigint {
  const index = BigInt(fields.sessionIndex);
  check(index >= 0n && index <= MAX_SESSION_INDEX, `session index ${fields.sessionIndex} out of range`);
  check(fields.sequence >= 0n && fields.sequence <= MAX_SEQUENCE, `sequence ${fields.sequence} out of range`);
  for (const [name, value] of [
    ["inputTokens", fields.inputTokens],
    ["outputTokens", fields.outputTokens],
    ["reasoningTokens", fields.reasoningTokens],
  ] as const) {
    check(value >= 0n && value <= MAX_TOKENS, `${name} ${value} does not fit 32 bits`);
  }
  return (
    (index << 240n) |
    (fields.sequence << 192n) |
    (fields.inputTokens << 64n) |
    (fields.outputTokens << 32n) |
    fields.reasoningTokens
  );
}

/**
 * Unpacks a receipt word; `reserved` is the value of the reserved bits (0 in a valid receipt).
 * @example
 * const { sessionIndex, sequence } = decodeReceipt(word);
 */
export function decodeReceipt(word: bigint): PackedReceiptFields & { reserved: bigint } {
  check(word >= 0n && word < 1n << 256n, "receipt word out of range");
  return {
    sessionIndex: Number(word >> 240n),
    sequence: (word >> 192n) & MAX_SEQUENCE,
    inputTokens: (word >> 64n) & MAX_TOKENS,
    outputTokens: (word >> 32n) & MAX_TOKENS,
    reasoningTokens: word & MAX_TOKENS,
    reserved: word & RESERVED_MASK,
  };
}

/**
 * Groups receipts by session (sessions in order of first appearance, receipts by sequence) and packs them.
 * Throws `ReceiptFormatError` when a session repeats a sequence or the batch is empty or too wide.
 * `batchNumber` is the batch's place in its gateway's signing order (from 1); `servedPricing` the packed pricing the
 * receipts were served at (`packPricing`, or `packPricing(minPricing(...))` for several).
 * @returns the batch (without signature) and the request hashes in receipt order.
 * @example
 * const { batch } = buildUsageBatch({ modelId: 1n, batchNumber: 1n, servedPricing: packPricing(pricing), enclave: key.address, receipts });
 */
export function buildUsageBatch(parameters: {
  modelId: bigint;
  batchNumber: bigint;
  servedPricing: bigint;
  enclave: Address;
  receipts: readonly UsageReceipt[];
}): { batch: UsageBatch; requestHashes: Hex[] } {
  const { modelId, batchNumber, servedPricing, enclave, receipts } = parameters;
  check(receipts.length > 0, "a batch needs at least one receipt");
  check(batchNumber > 0n && batchNumber < 1n << 256n, `batch number ${batchNumber} out of range (batches count from 1)`);
  check(servedPricing >= 0n && servedPricing < 1n << 240n, `served pricing ${servedPricing} does not fit 240 bits`);
  const groups = new Map<bigint, UsageReceipt[]>();
  for (const receipt of receipts) {
    const group = groups.get(receipt.sessionId);
    if (group) group.push(receipt);
    else groups.set(receipt.sessionId, [receipt]);
  }
  check(groups.size <= MAX_SESSIONS_PER_BATCH, `a batch lists at most ${MAX_SESSIONS_PER_BATCH} sessions`);
  const sessionIds: bigint[] = [];
  const words: bigint[] = [];
  const requestHashes: Hex[] = [];
  for (const [sessionId, group] of groups) {
    const sessionIndex = sessionIds.length;
    sessionIds.push(sessionId);
    const sorted = [...group].sort((a, b) => (a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0));
    for (let i = 0; i < sorted.length; i++) {
      const receipt = sorted[i]!;
      check(receipt.sequence > 0n, `session ${sessionId}: sequences start at 1`);
      if (i > 0) check(receipt.sequence > sorted[i - 1]!.sequence, `session ${sessionId} repeats sequence ${receipt.sequence}`);
      words.push(encodeReceipt({ sessionIndex, ...receipt }));
      requestHashes.push(receipt.requestHash);
    }
  }
  const batch: UsageBatch = {
    modelId,
    batchNumber,
    servedPricing,
    sessionIds,
    receipts: words,
    requestsCommitment: requestsMerkleRoot(words, requestHashes),
    enclave,
  };
  return { batch, requestHashes };
}

/**
 * Checks the grouping and sequence rules `settle` enforces (everything except signature, key and session state),
 * so a keeper can drop a bad batch before paying gas. Returns the problems (empty when the batch is well formed),
 * each named by the ledger error it stands for (`kind`).
 * @example
 * const problems = validateUsageBatch(batch);
 * if (problems.some((problem) => problem.kind === "ReservedBitsSet")) drop(batch);
 */
export function validateUsageBatch(batch: Pick<UsageBatch, "sessionIds" | "receipts">): UsageBatchProblem[] {
  const problems: UsageBatchProblem[] = [];
  if (batch.receipts.length === 0) problems.push(batchProblem({ kind: "EmptyBatch" }));
  if (batch.sessionIds.length === 0 || batch.sessionIds.length > MAX_SESSIONS_PER_BATCH) {
    problems.push(batchProblem({ kind: "InvalidSessionCount", sessions: batch.sessionIds.length }));
  }
  let group = -1;
  let previous = 0n;
  batch.receipts.forEach((word, index) => {
    const receipt = decodeReceipt(word);
    if (receipt.reserved !== 0n) problems.push(batchProblem({ kind: "ReservedBitsSet", receipt: index }));
    if (receipt.sessionIndex === group) {
      if (receipt.sequence <= previous) problems.push(batchProblem({ kind: "SequenceNotIncreasing", receipt: index }));
    } else if (receipt.sessionIndex === group + 1) {
      group = receipt.sessionIndex;
    } else {
      problems.push(batchProblem({ kind: "InvalidSessionIndex", receipt: index }));
    }
    previous = receipt.sequence;
  });
  if (batch.receipts.length > 0 && group !== batch.sessionIds.length - 1) {
    problems.push(batchProblem({ kind: "InvalidSessionIndex", sessionsWithoutReceipts: batch.sessionIds.length - 1 - group }));
  }
  return problems;
}

/* REQUEST COMMITMENT */

/**
 * The recommended request hash: `keccak256(abi.encode(uint256 sessionId, uint256 sequence,
 * bytes32 keccak256(requestBody), bytes32 keccak256(utf8 responseId)))`.
 * @example
 * const requestHash = requestHashOf({ sessionId: 7n, sequence: 3n, requestBody: rawBody, responseId: "chatcmpl-123" });
 */
export function requestHashOf(parameters: {
  sessionId: bigint;
  sequence: bigint;
  requestBody: Uint8Array | string;
  responseId: string;
}): Hex {
  const body = typeof parameters.requestBody === "string" ? toBytes(parameters.requestBody) : parameters.requestBody;
  // The abi.encode of four static words, written directly: the gateway runs this once per request served.
  const encoded = new Uint8Array(128);
  writeUint256(encoded, 0, parameters.sessionId);
  writeUint256(encoded, 32, parameters.sequence);
  encoded.set(keccak256(body, "bytes"), 64);
  encoded.set(keccak256(toBytes(parameters.responseId), "bytes"), 96);
  return keccak256(encoded);
}

/** Writes `value` big-endian into the 32 bytes at `offset` (which must be zero). */
function writeUint256(target: Uint8Array, offset: number, value: bigint): void {
  if (value < 0n || value >= 1n << 256n) throw new RangeError(`${value} does not fit a uint256`);
  for (let index = offset + 31; value > 0n; index--) {
    target[index] = Number(value & 0xffn);
    value >>= 8n;
  }
}

/**
 * Leaf of the requests Merkle tree, as OpenZeppelin's `StandardMerkleTree` hashes a `(uint256, bytes32)` leaf:
 * `keccak256(bytes.concat(keccak256(abi.encode(uint256 receiptWord, bytes32 requestHash))))`.
 * Hashed twice, a leaf is the hash of 32 bytes and an inner node the hash of 64, so no inner node is the leaf of any
 * `(word, requestHash)`: a node of the tree cannot be passed off as a receipt with a shorter proof.
 */
export function requestLeaf(word: bigint, requestHash: Hex): Hex {
  checkHash(requestHash, "request hash");
  return keccak256(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [word, requestHash]), "bytes"));
}

/** OpenZeppelin's commutative pair hash: keccak of the two nodes, smaller first. */
function hashPair(a: Hex, b: Hex): Hex {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/** Why `word` cannot be a settled receipt (reserved bits set, sequence 0, not a uint256), or undefined. */
function receiptWordProblem(word: bigint): string | undefined {
  if (word < 0n || word >= 1n << 256n) return "is not a uint256";
  const { reserved, sequence } = decodeReceipt(word);
  if (reserved !== 0n) return "has reserved bits set";
  if (sequence === 0n) return "has sequence 0";
  return undefined;
}

function checkHash(value: Hex, what: string): void {
  check(typeof value === "string" && /^0x[0-9a-fA-F]{64}$/.test(value), `${what} ${String(value)} is not 32 bytes of hex`);
}

/** The tree's leaves; throws `ReceiptFormatError` for a word that is no valid receipt or a malformed hash. */
function leavesOf(words: readonly bigint[], requestHashes: readonly Hex[]): Hex[] {
  check(words.length === requestHashes.length, "one request hash per receipt");
  return words.map((word, i) => {
    const problem = receiptWordProblem(word);
    check(problem === undefined, `receipt word ${i} ${problem}`);
    return requestLeaf(word, requestHashes[i]!);
  });
}

function levels(leaves: readonly Hex[]): Hex[][] {
  check(leaves.length > 0, "no leaves");
  const tree: Hex[][] = [[...leaves]];
  while (tree[tree.length - 1]!.length > 1) {
    const level = tree[tree.length - 1]!;
    const next: Hex[] = [];
    for (let i = 0; i < level.length; i += 2) {
      // An odd node at the end of a level moves up unchanged (never paired with itself).
      next.push(i + 1 < level.length ? hashPair(level[i]!, level[i + 1]!) : level[i]!);
    }
    tree.push(next);
  }
  return tree;
}

/**
 * Merkle root of a batch's request hashes: leaves `requestLeaf(word_i, requestHash_i)` in receipt order, pairs
 * hashed commutatively (OpenZeppelin `MerkleProof`), an odd last node promoted unchanged (docs/receipts.md §4).
 * Throws `ReceiptFormatError` for an empty list, a word that is no valid receipt or a hash that is not 32 bytes.
 * @example
 * const root = requestsMerkleRoot(batch.receipts, requestHashes);
 */
export function requestsMerkleRoot(words: readonly bigint[], requestHashes: readonly Hex[]): Hex {
  const tree = levels(leavesOf(words, requestHashes));
  return tree[tree.length - 1]![0]!;
}

/**
 * Proof that receipt `index` (with its request hash) is in the batch's commitment; verifies with OpenZeppelin's
 * `MerkleProof.verify(proof, root, requestLeaf(word, requestHash))` or `verifyRequestProof`.
 */
export function requestProof(words: readonly bigint[], requestHashes: readonly Hex[], index: number): Hex[] {
  check(Number.isInteger(index) && index >= 0 && index < words.length, "index out of range");
  const tree = levels(leavesOf(words, requestHashes));
  const proof: Hex[] = [];
  let position = index;
  for (let depth = 0; depth < tree.length - 1; depth++) {
    const level = tree[depth]!;
    const sibling = position ^ 1;
    if (sibling < level.length) proof.push(level[sibling]!);
    position >>= 1;
  }
  return proof;
}

/**
 * Whether `proof` shows the receipt `(word, requestHash)` under `root`. False as well when `word` is no receipt the
 * ledger could have settled (reserved bits set, sequence 0, not a uint256): a proof only ever shows a receipt.
 * Throws `ReceiptFormatError` when `root`, `requestHash` or a proof element is not 32 bytes of hex.
 * @example
 * const ok = verifyRequestProof(batch.requestsCommitment, batch.receipts[i], requestHash, proof);
 */
export function verifyRequestProof(root: Hex, word: bigint, requestHash: Hex, proof: readonly Hex[]): boolean {
  checkHash(root, "root");
  checkHash(requestHash, "request hash");
  proof.forEach((sibling, i) => checkHash(sibling, `proof element ${i}`));
  if (receiptWordProblem(word) !== undefined) return false;
  let node = requestLeaf(word, requestHash);
  for (const sibling of proof) node = hashPair(node, sibling);
  return node.toLowerCase() === root.toLowerCase();
}

/* EIP-712 */

export { LEDGER_DOMAIN_NAME, LEDGER_DOMAIN_VERSION, USAGE_BATCH_TYPE } from "../constants.js";

/**
 * The EIP-712 types of a usage batch. Arrays of uint256 hash as `keccak256(abi.encodePacked(words))`. `gatewayId`
 * is the signer's EnclaveRegistry gateway: signed, but not a field of `settle`'s batch (the ledger looks it up).
 */
export const usageBatchTypes = {
  UsageBatch: [
    { name: "modelId", type: "uint256" },
    { name: "gatewayId", type: "uint256" },
    { name: "batchNumber", type: "uint256" },
    { name: "servedPricing", type: "uint256" },
    { name: "sessionIds", type: "uint256[]" },
    { name: "receipts", type: "uint256[]" },
    { name: "requestsCommitment", type: "bytes32" },
    { name: "enclave", type: "address" },
  ],
} as const;

/** The ledger's EIP-712 domain on `chainId` at `ledger`. */
export function usageBatchDomain(parameters: { chainId: number | bigint; ledger: Address }): TypedDataDomain {
  return {
    name: LEDGER_DOMAIN_NAME,
    version: LEDGER_DOMAIN_VERSION,
    chainId: Number(parameters.chainId),
    verifyingContract: parameters.ledger,
  };
}

/**
 * The typed data the enclave key of gateway `gatewayId` signs for `batch` (pass to `signTypedData`).
 * @example
 * const signature = await enclave.signTypedData(usageBatchTypedData(batch, gatewayId, domain));
 */
export function usageBatchTypedData(batch: UsageBatch, gatewayId: bigint, domain: TypedDataDomain) {
  return {
    domain,
    types: usageBatchTypes,
    primaryType: "UsageBatch" as const,
    message: {
      modelId: batch.modelId,
      gatewayId,
      batchNumber: batch.batchNumber,
      servedPricing: batch.servedPricing,
      sessionIds: [...batch.sessionIds],
      receipts: [...batch.receipts],
      requestsCommitment: batch.requestsCommitment,
      enclave: batch.enclave,
    },
  };
}

/** EIP-712 struct hash of `batch` as gateway `gatewayId` signs it. */
export function usageBatchStructHash(batch: UsageBatch, gatewayId: bigint): Hex {
  const { types, message } = usageBatchTypedData(batch, gatewayId, {});
  return hashStruct({ data: message, primaryType: "UsageBatch", types });
}

/**
 * The digest the enclave key of gateway `gatewayId` signs: equal to `InferenceLedger.usageBatchDigest(batch,
 * gatewayId)` on that chain and ledger.
 * @example
 * const digest = usageBatchDigest(batch, gatewayId, usageBatchDomain({ chainId: 31337, ledger }));
 */
export function usageBatchDigest(batch: UsageBatch, gatewayId: bigint, domain: TypedDataDomain): Hex {
  return hashTypedData(usageBatchTypedData(batch, gatewayId, domain));
}

/** `keccak256(abi.encodePacked(uint256[] words))`, as EIP-712 encodes a `uint256[]` member. */
export function hashWords(words: readonly bigint[]): Hex {
  return keccak256(words.length === 0 ? "0x" : concat(words.map((word) => numberToHex(word, { size: 32 }))));
}

/* PROTOCOL MATH (equal to the contract to the unit) */

/** Cost of token counts at `pricing` (stablecoin units per million tokens), rounded up as the ledger does. */
export function usageCost(
  tokens: { inputTokens: bigint; outputTokens: bigint; reasoningTokens: bigint },
  pricing: Pricing,
): bigint {
  const numerator =
    tokens.inputTokens * pricing.inputPerMTok +
    tokens.outputTokens * pricing.outputPerMTok +
    tokens.reasoningTokens * pricing.reasoningPerMTok;
  return (numerator + 999_999n) / 1_000_000n;
}

/** What `settle` does with one session group of a batch (see `batchCharges`). */
export type BatchCharge = {
  sessionId: bigint;
  /** Receipts of the group, skipped ones included. */
  receipts: number;
  /** Receipts skipped (`ReceiptsSkipped`): at or below the settled sequence, or all of them for another gateway's session. */
  skipped: number;
  /** The group's last sequence (the session's settled sequence afterwards, unless every receipt was skipped). */
  lastSequence: bigint;
  cost: bigint;
  charged: bigint;
  unpaid: bigint;
};

/**
 * What `settle` will compute for each session group of `batch`: the attested cost (tokens of the charged receipts
 * summed over the group, rounded up once, at `chargedPricing(pricing, batch.servedPricing)`) and, given the
 * sessions' remaining budgets, the charge and the unpaid rest. `pricing` must be the one in force at settlement;
 * without `batch.servedPricing` it is used as it is.
 *
 * `settlement` adds the session state the ledger reads, per entry of `batch.sessionIds` (a missing entry applies no
 * such rule), as `getSession` returns it:
 * - `timestamp` and `refundableAt`: a group whose session is past its refund time (`timestamp >= refundableAt[i]`,
 *   i.e. `expiry + SETTLEMENT_GRACE`) charges nothing: its whole cost is unpaid (docs/receipts.md §1, §7);
 * - `lastSequences`: receipts at or below the session's settled sequence are skipped (a session listed twice
 *   continues from its earlier group);
 * - `otherGateway`: the session is bound to another gateway than the batch's signer: all its receipts are skipped.
 * Like `remainingBudgets`, entries are per entry of `batch.sessionIds`.
 */
export function batchCharges(
  batch: Pick<UsageBatch, "sessionIds" | "receipts"> & { servedPricing?: bigint },
  pricing: Pricing,
  remainingBudgets?: readonly bigint[],
  settlement?: {
    timestamp?: bigint;
    refundableAt?: readonly bigint[];
    lastSequences?: readonly bigint[];
    otherGateway?: readonly boolean[];
  },
): BatchCharge[] {
  const charged = batch.servedPricing === undefined ? pricing : chargedPricing(pricing, batch.servedPricing);
  const sums = batch.sessionIds.map(() => ({
    inputTokens: 0n,
    outputTokens: 0n,
    reasoningTokens: 0n,
    receipts: 0,
    skipped: 0,
    lastSequence: 0n,
  }));
  // The settled sequence of each session as settlement proceeds through the groups.
  const floors = new Map<bigint, bigint>();
  batch.sessionIds.forEach((sessionId, i) => {
    const last = settlement?.lastSequences?.[i];
    if (last !== undefined && !floors.has(sessionId)) floors.set(sessionId, last);
  });
  let group = -1;
  let floor = 0n;
  for (const word of batch.receipts) {
    const receipt = decodeReceipt(word);
    const sum = sums[receipt.sessionIndex];
    check(sum !== undefined, `session index ${receipt.sessionIndex} out of range`);
    if (receipt.sessionIndex !== group) {
      group = receipt.sessionIndex;
      const sessionId = batch.sessionIds[group]!;
      floor = settlement?.otherGateway?.[group] ? MAX_SEQUENCE : (floors.get(sessionId) ?? 0n);
      // A later group of the same session starts above this one's receipts.
      if (!settlement?.otherGateway?.[group]) floors.set(sessionId, floor);
    }
    sum.receipts += 1;
    sum.lastSequence = receipt.sequence;
    if (receipt.sequence <= floor) {
      sum.skipped += 1;
      continue;
    }
    if (!settlement?.otherGateway?.[group]) floors.set(batch.sessionIds[group]!, receipt.sequence);
    sum.inputTokens += receipt.inputTokens;
    sum.outputTokens += receipt.outputTokens;
    sum.reasoningTokens += receipt.reasoningTokens;
  }
  return sums.map((sum, i) => {
    const sessionId = batch.sessionIds[i]!;
    const base = { sessionId, receipts: sum.receipts, skipped: sum.skipped };
    if (sum.receipts > 0 && sum.skipped === sum.receipts) {
      return { ...base, lastSequence: sum.lastSequence, cost: 0n, charged: 0n, unpaid: 0n };
    }
    const cost = usageCost(sum, charged);
    const refundableAt = settlement?.refundableAt?.[i];
    const pastGrace = refundableAt !== undefined && settlement?.timestamp !== undefined && settlement.timestamp >= refundableAt;
    const remaining = pastGrace ? 0n : remainingBudgets?.[i];
    const paid = remaining === undefined || cost < remaining ? cost : remaining;
    return { ...base, lastSequence: sum.lastSequence, cost, charged: paid, unpaid: cost - paid };
  });
}

/**
 * Histogram bucket of a request that generated `tokens` (output + reasoning) tokens: 0 for none, k in [1, 30]
 * for [2^(k-1), 2^k), 31 for 2^30 and more.
 */
export function histogramBucket(tokens: bigint): number {
  if (tokens <= 0n) return 0;
  const bits = tokens.toString(2).length;
  return Math.min(bits, HISTOGRAM_BUCKETS - 1);
}

/** Lower bound (inclusive) of generated tokens in `bucket`. */
export function histogramBucketFloor(bucket: number): bigint {
  return bucket === 0 ? 0n : 1n << BigInt(bucket - 1);
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ReceiptFormatError(message);
}
