/** The batch-signing worker thread: signs the batches its parent posts, one message at a time. */
import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type { Hex } from "viem";
import { EnclaveIdentity } from "../enclave/identity.js";
import { signBatchWith, type SignerDomain } from "./sdkSigner.js";
import type { BatchInput } from "./types.js";

const { seed, measurement, domain, nice } = workerData as {
  seed: Uint8Array;
  measurement: Hex;
  domain: SignerDomain;
  nice: number;
};
const identity = EnclaveIdentity.fromSeed(seed, measurement);

// Signing is batched and nobody waits on it, while every request in flight waits on the event loop: when the
// cores are contended, let the scheduler prefer the loop. Linux sets a nice value per thread, by thread id.
if (nice > 0 && process.platform === "linux") {
  try {
    setPriority(Number(readlinkSync("/proc/thread-self").split("/").pop()), nice);
  } catch {
    // Not allowed or not supported here: sign at normal priority.
  }
}

parentPort!.on("message", async ({ id, input }: { id: number; input: BatchInput }) => {
  try {
    const result = await signBatchWith(identity.account(input.modelId), domain, input);
    parentPort!.postMessage({ id, result });
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
