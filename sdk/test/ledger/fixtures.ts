/**
 * Small building blocks for the focused inference action tests (`sdk/src/actions/inference/*.test.ts`): a served
 * model with an attested dev enclave, a funded buyer with an open session, and signed batches.
 */
import { keccak256, parseUnits, toHex, type Address } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { getModel } from "../../src/actions/registry/getModel.js";
import { registerModel } from "../../src/actions/registry/registerModel.js";
import { openSession } from "../../src/actions/inference/openSession.js";
import { signUsageBatch, type SignUsageBatchReturnType } from "../../src/actions/inference/signUsageBatch.js";
import { ledgerAddresses } from "../../src/ledger/addresses.js";
import { packPricing } from "../../src/ledger/pricing.js";
import type { UsageReceipt } from "../../src/ledger/receipts.js";
import { modelParams } from "../fixtures.js";
import { enclaveAccount, type LedgerChain } from "./harness.js";

export const USDC = (amount: string): bigint => parseUnits(amount, 6);
export const MODEL_OWNER = 1;
export const BUYER = 3;
export const KEEPER = 4;

export type ServedModel = { modelId: bigint; share: Address; gatewayId: bigint; enclave: PrivateKeyAccount; ledger: Address };

/** Registers a model owned by account 1 and attests dev enclave `seed` for it; funds the buyer with 1,000 USDC. */
export async function serveModel(chain: LedgerChain, name: string, seed = 1): Promise<ServedModel> {
  const { modelId, share } = await registerModel(chain.client(MODEL_OWNER), modelParams(name));
  const enclave = enclaveAccount(seed);
  const { gatewayId } = await chain.registerDevEnclave(modelId, enclave);
  await chain.fund(BUYER, USDC("1000"));
  return { modelId, share, gatewayId, enclave, ledger: ledgerAddresses(chain.reader).inferenceLedger };
}

/** Opens a session of the buyer on the served model's gateway. */
export async function openTestSession(chain: LedgerChain, served: ServedModel, budget = USDC("10"), ttl = 86_400n): Promise<bigint> {
  const { sessionId } = await openSession(chain.client(BUYER), {
    modelId: served.modelId,
    gatewayId: served.gatewayId,
    budget,
    expiry: (await chain.now()) + ttl,
  });
  return sessionId;
}

/** `count` receipts of a session with sequences from `from`. */
export function testReceipts(sessionId: bigint, from: bigint, count: number): UsageReceipt[] {
  return Array.from({ length: count }, (_, i) => ({
    sessionId,
    sequence: from + BigInt(i),
    inputTokens: 800n + BigInt(i) * 100n,
    outputTokens: 250n,
    reasoningTokens: 1_000n * BigInt(i + 1),
    requestHash: keccak256(toHex(`request-${sessionId}-${from + BigInt(i)}`)),
  }));
}

/** Signs batch `batchNumber` of the served model's gateway at the model's current pricing. */
export async function signTestBatch(
  chain: LedgerChain,
  served: ServedModel,
  batchNumber: bigint,
  receipts: UsageReceipt[],
  account: Pick<PrivateKeyAccount, "address" | "signTypedData"> = served.enclave,
): Promise<SignUsageBatchReturnType> {
  const pricing = (await getModel(chain.reader, { modelId: served.modelId })).pricing;
  return signUsageBatch({
    account,
    gatewayId: served.gatewayId,
    chainId: chain.deployment.chainId,
    ledger: served.ledger,
    modelId: served.modelId,
    batchNumber,
    servedPricing: packPricing(pricing),
    receipts,
  });
}
