/**
 * Compute insurance for `npm start` (docs/insurance.md): on a new chain the demo model gets a settled usage history
 * (the pool quotes from 1,000 settled requests), an underwriter funds the InsurancePool, and the demo buyer buys a
 * policy on the model; its traffic sessions on that model are opened under the policy, so every settlement of a
 * heavy request is paid in part by the pool. The status line reads the pool through the sdk (`getPoolState`).
 *
 * The history is what the gateway's simulated backend serves the model (`DEMO_INSURED_PROFILE`: a lognormal body and
 * a Pareto tail of long reasoning, seeded), signed by a dev enclave of its own (a second gateway of the model,
 * registered with the local dev platform key) and settled by the deployer in two batches. The pool prices the policy
 * from that history, so the premium is the contract's quote for the very traffic the buyer then sends: the strike
 * (2,000 generated tokens) sits near the top of the body (its 98th percentile), every tail request exceeds it and the
 * pool pays 80% of the excess at settlement. The policy covers the buyer's first `DEMO_POLICY_REQUESTS` requests
 * (about three minutes of demo traffic), so claims grow into a visible share of the premium while the demo runs
 * (a seeded simulation of these terms: premium 73,249 units, as on chain; claims about 10% of it after 60 requests,
 * 42% after all 180; the rest is the pool's margin: loading, capital charge, and the histogram pricing each request
 * at the top of its power-of-two bucket, which about doubles the expected claims here).
 */
import { keccak256, parseUnits, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { INSURED_DEMO_SIMULATED_PROFILE, type SimulatedProfile } from "../gateway/src/config.js";
import { drawTokens, seededRandom } from "../gateway/src/backends/simulated.js";
import {
  buyPolicy,
  deposit,
  getPoolState,
  ledgerAddresses,
  mockStablecoinAbi,
  openSession,
  packPricing,
  quotePremium,
  registerDevEnclave,
  settleUsage,
  signUsageBatch,
  type CogFiClient,
  type GetPoolStateReturnType,
  type PolicyTerms,
  type Pricing,
} from "../sdk/src/index.js";
import { ANVIL_PRIVATE_KEYS } from "../sdk/src/node/index.js";

/** Settled requests of the demo history: above the pool's 1,000-observation minimum. */
export const DEMO_HISTORY_REQUESTS = 1_024;
/** How the gateway's simulated backend draws the insured model's tokens, and how its history was drawn. */
export const DEMO_INSURED_PROFILE: SimulatedProfile = INSURED_DEMO_SIMULATED_PROFILE;
/** Requests the demo policy insures: about three minutes of the demo traffic's insured session. */
export const DEMO_POLICY_REQUESTS = 180n;
/** What the underwriter deposits, in mUSD units. */
export const DEMO_UNDERWRITING = parseUnits("10000", 6);
/** A demo enclave key of the history's gateway (a public test key: never a secret). */
const HISTORY_ENCLAVE_KEY: Hex = `0x${"0e15707e".padStart(64, "0")}`;

export type DemoInsurance = { modelId: bigint; policyId: bigint; premium: bigint; terms: PolicyTerms };

/**
 * Signs and settles `DEMO_HISTORY_REQUESTS` requests of `modelId` as the gateway's simulated backend would have
 * served them, from a buyer session of `historyBuyer`.
 */
export async function seedInsuranceHistory(parameters: {
  deployer: CogFiClient;
  historyBuyer: CogFiClient;
  modelId: bigint;
  pricing: Pricing;
}): Promise<void> {
  const { deployer, historyBuyer, modelId } = parameters;
  const enclave = privateKeyToAccount(HISTORY_ENCLAVE_KEY);
  const { gatewayId } = await registerDevEnclave(deployer, { modelId, enclaveKey: enclave.address, platform: privateKeyToAccount(ANVIL_PRIVATE_KEYS[9]) });
  const budget = parseUnits("100", 6);
  await mint(historyBuyer, budget);
  const now = (await historyBuyer.publicClient.getBlock()).timestamp;
  const { sessionId } = await openSession(historyBuyer, { modelId, gatewayId, budget, expiry: now + 86_400n });
  const random = seededRandom("cogfi-demo-insurance-history");
  const receipts = Array.from({ length: DEMO_HISTORY_REQUESTS }, (_, i) => ({
    sessionId,
    sequence: BigInt(i + 1),
    inputTokens: 200n,
    reasoningTokens: BigInt(drawTokens(DEMO_INSURED_PROFILE.reasoning, random)),
    outputTokens: BigInt(Math.max(1, drawTokens(DEMO_INSURED_PROFILE.output, random))),
    requestHash: keccak256(toHex(`demo-history-${i}`)),
  }));
  const half = DEMO_HISTORY_REQUESTS / 2;
  for (const [index, part] of [receipts.slice(0, half), receipts.slice(half)].entries()) {
    const { batch } = await signUsageBatch({
      account: enclave,
      gatewayId,
      chainId: deployer.deployment.chainId,
      ledger: ledgerAddresses(deployer).inferenceLedger,
      modelId,
      batchNumber: BigInt(index + 1),
      servedPricing: packPricing(parameters.pricing),
      receipts: part,
    });
    await settleUsage(deployer, { batch });
  }
}

/**
 * An underwriter funds the pool and `buyer` buys a week's policy on `modelId`: strike 2,000 generated tokens, at most
 * 8,000 above it per request, 80% co-insurance, the first `DEMO_POLICY_REQUESTS` requests, the largest aggregate limit
 * a new buyer may take (its premium).
 */
export async function openDemoInsurance(parameters: { underwriter: CogFiClient; buyer: CogFiClient; modelId: bigint }): Promise<DemoInsurance> {
  const { underwriter, buyer, modelId } = parameters;
  await mint(underwriter, DEMO_UNDERWRITING);
  await deposit(underwriter, { assets: DEMO_UNDERWRITING });
  const base: PolicyTerms = {
    modelId,
    period: 7n * 86_400n,
    strikeTokens: 2_000n,
    limitTokens: 8_000n,
    coinsuranceBps: 8_000n,
    requests: DEMO_POLICY_REQUESTS,
    aggregateLimit: 1n,
  };
  // The premium grows with the limit by the capital charge only: the premium at a 1-unit limit, less that limit's
  // charge (1 unit), is a limit the premium covers (LimitAboveCredit otherwise).
  const { premium: atOne } = await quotePremium(buyer, { buyer: buyer.walletClient!.account.address, terms: base });
  const terms = { ...base, aggregateLimit: atOne - 1n };
  const { premium: quoted } = await quotePremium(buyer, { buyer: buyer.walletClient!.account.address, terms });
  await mint(buyer, quoted);
  const { policyId, premium } = await buyPolicy(buyer, { terms, maxPremium: quoted });
  return { modelId, policyId, premium, terms };
}

/** The pool as the status line shows it. */
export function readDemoInsurance(reader: CogFiClient, blockNumber: bigint): Promise<GetPoolStateReturnType> {
  return getPoolState(reader, { blockNumber });
}

async function mint(client: CogFiClient, amount: bigint): Promise<void> {
  const hash = await client.walletClient!.writeContract({
    address: client.deployment.contracts.Stablecoin,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [client.walletClient!.account.address, amount],
  });
  await client.publicClient.waitForTransactionReceipt({ hash });
}
