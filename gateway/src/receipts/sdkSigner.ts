/**
 * The ReceiptSigner of the gateway: packs a model's receipts with the sdk's `buildUsageBatch` (grouped by
 * session, sorted by sequence, Merkle commitment of the request hashes) and signs the EIP-712 digest with the
 * model's enclave key (docs/receipts.md §3-4).
 */
import { buildUsageBatch, decodeReceipt, signUsageBatch, usageBatchDomain } from "@cogfi/sdk";
import type { Address } from "viem";
import type { EnclaveIdentity } from "../enclave/identity.js";
import type { BatchInput, BatchSignature, ReceiptSigner } from "./types.js";

export function createSdkReceiptSigner(identity: EnclaveIdentity, domain: { chainId: number; ledger: Address }): ReceiptSigner {
  const typedDomain = usageBatchDomain(domain);
  return {
    enclaveFor: (modelId) => identity.address(modelId),
    async signBatch({ modelId, receipts }: BatchInput): Promise<BatchSignature> {
      const account = identity.account(modelId);
      const { batch } = buildUsageBatch({
        modelId,
        enclave: account.address,
        receipts: receipts.map((receipt) => ({
          sessionId: receipt.sessionId,
          sequence: receipt.sequence,
          inputTokens: BigInt(receipt.inputTokens),
          outputTokens: BigInt(receipt.outputTokens),
          reasoningTokens: BigInt(receipt.reasoningTokens),
          requestHash: receipt.requestHash,
        })),
      });
      const signed = await signUsageBatch({ account, batch, domain: typedDomain });
      // Which receipt each word is: the batch orders them by session then sequence.
      const bySessionSequence = new Map(receipts.map((receipt) => [`${receipt.sessionId}:${receipt.sequence}`, receipt.index]));
      const items = batch.receipts.map((word) => {
        const { sessionIndex, sequence } = decodeReceipt(word);
        return bySessionSequence.get(`${batch.sessionIds[sessionIndex]}:${sequence}`)!;
      });
      return {
        modelId,
        enclave: account.address,
        sessionIds: [...batch.sessionIds],
        receipts: [...batch.receipts],
        requestsCommitment: batch.requestsCommitment,
        digest: signed.digest,
        signature: signed.signature,
        items,
      };
    },
  };
}
