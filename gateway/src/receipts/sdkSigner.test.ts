import { packPricing, requestHashOf, requestProof, requestsMerkleRoot, verifyRequestProof } from "@cogfi/sdk";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { signBatchWith } from "./sdkSigner.js";
import type { Receipt } from "./types.js";

describe("signBatchWith", () => {
  test("commits to the request hashes with the sdk's Merkle tree: every receipt's proof verifies, a forged one does not", async () => {
    const account = privateKeyToAccount(`0x${"42".repeat(32)}`);
    // Two sessions interleaved in log order: the batch regroups them, `items` says which receipt each word is.
    const receipts: Receipt[] = Array.from({ length: 7 }, (_, index) => {
      const sessionId = BigInt((index % 2) + 1);
      const sequence = BigInt(Math.floor(index / 2) + 1);
      return {
        index,
        responseId: `chatcmpl-${index}`,
        modelId: 1n,
        gatewayId: 1n,
        sessionId,
        sequence,
        inputTokens: 10 + index,
        outputTokens: 20,
        reasoningTokens: 0,
        requestHash: requestHashOf({ sessionId, sequence, requestBody: `{"n":${index}}`, responseId: `chatcmpl-${index}` }),
        cost: 1n,
        pricing: packPricing({ inputPerMTok: 500_000n, outputPerMTok: 1_500_000n, reasoningPerMTok: 2_000_000n }),
        createdAt: 0,
      };
    });
    const signed = await signBatchWith(account, { chainId: 31337, ledger: "0x000000000000000000000000000000000000c0F1" }, { modelId: 1n, gatewayId: 1n, batchNumber: 1n, receipts });
    const hashes = signed.items.map((index) => receipts[index]!.requestHash);
    expect(signed.requestsCommitment).toBe(requestsMerkleRoot(signed.receipts, hashes));
    signed.receipts.forEach((word, i) => {
      const proof = requestProof(signed.receipts, hashes, i);
      expect(verifyRequestProof(signed.requestsCommitment, word, hashes[i]!, proof)).toBe(true);
      expect(verifyRequestProof(signed.requestsCommitment, word, hashes[(i + 1) % hashes.length]!, proof)).toBe(false);
    });
  });
});
