import { readFileSync } from "node:fs";
import fc from "fast-check";
import { concat, encodeAbiParameters, keccak256, toBytes, toHex, type Hex } from "viem";
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
  requestLeaf,
  requestProof,
  requestsMerkleRoot,
  usageCost,
  validateUsageBatch,
  verifyRequestProof,
  type UsageReceipt,
} from "../../src/index.js";
import { fcParams } from "../../src/testing/index.js";
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
      fcParams(),
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
    expect(validateUsageBatch({ sessionIds: [1n, 2n], receipts: [word(0, 1n), word(0, 1n), word(1, 1n)] })).toEqual([
      { kind: "SequenceNotIncreasing", receipt: 1, message: "SequenceNotIncreasing: receipt 1" },
    ]);
    expect(validateUsageBatch({ sessionIds: [1n, 2n], receipts: [word(1, 1n)] })[0]).toEqual({
      kind: "InvalidSessionIndex",
      receipt: 0,
      message: "InvalidSessionIndex: receipt 0",
    });
    expect(validateUsageBatch({ sessionIds: [1n, 2n], receipts: [word(0, 1n)] })).toEqual([
      { kind: "InvalidSessionIndex", sessionsWithoutReceipts: 1, message: "InvalidSessionIndex: 1 listed sessions have no receipts" },
    ]);
    expect(validateUsageBatch({ sessionIds: [1n], receipts: [word(0, 1n) | (1n << 100n)] })).toEqual([
      { kind: "ReservedBitsSet", receipt: 0, message: "ReservedBitsSet: receipt 0" },
    ]);
    expect(validateUsageBatch({ sessionIds: [], receipts: [] }).map((problem) => problem.kind)).toEqual(["EmptyBatch", "InvalidSessionCount"]);
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
      fcParams({ numRuns: 300 }),
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
      fcParams({ numRuns: 20 }),
    );
  });
});

describe("request commitment: leaves are not inner nodes (second-preimage attack)", () => {
  /** A well-formed batch of `n` receipts of one session, and its request hashes. */
  const tree = (n: number) => {
    const words = Array.from({ length: n }, (_, i) =>
      encodeReceipt({ sessionIndex: 0, sequence: BigInt(i + 1), inputTokens: 10n, outputTokens: 20n, reasoningTokens: 30n }),
    );
    const hashes = words.map((_, i) => hash(`attack-${i}`));
    return { words, hashes, root: requestsMerkleRoot(words, hashes) };
  };
  const sorted = (a: Hex, b: Hex): [Hex, Hex] => (BigInt(a) < BigInt(b) ? [a, b] : [b, a]);
  /** OpenZeppelin's `processProof`, written out: fold the siblings into the node with the commutative pair hash. */
  const fold = (node: Hex, proof: readonly Hex[]) => proof.reduce((acc, sibling) => keccak256(concat(sorted(acc, sibling))), node);

  test("attack: the inner node over receipts 0 and 1 does not verify as a receipt with the shorter proof", () => {
    const { words, hashes, root } = tree(4);
    const [lo, hi] = sorted(requestLeaf(words[0]!, hashes[0]!), requestLeaf(words[1]!, hashes[1]!));
    const inner = keccak256(concat([lo, hi]));
    // The proof of receipt 0 without its first sibling proves the inner node (any node is under the root).
    const shorter = requestProof(words, hashes, 0).slice(1);
    expect(fold(inner, shorter)).toBe(root);
    // The forged claim reads the inner node's children as (receipt word, request hash).
    expect(verifyRequestProof(root, BigInt(lo), hi, shorter)).toBe(false);
    // And not only because that word is no valid receipt (reserved bits set): its leaf is not the inner node.
    expect(requestLeaf(BigInt(lo), hi)).not.toBe(inner);
  });

  test("requestLeaf is OpenZeppelin's StandardMerkleTree leaf of (uint256, bytes32)", () => {
    const word = encodeReceipt({ sessionIndex: 2, sequence: 9n, inputTokens: 1n, outputTokens: 2n, reasoningTokens: 3n });
    const encoded = encodeAbiParameters([{ type: "uint256" }, { type: "bytes32" }], [word, hash("leaf")]);
    expect(requestLeaf(word, hash("leaf"))).toBe(keccak256(keccak256(encoded)));
  });

  test("a one-receipt tree's root is its leaf; an odd last node moves up unchanged", () => {
    const { words, hashes } = tree(3);
    const leaves = words.map((word, i) => requestLeaf(word, hashes[i]!));
    expect(requestsMerkleRoot(words.slice(0, 1), hashes.slice(0, 1))).toBe(leaves[0]);
    expect(requestProof(words.slice(0, 1), hashes.slice(0, 1), 0)).toEqual([]);
    expect(requestsMerkleRoot(words, hashes)).toBe(keccak256(concat(sorted(keccak256(concat(sorted(leaves[0]!, leaves[1]!))), leaves[2]!))));
    expect(requestProof(words, hashes, 2)).toEqual([keccak256(concat(sorted(leaves[0]!, leaves[1]!)))]);
  });

  test("verifyRequestProof is false for a word that is no receipt, even under a root that commits to it", () => {
    const good = encodeReceipt({ sessionIndex: 0, sequence: 1n, inputTokens: 1n, outputTokens: 1n, reasoningTokens: 1n });
    for (const bad of [good | (1n << 100n), encodeReceipt({ sessionIndex: 0, sequence: 0n, inputTokens: 1n, outputTokens: 1n, reasoningTokens: 1n })]) {
      // A tree built by hand (the sdk refuses to commit to such a word) in which the bad word's proof is right.
      const [a, b] = [requestLeaf(bad, hash("bad")), requestLeaf(good, hash("good"))];
      const root = keccak256(concat(sorted(a, b)));
      expect(fold(a, [b])).toBe(root);
      expect(verifyRequestProof(root, bad, hash("bad"), [b])).toBe(false);
      expect(verifyRequestProof(root, good, hash("good"), [a])).toBe(true);
      expect(() => requestsMerkleRoot([good, bad], [hash("good"), hash("bad")])).toThrow(ReceiptFormatError);
      expect(() => requestProof([good, bad], [hash("good"), hash("bad")], 0)).toThrow(/receipt word 1/);
    }
    expect(verifyRequestProof(hash("root"), -1n, hash("x"), [])).toBe(false);
    expect(verifyRequestProof(hash("root"), 1n << 256n, hash("x"), [])).toBe(false);
  });

  test("verifyRequestProof throws ReceiptFormatError for a root, hash or proof element that is not 32 bytes", () => {
    const { words, hashes, root } = tree(2);
    const proof = requestProof(words, hashes, 0);
    expect(verifyRequestProof(root, words[0]!, hashes[0]!, proof)).toBe(true);
    expect(() => verifyRequestProof("0x1234", words[0]!, hashes[0]!, proof)).toThrow(ReceiptFormatError);
    expect(() => verifyRequestProof(root, words[0]!, `${hashes[0]!}00`, proof)).toThrow(/request hash/);
    expect(() => verifyRequestProof(root, words[0]!, hashes[0]!, [`0x${proof[0]!.slice(4)}`])).toThrow(/proof element 0/);
  });

  test("attack (property): no inner node of any tree verifies as the leaf of its children", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), (n, pick) => {
        const { words, hashes, root } = tree(n);
        // Every level of the tree, built from the leaves with the documented pair rule.
        const levels: Hex[][] = [words.map((word, i) => requestLeaf(word, hashes[i]!))];
        while (levels.at(-1)!.length > 1) {
          const level = levels.at(-1)!;
          levels.push(Array.from({ length: Math.ceil(level.length / 2) }, (_, k) =>
            2 * k + 1 < level.length ? keccak256(concat(sorted(level[2 * k]!, level[2 * k + 1]!))) : level[2 * k]!,
          ));
        }
        expect(levels.at(-1)![0]).toBe(root);
        // One inner node: a pair at some level, and the proof of it (its siblings from its level up).
        const depth = 1 + (pick % (levels.length - 1));
        const below = levels[depth - 1]!;
        const k = Math.floor((pick >> 8) % Math.floor(below.length / 2));
        const [lo, hi] = sorted(below[2 * k]!, below[2 * k + 1]!);
        const proof: Hex[] = [];
        for (let d = depth, position = k; d < levels.length - 1; d++, position >>= 1) {
          const sibling = levels[d]![position ^ 1];
          if (sibling !== undefined) proof.push(sibling);
        }
        expect(fold(levels[depth]![k]!, proof)).toBe(root);
        expect(verifyRequestProof(root, BigInt(lo), hi, proof)).toBe(false);
        expect(requestLeaf(BigInt(lo), hi)).not.toBe(levels[depth]![k]);
      }),
      fcParams({ numRuns: 100 }),
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
