/** The batch-signing worker thread: signs the batches its parent posts, one message at a time. */
import { parentPort, workerData } from "node:worker_threads";
import type { Hex } from "viem";
import { EnclaveIdentity } from "../enclave/identity.js";
import { signBatchWith, type SignerDomain } from "./sdkSigner.js";
import type { BatchInput } from "./types.js";

const { seed, measurement, domain } = workerData as { seed: Uint8Array; measurement: Hex; domain: SignerDomain };
const identity = EnclaveIdentity.fromSeed(seed, measurement);

parentPort!.on("message", async ({ id, input }: { id: number; input: BatchInput }) => {
  try {
    const result = await signBatchWith(identity.account(input.modelId), domain, input);
    parentPort!.postMessage({ id, result });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
