/**
 * Builds the shared receipt test vectors (test/vectors/receipts.json) from the SDK's receipt module.
 * `tsx sdk/test/ledger/vectors.ts` rewrites the file; the forge test (test/ledger/vectors) and the vitest suite
 * (sdk/test/ledger/receipts.test.ts) both check it, so Solidity and TypeScript agree on every byte.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { keccak256, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { packPricing } from "../../src/ledger/pricing.js";
import {
  buildUsageBatch,
  USAGE_BATCH_TYPE,
  decodeReceipt,
  hashWords,
  requestProof,
  usageBatchDigest,
  usageBatchDomain,
  usageBatchStructHash,
  usageBatchTypedData,
  type UsageReceipt,
} from "../../src/ledger/receipts.js";

export const VECTORS_PATH = resolve(fileURLToPath(new URL("../../../test/vectors/receipts.json", import.meta.url)));

/** A fixed dev key, public by design: it only signs test vectors. */
export const VECTOR_ENCLAVE_KEY: Hex = "0x00000000000000000000000000000000000000000000000000000000e1c1a7e0";
export const VECTOR_CHAIN_ID = 31337;
export const VECTOR_LEDGER = "0x000000000000000000000000000000000000c0F1" as const;

const request = (label: string): Hex => keccak256(toHex(label));

const MAX32 = (1n << 32n) - 1n;

const MAX80 = (1n << 80n) - 1n;

const CASES: {
  name: string;
  modelId: bigint;
  gatewayId: bigint;
  batchNumber: bigint;
  servedPricing: bigint;
  receipts: UsageReceipt[];
}[] = [
  {
    name: "one receipt",
    modelId: 1n,
    gatewayId: 1n,
    batchNumber: 1n,
    servedPricing: packPricing({ inputPerMTok: 500_000n, outputPerMTok: 1_500_000n, reasoningPerMTok: 2_000_000n }),
    receipts: [
      { sessionId: 1n, sequence: 1n, inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n, requestHash: request("req-1") },
    ],
  },
  {
    name: "three sessions, gaps, out-of-order input",
    modelId: 2n,
    gatewayId: 3n,
    batchNumber: 17n,
    servedPricing: packPricing({ inputPerMTok: 150_000n, outputPerMTok: 600_000n, reasoningPerMTok: 0n }),
    receipts: [
      { sessionId: 7n, sequence: 3n, inputTokens: 812n, outputTokens: 240n, reasoningTokens: 1900n, requestHash: request("a3") },
      { sessionId: 42n, sequence: 1n, inputTokens: 15n, outputTokens: 1n, reasoningTokens: 0n, requestHash: request("b1") },
      { sessionId: 7n, sequence: 1n, inputTokens: 100n, outputTokens: 20n, reasoningTokens: 0n, requestHash: request("a1") },
      { sessionId: 9n, sequence: 10n, inputTokens: 4096n, outputTokens: 1024n, reasoningTokens: 65_536n, requestHash: request("c10") },
      { sessionId: 42n, sequence: 5n, inputTokens: 2n, outputTokens: 3n, reasoningTokens: 4n, requestHash: request("b5") },
      { sessionId: 7n, sequence: 4n, inputTokens: 0n, outputTokens: 0n, reasoningTokens: 0n, requestHash: request("a4") },
      { sessionId: 9n, sequence: 11n, inputTokens: 1n, outputTokens: 1n, reasoningTokens: 1n, requestHash: request("c11") },
    ],
  },
  {
    name: "widest fields",
    modelId: 281_474_976_710_655n,
    gatewayId: 281_474_976_710_655n,
    batchNumber: (1n << 64n) - 1n,
    servedPricing: packPricing({ inputPerMTok: MAX80, outputPerMTok: MAX80, reasoningPerMTok: MAX80 }),
    receipts: [
      { sessionId: 1n << 64n, sequence: 1n, inputTokens: MAX32, outputTokens: MAX32, reasoningTokens: MAX32, requestHash: request("max-1") },
      { sessionId: 1n << 64n, sequence: (1n << 48n) - 1n, inputTokens: 0n, outputTokens: MAX32, reasoningTokens: 0n, requestHash: request("max-2") },
    ],
  },
];

/** The vectors file content, as an object. */
export async function buildReceiptVectors() {
  const account = privateKeyToAccount(VECTOR_ENCLAVE_KEY);
  const domain = usageBatchDomain({ chainId: VECTOR_CHAIN_ID, ledger: VECTOR_LEDGER });
  const batches = [];
  for (const testCase of CASES) {
    const { batch, requestHashes } = buildUsageBatch({
      modelId: testCase.modelId,
      batchNumber: testCase.batchNumber,
      servedPricing: testCase.servedPricing,
      enclave: account.address,
      receipts: testCase.receipts,
    });
    const signature = await account.signTypedData(usageBatchTypedData(batch, testCase.gatewayId, domain));
    const fields = batch.receipts.map(decodeReceipt);
    batches.push({
      name: testCase.name,
      modelId: testCase.modelId.toString(),
      gatewayId: testCase.gatewayId.toString(),
      batchNumber: testCase.batchNumber.toString(),
      servedPricing: testCase.servedPricing.toString(),
      sessionIds: batch.sessionIds.map(String),
      sessionIndexes: fields.map((f) => String(f.sessionIndex)),
      sequences: fields.map((f) => f.sequence.toString()),
      inputTokens: fields.map((f) => f.inputTokens.toString()),
      outputTokens: fields.map((f) => f.outputTokens.toString()),
      reasoningTokens: fields.map((f) => f.reasoningTokens.toString()),
      requestHashes,
      words: batch.receipts.map((word) => toHex(word, { size: 32 })),
      requestsCommitment: batch.requestsCommitment,
      proofOfLastReceipt: requestProof(batch.receipts, requestHashes, batch.receipts.length - 1),
      sessionsHash: hashWords(batch.sessionIds),
      receiptsHash: hashWords(batch.receipts),
      structHash: usageBatchStructHash(batch, testCase.gatewayId),
      digest: usageBatchDigest(batch, testCase.gatewayId, domain),
      signature,
    });
  }
  return {
    description:
      "CogFi usage-batch test vectors (docs/receipts.md). Generated by sdk/test/ledger/vectors.ts; checked by " +
      "test/ledger/vectors/ReceiptVectors.t.sol and sdk/test/ledger/receipts.test.ts. Integers are decimal strings.",
    domain: { name: domain.name, version: domain.version, chainId: String(VECTOR_CHAIN_ID), verifyingContract: VECTOR_LEDGER },
    typeString: USAGE_BATCH_TYPE,
    enclavePrivateKey: VECTOR_ENCLAVE_KEY,
    enclave: account.address,
    batches,
  };
}

export function renderVectors(vectors: Awaited<ReturnType<typeof buildReceiptVectors>>): string {
  return `${JSON.stringify(vectors, null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = renderVectors(await buildReceiptVectors());
  writeFileSync(VECTORS_PATH, text);
  console.log(`wrote ${VECTORS_PATH}`);
}
