/**
 * Test chain for the insurance actions: the ledger suite (with the InsurancePool as its coverage, script/Deploy.s.sol)
 * plus one model with a dev enclave and a settled history of `HISTORY_REQUESTS` requests, enough to quote policies.
 */
import { keccak256, parseUnits, toHex, type PrivateKeyAccount } from "viem";
import { registerModel } from "../../src/actions/registry/registerModel.js";
import {
  ledgerAddresses,
  openSession,
  packPricing,
  quotePremium,
  settleUsage,
  signUsageBatch,
  type PolicyTerms,
  type UsageReceipt,
} from "../../src/index.js";
import { demoPricing, modelParams } from "../fixtures.js";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../ledger/harness.js";

export const USDC = (amount: string) => parseUnits(amount, 6);
/** anvil accounts: 1 owns the model, 2 settles the history, 3 and 4 underwrite, 5 and 6 buy, 7 keeps. */
export const MODEL_OWNER = 1;
export const HISTORY_BUYER = 2;
export const UNDERWRITER = 3;
export const OTHER_UNDERWRITER = 4;
export const BUYER = 5;
export const OTHER_BUYER = 6;
export const KEEPER = 7;
/** Settled requests of the history: above the pool's 1,000-observation minimum. */
export const HISTORY_REQUESTS = 1_024;

export type InsuranceChain = LedgerChain & {
  modelId: bigint;
  gatewayId: bigint;
  enclave: PrivateKeyAccount;
  /** The next batch number of the enclave's gateway. */
  nextBatch(): bigint;
  /** Signs and settles `receipts` (of the model) as the keeper. */
  settle(receipts: readonly UsageReceipt[]): ReturnType<typeof settleUsage>;
};

/**
 * Generated tokens of history request `i`: 300 output tokens, and reasoning of 500..1,523 tokens for 15 requests in
 * 16, 6,000..9,071 for the 16th (a heavy tail: the pool's expected claims come from it).
 */
export function historyUsage(i: number): { outputTokens: bigint; reasoningTokens: bigint } {
  const heavy = i % 16 === 15;
  return { outputTokens: 300n, reasoningTokens: heavy ? 6_000n + BigInt((i * 97) % 3_072) : 500n + BigInt((i * 131) % 1_024) };
}

/** Receipts of `sessionId` from sequence `from`, with `usage(i)` generated tokens and 1,000 input tokens. */
export function receiptsOf(
  sessionId: bigint,
  from: bigint,
  count: number,
  usage: (i: number) => { outputTokens: bigint; reasoningTokens: bigint },
): UsageReceipt[] {
  return Array.from({ length: count }, (_, i) => ({
    sessionId,
    sequence: from + BigInt(i),
    inputTokens: 1_000n,
    ...usage(i),
    requestHash: keccak256(toHex(`insurance-${sessionId}-${from + BigInt(i)}`)),
  }));
}

/**
 * Starts a private anvil with the suite, a model (`demoPricing`) and its settled history.
 * @example
 * const chain = await startInsuranceChain("ins-deposit");
 * afterAll(() => chain.stop());
 */
export async function startInsuranceChain(name: string, enclaveSeed = 90): Promise<InsuranceChain> {
  const chain = await startLedgerChain();
  const { modelId } = await registerModel(chain.client(MODEL_OWNER), modelParams(name));
  const enclave = enclaveAccount(enclaveSeed);
  const { gatewayId } = await chain.registerDevEnclave(modelId, enclave);
  const { inferenceLedger } = ledgerAddresses(chain.reader);
  let batchNumber = 0n;
  const settle = async (receipts: readonly UsageReceipt[]) => {
    const { batch } = await signUsageBatch({
      account: enclave,
      gatewayId,
      chainId: chain.deployment.chainId,
      ledger: inferenceLedger,
      modelId,
      batchNumber: ++batchNumber,
      servedPricing: packPricing(demoPricing),
      receipts,
    });
    return settleUsage(chain.client(KEEPER), { batch });
  };
  await chain.fund(HISTORY_BUYER, USDC("100"));
  const expiry = (await chain.now()) + 86_400n;
  const { sessionId } = await openSession(chain.client(HISTORY_BUYER), { modelId, gatewayId, budget: USDC("100"), expiry });
  for (let from = 0; from < HISTORY_REQUESTS; from += 512) {
    await settle(receiptsOf(sessionId, BigInt(from + 1), 512, (i) => historyUsage(from + i)));
  }
  return { ...chain, modelId, gatewayId, enclave, nextBatch: () => batchNumber + 1n, settle };
}

/**
 * Terms on the chain's model: 7 days, strike 2,000 generated tokens, per-request limit 8,000, 80% co-insurance,
 * `requests` requests, aggregate limit `aggregateLimit`.
 */
export function termsOf(modelId: bigint, requests: bigint, aggregateLimit: bigint): PolicyTerms {
  return { modelId, period: 7n * 86_400n, strikeTokens: 2_000n, limitTokens: 8_000n, coinsuranceBps: 8_000n, requests, aggregateLimit };
}

/**
 * The largest aggregate limit a buyer without history may take (its premium): the premium less the capital charge
 * on a 1-unit limit is a limit the premium covers, since the premium only grows with the limit.
 */
export async function creditLimit(chain: InsuranceChain, buyer: number, requests: bigint): Promise<bigint> {
  const { premium } = await quotePremium(chain.reader, { buyer: chain.accounts[buyer]!.address, terms: termsOf(chain.modelId, requests, 1n) });
  return premium - 1n;
}
