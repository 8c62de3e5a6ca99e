import { readFileSync } from "node:fs";
import fc from "fast-check";
import { encodeAbiParameters, keccak256, toBytes, toHex, type Hex } from "viem";
import { describe, expect, test } from "vitest";
import {
  batchCharges,
  buildUsageBatch,
  chargedPricing,
  minPricing,
  packPricing,
  unpackPricing,
  decodeReceipt,
  encodeReceipt,
  histogramBucket,
  MAX_TOKENS,
  ReceiptFormatError,
  requestHashOf,
  requestProof,
  requestsMerkleRoot,
  usageCost,
  validateUsageBatch,
  verifyRequestProof,
  type UsageReceipt,
} from "../../src/ledger/index.js";
import { buildReceiptVectors, renderVectors, VECTORS_PATH } from "./vectors.js";

const hash = (label: string): Hex => keccak256(toHex(label));

describe("receipt vectors", () => {
  test("test/vectors/receipts.json is exactly what the SDK produces", async () => {
    // The forge suite (test/ledger/vectors) checks the same file against the contract.
    expect(readFileSync(VECTORS_PATH, "utf8")).toBe(renderVectors(await buildReceiptVectors()));
  });
});

describe("encodeReceipt / decodeReceipt", () => {
  test("layout", () => {
    expect(
      encodeReceipt({ sessionIndex: 0x1234, sequence: 0xabcdef012345n, inputTokens: 0x11111111n, outputTokens: 0x22222222n, reasoningTokens: 0x33333333n }),
    ).toBe(0x1234abcdef012345000000000000000000000000111111112222222233333333n);
  });

  test("round trip", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.bigInt({ min: 0n, max: (1n << 48n) - 1n }),
        fc.bigInt({ min: 0n, max: MAX_TOKENS }),
        fc.bigInt({ min: 0n, max: MAX_TOKENS }),
        fc.bigInt({ min: 0n, max: MAX_TOKENS }),
        (sessionIndex, sequence, inputTokens, outputTokens, reasoningTokens) => {
          const fields = { sessionIndex, sequence, inputTokens, outputTokens, reasoningTokens };
          expect(decodeReceipt(encodeReceipt(fields))).toEqual({ ...fields, reserved: 0n });
        },
      ),
    );
  });

  test.each([
    { sessionIndex: 0x10000, sequence: 1n, inputTokens: 0n, outputTokens: 0n, reasoningTokens: 0n },
    { sessionIndex: 0, sequence: 1n << 48n, inputTokens: 0n, outputTokens: 0n, reasoningTokens: 0n },
    { sessionIndex: 0, sequence: 1n, inputTokens: 1n << 32n, outputTokens: 0n, reasoningTokens: 0n },
    { sessionIndex: 0, sequence: 1n, inputTokens: 0n, outputTokens: -1n, reasoningTokens: 0n },
  ])("rejects a field that does not fit: %o", (fields) => {
    expect(() => encodeReceipt(fields)).toThrow(ReceiptFormatError);
  });
});

describe("buildUsageBatch", () => {
  const receipt = (sessionId: bigint, sequence: bigint, tokens = 10n): UsageReceipt => ({
    sessionId,
    sequence,
    inputTokens: tokens,
    outputTokens: tokens,
    reasoningTokens: tokens,
    requestHash: hash(`${sessionId}:${sequence}`),
  });
  const enclave = "0x0629009567d838C511B956De2782a3ffBEC680A9";
  const numbered = { batchNumber: 1n, servedPricing: 0n };

  test("groups by session in order of appearance and sorts by sequence", () => {
    const { batch } = buildUsageBatch({
      modelId: 1n,
      ...numbered,
      enclave,
      receipts: [receipt(5n, 3n), receipt(9n, 1n), receipt(5n, 1n), receipt(9n, 2n)],
    });
    expect(batch.sessionIds).toEqual([5n, 9n]);
    expect(batch.receipts.map((word) => [decodeReceipt(word).sessionIndex, decodeReceipt(word).sequence])).toEqual([
      [0, 1n],
      [0, 3n],
      [1, 1n],
      [1, 2n],
    ]);
    expect(validateUsageBatch(batch)).toEqual([]);
  });

  test("rejects a repeated sequence, sequence 0 and an empty batch", () => {
    expect(() => buildUsageBatch({ modelId: 1n, ...numbered, enclave, receipts: [receipt(1n, 2n), receipt(1n, 2n)] })).toThrow(/repeats/);
    expect(() => buildUsageBatch({ modelId: 1n, ...numbered, enclave, receipts: [receipt(1n, 0n)] })).toThrow(/start at 1/);
    expect(() => buildUsageBatch({ modelId: 1n, ...numbered, enclave, receipts: [] })).toThrow(ReceiptFormatError);
    expect(() => buildUsageBatch({ modelId: 1n, batchNumber: 0n, servedPricing: 0n, enclave, receipts: [receipt(1n, 1n)] })).toThrow(
      /batches count from 1/,
    );
  });

  test("validateUsageBatch names the ledger's errors", () => {
    const word = (index: number, sequence: bigint) =>
      encodeReceipt({ sessionIndex: index, sequence, inputTokens: 1n, outputTokens: 1n, reasoningTokens: 1n });
    expect(validateUsageBatch({ sessionIds: [1n, 2n], receipts: [word(0, 1n), word(0, 1n), word(1, 1n)] })[0]).toMatch(/^SequenceNotIncreasing/);
    expect(validateUsageBatch({ sessionIds: [1n, 2n], receipts: [word(1, 1n)] })[0]).toMatch(/^InvalidSessionIndex/);
    expect(validateUsageBatch({ sessionIds: [1n, 2n], receipts: [word(0, 1n)] })[0]).toMatch(/^InvalidSessionIndex/);
    expect(validateUsageBatch({ sessionIds: [1n], receipts: [word(0, 1n) | (1n << 100n)] })[0]).toMatch(/^ReservedBitsSet/);
  });
});

describe("request commitment", () => {
  test("property: requestHashOf is keccak256(abi.encode(sessionId, sequence, keccak(body), keccak(responseId)))", () => {
    const uint256 = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
    fc.assert(
      fc.property(uint256, uint256, fc.uint8Array({ maxLength: 300 }), fc.string(), (sessionId, sequence, body, responseId) => {
        const reference = keccak256(
          encodeAbiParameters(
            [{ type: "uint256" }, { type: "uint256" }, { type: "bytes32" }, { type: "bytes32" }],
            [sessionId, sequence, keccak256(body), keccak256(toBytes(responseId))],
          ),
        );
        expect(requestHashOf({ sessionId, sequence, requestBody: body, responseId })).toBe(reference);
        expect(requestHashOf({ sessionId, sequence, requestBody: toHex(body), responseId })).toBe(reference);
      }),
      { numRuns: 300 },
    );
    expect(() => requestHashOf({ sessionId: -1n, sequence: 1n, requestBody: "0x", responseId: "x" })).toThrow(RangeError);
    expect(() => requestHashOf({ sessionId: 1n, sequence: 1n << 256n, requestBody: "0x", responseId: "x" })).toThrow(RangeError);
  });

  test("every receipt has a proof that verifies, and only for its own hash", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (n) => {
        const words = Array.from({ length: n }, (_, i) =>
          encodeReceipt({ sessionIndex: 0, sequence: BigInt(i + 1), inputTokens: 1n, outputTokens: 2n, reasoningTokens: 3n }),
        );
        const hashes = words.map((_, i) => hash(`r${i}`));
        const root = requestsMerkleRoot(words, hashes);
        for (let i = 0; i < n; i++) {
          const proof = requestProof(words, hashes, i);
          expect(verifyRequestProof(root, words[i]!, hashes[i]!, proof)).toBe(true);
          expect(verifyRequestProof(root, words[i]!, hash("forged"), proof)).toBe(false);
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe("protocol math", () => {
  const pricing = { inputPerMTok: 500_000n, outputPerMTok: 1_500_000n, reasoningPerMTok: 2_000_000n };

  test("usageCost rounds up like the ledger", () => {
    expect(usageCost({ inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n }, pricing)).toBe(5250n);
    expect(usageCost({ inputTokens: 1n, outputTokens: 0n, reasoningTokens: 0n }, pricing)).toBe(1n);
    expect(usageCost({ inputTokens: 0n, outputTokens: 0n, reasoningTokens: 0n }, pricing)).toBe(0n);
  });

  test("batchCharges sums per group, rounds once and caps by budget", () => {
    const words = [
      encodeReceipt({ sessionIndex: 0, sequence: 1n, inputTokens: 1n, outputTokens: 0n, reasoningTokens: 0n }),
      encodeReceipt({ sessionIndex: 0, sequence: 2n, inputTokens: 1n, outputTokens: 0n, reasoningTokens: 0n }),
      encodeReceipt({ sessionIndex: 1, sequence: 1n, inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n }),
    ];
    expect(batchCharges({ sessionIds: [1n, 2n], receipts: words }, pricing, [10n, 1000n])).toEqual([
      { sessionId: 1n, receipts: 2, skipped: 0, lastSequence: 2n, cost: 1n, charged: 1n, unpaid: 0n },
      { sessionId: 2n, receipts: 1, skipped: 0, lastSequence: 1n, cost: 5250n, charged: 1000n, unpaid: 4250n },
    ]);
  });

  test("batchCharges charges nothing from a session's refundableAt on", () => {
    const words = [
      encodeReceipt({ sessionIndex: 0, sequence: 1n, inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n }),
      encodeReceipt({ sessionIndex: 1, sequence: 1n, inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n }),
      encodeReceipt({ sessionIndex: 2, sequence: 1n, inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n }),
    ];
    const batch = { sessionIds: [1n, 2n, 3n], receipts: words };
    // Session 1 is one second before its refund time, session 2 exactly at it, session 3 past it.
    expect(batchCharges(batch, pricing, [10_000n, 10_000n, 10_000n], { timestamp: 1_000n, refundableAt: [1_001n, 1_000n, 999n] })).toEqual([
      { sessionId: 1n, receipts: 1, skipped: 0, lastSequence: 1n, cost: 5250n, charged: 5250n, unpaid: 0n },
      { sessionId: 2n, receipts: 1, skipped: 0, lastSequence: 1n, cost: 5250n, charged: 0n, unpaid: 5250n },
      { sessionId: 3n, receipts: 1, skipped: 0, lastSequence: 1n, cost: 5250n, charged: 0n, unpaid: 5250n },
    ]);
    // Without budgets the late rule still applies.
    expect(batchCharges(batch, pricing, undefined, { timestamp: 1_000n, refundableAt: [1_001n, 1_000n] }).map((c) => c.charged)).toEqual([
      5250n,
      0n,
      5250n,
    ]);
  });

  test("batchCharges charges the lower of the served pricing and the pricing in force, per token kind", () => {
    const words = [encodeReceipt({ sessionIndex: 0, sequence: 1n, inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n })];
    const served = packPricing({ inputPerMTok: 1_000_000n, outputPerMTok: 1_000_000n, reasoningPerMTok: 1_000_000n });
    // input at 500_000 (in force), output and reasoning at 1_000_000 (served): 500 + 500 + 2000 = 3000.
    expect(batchCharges({ sessionIds: [1n], receipts: words, servedPricing: served }, pricing)[0]!.cost).toBe(3000n);
    expect(chargedPricing(pricing, served)).toEqual({ inputPerMTok: 500_000n, outputPerMTok: 1_000_000n, reasoningPerMTok: 1_000_000n });
  });

  test("batchCharges skips receipts at or below the settled sequence and another gateway's sessions", () => {
    const word = (sessionIndex: number, sequence: bigint) =>
      encodeReceipt({ sessionIndex, sequence, inputTokens: 1000n, outputTokens: 500n, reasoningTokens: 2000n });
    // Session 1 settled up to 2 (receipts 1..3: two stale); session 2 bound elsewhere; session 1 listed again.
    const batch = { sessionIds: [1n, 2n, 1n], receipts: [word(0, 1n), word(0, 2n), word(0, 3n), word(1, 1n), word(2, 4n)] };
    expect(batchCharges(batch, pricing, undefined, { lastSequences: [2n, 0n, 2n], otherGateway: [false, true, false] })).toEqual([
      { sessionId: 1n, receipts: 3, skipped: 2, lastSequence: 3n, cost: 5250n, charged: 5250n, unpaid: 0n },
      { sessionId: 2n, receipts: 1, skipped: 1, lastSequence: 1n, cost: 0n, charged: 0n, unpaid: 0n },
      { sessionId: 1n, receipts: 1, skipped: 0, lastSequence: 4n, cost: 5250n, charged: 5250n, unpaid: 0n },
    ]);
  });

  test("packPricing / unpackPricing / minPricing", () => {
    const max = (1n << 80n) - 1n;
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max }), fc.bigInt({ min: 0n, max }), fc.bigInt({ min: 0n, max }), (i, o, r) => {
        const p = { inputPerMTok: i, outputPerMTok: o, reasoningPerMTok: r };
        const packed = packPricing(p);
        expect(packed).toBe((i << 160n) | (o << 80n) | r);
        expect(unpackPricing(packed)).toEqual(p);
      }),
    );
    expect(() => packPricing({ inputPerMTok: max + 1n, outputPerMTok: 0n, reasoningPerMTok: 0n })).toThrow(ReceiptFormatError);
    expect(minPricing(pricing, { inputPerMTok: 1n, outputPerMTok: 2_000_000n, reasoningPerMTok: 3n })).toEqual({
      inputPerMTok: 1n,
      outputPerMTok: 1_500_000n,
      reasoningPerMTok: 3n,
    });
  });

  test("histogramBucket matches the ledger's buckets", () => {
    const cases: [bigint, number][] = [
      [0n, 0],
      [1n, 1],
      [2n, 2],
      [3n, 2],
      [4n, 3],
      [1023n, 10],
      [1024n, 11],
      [1n << 29n, 30],
      [(1n << 30n) - 1n, 30],
      [1n << 30n, 31],
      [(1n << 33n) - 2n, 31],
    ];
    for (const [tokens, bucket] of cases) expect(histogramBucket(tokens), `${tokens}`).toBe(bucket);
  });
});
