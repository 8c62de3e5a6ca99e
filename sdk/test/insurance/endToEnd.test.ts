/**
 * Compute insurance end to end on anvil: an underwriter funds the InsurancePool, a buyer buys a policy (the sdk's
 * premium equals the contract's to the unit) and runs inference through the real gateway (simulated backend with
 * the heavy-tailed insured-demo profile) on a session opened under it; the gateway clamps max_tokens to the
 * policy's strike + limit; the keeper settles the gateway's signed batches, and at settlement the pool pays the
 * heavy requests' insured excess (UsageCovered) to the unit of the policy's formula; the underwriters' share price
 * reflects the premium and the claims.
 */
import { ANVIL_PRIVATE_KEYS } from "@cogfi/sdk/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INSURED_DEMO_SIMULATED_PROFILE } from "../../../gateway/src/config.js";
import { createSessionCredential } from "../../../gateway/src/credential.js";
import { startGateway, type RunningGateway } from "../../../gateway/src/gateway.js";
import { tempDir } from "../../../gateway/test/helpers.js";
import {
  DEFAULT_INSURANCE_PARAMETERS,
  buyPolicy,
  deposit,
  getPolicy,
  getPoolState,
  getSettledBatches,
  getUsageStats,
  ledgerAddresses,
  openSession,
  parseServedBatch,
  quotePremium,
  quotePremiumOffline,
  settleUsage,
  type BatchJson,
} from "../../src/index.js";
import { BUYER, KEEPER, UNDERWRITER, USDC, creditLimit, startInsuranceChain, termsOf, type InsuranceChain } from "./harness.js";

const MODEL = "ins-e2e";
const REQUESTS = 48;

let chain: InsuranceChain;
let gateway: RunningGateway;

beforeAll(async () => {
  chain = await startInsuranceChain(MODEL);
  await chain.fund(UNDERWRITER, USDC("1000"));
  await chain.fund(BUYER, USDC("100"));
  gateway = await startGateway({
    dataDir: tempDir(),
    http: { port: 0 },
    chain: { rpcUrl: chain.rpcUrl, deployment: chain.deployment, headMaxAgeMs: 0, pollingIntervalMs: 20 },
    models: [MODEL],
    receipts: { batchMaxDelayMs: 50 },
    enclave: { registrarKey: ANVIL_PRIVATE_KEYS[0] },
    backend: { kind: "simulated", profiles: { "*": INSURED_DEMO_SIMULATED_PROFILE } },
    logLevel: "silent",
  });
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await chain?.stop();
});

async function gatewayId(): Promise<bigint> {
  const models = ((await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string; cogfi: { gatewayId: string | null } }[] }).data;
  const id = models.find((m) => m.id === MODEL)?.cogfi.gatewayId;
  if (!id) throw new Error(`the gateway lists no gateway id for ${MODEL}`);
  return BigInt(id);
}

async function allBatches(): Promise<BatchJson[]> {
  await gateway.flushReceipts();
  const page = (await (await fetch(`${gateway.url}/v1/receipts?after=-1&limit=1000`)).json()) as { data: BatchJson[]; has_more: boolean };
  expect(page.has_more).toBe(false);
  return page.data;
}

describe("an insured buyer through the gateway", () => {
  test("heavy requests are paid in part by the pool at settlement; the share price reflects premium and claims", async () => {
    const underwriter = await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
    const buyer = chain.client(BUYER);
    const terms = termsOf(chain.modelId, 200n, await creditLimit(chain, BUYER, 200n));

    // The sdk's premium from the model's settled histogram equals the contract's quote and what the purchase took.
    const { histogram } = await getUsageStats(chain.reader, { modelId: chain.modelId });
    const offline = quotePremiumOffline(terms, { histogram: histogram.map((b) => b.requests), ratePerMTok: 400_000n, ...DEFAULT_INSURANCE_PARAMETERS });
    const quote = await quotePremium(chain.reader, { buyer: chain.accounts[BUYER]!.address, terms });
    expect(quote).toEqual({ premium: offline.premium, expectedClaims: offline.expectedClaims });
    const { policyId, premium } = await buyPolicy(buyer, { terms });
    expect(premium).toBe(offline.premium);

    const { sessionId } = await openSession(buyer, {
      modelId: chain.modelId,
      gatewayId: await gatewayId(),
      budget: USDC("20"),
      expiry: (await chain.now()) + 86_400n,
      policyId,
    });
    const apiKey = await createSessionCredential(chain.accounts[BUYER]!, { chainId: chain.deployment.chainId, ledger: ledgerAddresses(chain.reader).inferenceLedger }, sessionId);
    const ceiling = terms.strikeTokens + terms.limitTokens;
    for (let i = 0; i < REQUESTS; i++) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: `insured question ${i}` }], max_tokens: 30_000 }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      // The gateway clamps to what the policy insures.
      expect(response.headers.get("x-cogfi-max-tokens")).toBe(ceiling.toString());
      await response.text();
    }

    // The keeper settles the gateway's batches in order; per batch the pool pays
    // floor(sum of min(max(generated - strike, 0), limit) x rate x coinsurance / 1e10) for the session's group.
    const batches = (await allBatches()).sort((a, b) => Number(BigInt(a.batchNumber) - BigInt(b.batchNumber)));
    const mine = batches.flatMap((batch) => batch.items.filter((item) => item.sessionId === sessionId.toString()));
    expect(mine).toHaveLength(REQUESTS);
    let covered = 0n;
    let expectedCovered = 0n;
    let heavy = 0;
    for (const json of batches) {
      if (BigInt(json.batchNumber) <= (await getSettledBatches(chain.reader, { gatewayId: BigInt(json.gatewayId) }))) continue;
      const settled = await settleUsage(chain.client(KEEPER), { batch: parseServedBatch(json) });
      covered += settled.sessions.find((s) => s.sessionId === sessionId)?.covered ?? 0n;
      let excess = 0n;
      for (const item of json.items.filter((it) => it.sessionId === sessionId.toString())) {
        const generated = BigInt(item.outputTokens + item.reasoningTokens);
        expect(generated).toBeLessThanOrEqual(ceiling);
        if (generated > terms.strikeTokens) heavy++;
        const over = generated > terms.strikeTokens ? generated - terms.strikeTokens : 0n;
        excess += over < terms.limitTokens ? over : terms.limitTokens;
      }
      expectedCovered += (excess * 400_000n * terms.coinsuranceBps) / (1_000_000n * 10_000n);
    }
    console.info(`insured e2e: ${REQUESTS} requests, ${heavy} above the strike, premium ${premium}, claims ${covered} (units of 1e-6 USD)`);
    expect(heavy).toBeGreaterThan(0);
    expect(covered).toBeGreaterThan(0n);
    expect(covered).toBe(expectedCovered);

    const policy = await getPolicy(chain.reader, { policyId });
    expect(policy.claimsPaid).toBe(covered);
    expect(policy.cover.requestsLeft).toBe(terms.requests - BigInt(REQUESTS));
    const state = await getPoolState(chain.reader);
    expect(state).toMatchObject({ premiums: premium, claims: covered, capital: USDC("1000") + premium - covered });
    // Share price: a whole share's assets with the vault's virtual share and asset.
    expect(state.sharePrice).toBe((10n ** 12n * (USDC("1000") + premium - covered + 1n)) / (underwriter.shares + 10n ** 6n));
  }, 180_000);
});
