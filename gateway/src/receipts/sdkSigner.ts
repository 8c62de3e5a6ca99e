/**
 * The gateway's ReceiptSigner: packs a model's receipts with the sdk's `signUsageBatch` (grouped by session,
 * sorted by sequence, Merkle commitment of the request hashes, EIP-712 signature by the model's enclave key,
 * docs/receipts.md §3-4).
 *
 * Signing a 256-receipt batch costs ~15 ms of CPU (Merkle tree and packing in JavaScript), which on the event
 * loop would stall every request in flight; `createWorkerReceiptSigner` runs it on a worker thread instead.
 * `createSdkReceiptSigner` signs in the calling thread (tests, tools).
 */
import { Worker } from "node:worker_threads";
import { decodeReceipt, minPricing, packPricing, signUsageBatch, unpackPricing, usageBatchDomain } from "@cogfi/sdk";
import type { Address, LocalAccount } from "viem";
import type { EnclaveIdentity } from "../enclave/identity.js";
import type { BatchInput, BatchSignature, Receipt, ReceiptSigner } from "./types.js";

export type SignerDomain = { chainId: number; ledger: Address };

/** The pricing a batch of `receipts` signs: the component-wise minimum of the pricings they were served at. */
export function servedPricingOf(receipts: readonly Pick<Receipt, "pricing">[]): bigint {
  const [first, ...rest] = receipts;
  if (!first) throw new Error("a batch needs at least one receipt");
  let served = unpackPricing(first.pricing);
  for (const receipt of rest) if (receipt.pricing !== first.pricing) served = minPricing(served, unpackPricing(receipt.pricing));
  return packPricing(served);
}

/** Signs one batch with `account` (the model's enclave key, of gateway `gatewayId`). */
export async function signBatchWith(
  account: Pick<LocalAccount, "address" | "signTypedData">,
  domain: SignerDomain,
  { modelId, gatewayId, batchNumber, receipts }: BatchInput,
): Promise<BatchSignature> {
  const servedPricing = servedPricingOf(receipts);
  const { batch, digest, signature } = await signUsageBatch({
    account,
    gatewayId,
    domain: usageBatchDomain(domain),
    modelId,
    batchNumber,
    servedPricing,
    receipts: receipts.map((receipt) => ({
      sessionId: receipt.sessionId,
      sequence: receipt.sequence,
      inputTokens: BigInt(receipt.inputTokens),
      outputTokens: BigInt(receipt.outputTokens),
      reasoningTokens: BigInt(receipt.reasoningTokens),
      requestHash: receipt.requestHash,
    })),
  });
  // Which receipt each word is: the batch orders them by session, then sequence.
  const bySessionSequence = new Map(receipts.map((receipt) => [`${receipt.sessionId}:${receipt.sequence}`, receipt.index]));
  const items = batch.receipts.map((word) => {
    const { sessionIndex, sequence } = decodeReceipt(word);
    return bySessionSequence.get(`${batch.sessionIds[sessionIndex]}:${sequence}`)!;
  });
  return {
    modelId,
    gatewayId,
    batchNumber,
    servedPricing,
    enclave: account.address,
    sessionIds: [...batch.sessionIds],
    receipts: [...batch.receipts],
    requestsCommitment: batch.requestsCommitment,
    digest,
    signature,
    items,
  };
}

/** Signs in the calling thread. */
export function createSdkReceiptSigner(identity: EnclaveIdentity, domain: SignerDomain): ReceiptSigner {
  return {
    enclaveFor: (modelId) => identity.address(modelId),
    signBatch: (input) => signBatchWith(identity.account(input.modelId), domain, input),
  };
}

type WorkerReply = { id: number; result?: BatchSignature; error?: string };

/**
 * Signs on a worker thread, one batch at a time, so the event loop keeps serving requests. `nice` (Linux, 0-19)
 * lowers the worker thread's scheduling priority.
 */
export function createWorkerReceiptSigner(
  identity: EnclaveIdentity,
  domain: SignerDomain,
  options: { nice?: number } = {},
): ReceiptSigner {
  const worker = new Worker(new URL("./signerWorker.mjs", import.meta.url), {
    workerData: { seed: identity.seed, measurement: identity.measurement, domain, nice: options.nice ?? 0 },
  });
  worker.unref();
  const pending = new Map<number, { resolve: (value: BatchSignature) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on("message", (reply: WorkerReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.result) waiter.resolve(reply.result);
    else waiter.reject(new Error(`signing worker: ${reply.error ?? "unknown error"}`));
  });
  worker.on("error", (error) => failAll(new Error("the signing worker crashed", { cause: error })));
  worker.on("exit", (code) => failAll(new Error(`the signing worker exited with ${code}`)));
  return {
    enclaveFor: (modelId) => identity.address(modelId),
    signBatch(input) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise<BatchSignature>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, input });
      }).finally(() => {
        if (pending.size === 0) worker.unref();
      });
    },
    async close() {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}
