/**
 * How the relay acts on `verifyUsageBatch`'s typed problems (`kind`): a batch signed by an unknown key is rejected
 * and counted under the ledger error's name; a batch whose key expired waits (throws) until the gateway
 * re-attests the key, then settles with its signature unchanged.
 */
import { keccak256, parseUnits, toHex, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  enclaveRegistryAbi,
  ledgerAddresses,
  openSession,
  packPricing,
  registerModel,
  signUsageBatch,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { ReceiptRelayJob } from "../src/jobs/receiptRelay.js";
import { createKeeperMetrics, type KeeperMetrics } from "../src/metrics.js";
import type { JobContext } from "../src/jobs/job.js";
import { jobContext } from "./context.js";

const OWNER = 1;
const BUYER = 3;
const KEEPER = 4;

let chain: LedgerChain;
let ledger: Address;
let modelId: bigint;
let gatewayId: bigint;
let sessionId: bigint;
const enclave = enclaveAccount(51);

function context(metrics: KeeperMetrics): JobContext {
  return jobContext(chain.client(KEEPER), { metrics });
}

async function sign(account = enclave): Promise<SignedUsageBatch> {
  const { batch } = await signUsageBatch({
    account,
    gatewayId,
    chainId: 31337,
    ledger,
    modelId,
    batchNumber: 1n,
    servedPricing: packPricing(demoPricing),
    receipts: [{ sessionId, sequence: 1n, inputTokens: 100n, outputTokens: 20n, reasoningTokens: 0n, requestHash: keccak256(toHex("verdicts-1")) }],
  });
  return batch;
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("verdicts")));
  ({ gatewayId } = await chain.registerDevEnclave(modelId, enclave));
  await chain.fund(BUYER, parseUnits("10", 6));
  ({ sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: parseUnits("10", 6), expiry: (await chain.now()) + 86_400n }));
});
afterAll(async () => {
  await chain?.stop();
});

describe("relay verdicts", () => {
  test("a batch signed by an unknown key is rejected, counted by the ledger error's name", async () => {
    const metrics = createKeeperMetrics();
    const job = new ReceiptRelayJob({ gatewayUrls: [], intervalMs: 10, fetchLimit: 10 });
    expect(await job.relayBatch(await sign(enclaveAccount(52)), { chainId: 31337, ledger }, context(metrics))).toBe("rejected");
    const rejected = await metrics.receiptsRejected.get();
    expect(rejected.values).toEqual([expect.objectContaining({ labels: { reason: "InvalidEnclaveKey" }, value: 1 })]);
  });

  test("a batch whose key expired waits for the key's re-attestation, then settles as signed", async () => {
    const batch = await sign();
    const metrics = createKeeperMetrics();
    const job = new ReceiptRelayJob({ gatewayUrls: [], intervalMs: 10, fetchLimit: 10 });
    const registry = ledgerAddresses(chain.reader).enclaveRegistry;
    const maxAge = await chain.reader.publicClient.readContract({ address: registry, abi: enclaveRegistryAbi, functionName: "maxAttestationAge" });
    await chain.warp(maxAge + 1n);

    await expect(job.relayBatch(batch, { chainId: 31337, ledger }, context(metrics))).rejects.toThrow(/waits for enclave .* to re-attest/);
    expect((await metrics.receiptsRejected.get()).values).toEqual([]);

    await chain.registerDevEnclave(modelId, enclave);
    expect(await job.relayBatch(batch, { chainId: 31337, ledger }, context(metrics))).toBe("settled");
  });
});
