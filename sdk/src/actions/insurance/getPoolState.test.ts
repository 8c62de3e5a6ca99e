import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buyPolicy, deposit, getPoolState, openSession, DEFAULT_INSURANCE_PARAMETERS } from "../../index.js";
import { BUYER, UNDERWRITER, USDC, creditLimit, receiptsOf, startInsuranceChain, termsOf, type InsuranceChain } from "../../../test/insurance/harness.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("ins-state");
  await chain.fund(UNDERWRITER, USDC("1000"));
  await chain.fund(BUYER, USDC("100"));
});
afterAll(() => chain?.stop());

describe("getPoolState", () => {
  test("capital, exposure, loss ratio, utilization and the share price through a deposit, a premium and a claim", async () => {
    const empty = await getPoolState(chain.reader);
    expect(empty).toMatchObject({ capital: 0n, totalShares: 0n, exposure: 0n, premiums: 0n, claims: 0n, lossRatioBps: 0n, utilizationBps: 0n, policyCount: 0n });
    expect(empty).toMatchObject(DEFAULT_INSURANCE_PARAMETERS);

    const { shares } = await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
    const terms = termsOf(chain.modelId, 1_000n, await creditLimit(chain, BUYER, 1_000n));
    const { policyId, premium } = await buyPolicy(chain.client(BUYER), { terms });
    const sold = await getPoolState(chain.reader);
    expect(sold.capital).toBe(USDC("1000") + premium);
    expect(sold.exposure).toBe(terms.aggregateLimit);
    expect(sold.requiredCapital).toBe(terms.aggregateLimit); // 1x leverage
    expect(sold.freeCapital).toBe(sold.capital - terms.aggregateLimit);
    expect(sold.utilizationBps).toBe((terms.aggregateLimit * 10_000n) / sold.capital);
    // The premium raises the share price: assets per whole share (1e12 units), virtual share and asset included.
    expect(sold.sharePrice).toBe((10n ** 12n * (sold.capital + 1n)) / (shares + 10n ** 6n));
    expect(sold.sharePrice).toBeGreaterThan(USDC("1"));

    const { sessionId } = await openSession(chain.client(BUYER), { modelId: chain.modelId, gatewayId: chain.gatewayId, budget: USDC("10"), expiry: (await chain.now()) + 86_400n, policyId });
    const { sessions } = await chain.settle(receiptsOf(sessionId, 1n, 4, () => ({ outputTokens: 300n, reasoningTokens: 9_700n })));
    const covered = sessions[0]!.covered;
    expect(covered).toBe(12_800n * 4n / 5n);
    const claimed = await getPoolState(chain.reader);
    expect(claimed.claims).toBe(covered);
    expect(claimed.capital).toBe(sold.capital - covered);
    expect(claimed.exposure).toBe(sold.exposure - covered);
    expect(claimed.lossRatioBps).toBe((covered * 10_000n) / premium);
    expect(claimed.sharePrice).toBe((10n ** 12n * (claimed.capital + 1n)) / (shares + 10n ** 6n));
    expect(claimed.sharePrice).toBeLessThan(sold.sharePrice);
  });
});
