import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buyPolicy, deposit, getPolicy, getPoolState, isCogFiError, openSession } from "../../index.js";
import { BUYER, UNDERWRITER, USDC, creditLimit, receiptsOf, startInsuranceChain, termsOf, type InsuranceChain } from "../../../test/insurance/harness.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("ins-policy");
  await chain.fund(UNDERWRITER, USDC("1000"));
  await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
  await chain.fund(BUYER, USDC("100"));
});
afterAll(() => chain?.stop());

describe("getPolicy", () => {
  test("the cover left after an insured session's heavy requests settle: claims paid = the pool's UsageCovered", async () => {
    const buyer = chain.client(BUYER);
    const terms = termsOf(chain.modelId, 1_000n, await creditLimit(chain, BUYER, 1_000n));
    const { policyId, end, expectedClaims } = await buyPolicy(buyer, { terms });
    const bought = await getPolicy(chain.reader, { policyId });
    expect(bought).toMatchObject({
      holder: chain.accounts[BUYER]!.address,
      modelId: chain.modelId,
      end,
      sessionId: 0n,
      aggregateLimit: terms.aggregateLimit,
      expectedClaims,
      released: false,
      claimsPaid: 0n,
    });
    expect(bought.cover).toMatchObject({ strikeTokens: 2_000n, limitTokens: 8_000n, coinsuranceBps: 8_000n, ratePerMTok: 400_000n, requestsLeft: 1_000n });

    const { sessionId } = await openSession(buyer, { modelId: chain.modelId, gatewayId: chain.gatewayId, budget: USDC("10"), expiry: (await chain.now()) + 86_400n, policyId });
    // 5 requests of 10,000 generated tokens (8,000 above the strike: the per-request limit), 5 of 1,000 (none).
    const usage = (i: number) => ({ outputTokens: 300n, reasoningTokens: i % 2 === 0 ? 9_700n : 700n });
    const settled = await chain.settle(receiptsOf(sessionId, 1n, 10, usage));
    // floor(5 x 8,000 tokens x $0.40/MTok x 80%) = 12,800 units.
    expect(settled.sessions).toEqual([expect.objectContaining({ sessionId, covered: 12_800n })]);

    const after = await getPolicy(chain.reader, { policyId });
    expect(after.sessionId).toBe(sessionId);
    expect(after.claimsPaid).toBe(12_800n);
    expect(after.cover.requestsLeft).toBe(990n);
    expect(after.cover.limitLeft).toBe(terms.aggregateLimit - 12_800n);
    expect((await getPoolState(chain.reader)).claims).toBe(12_800n);
  });

  test("an unknown policy is a CogFiError, not a zeroed policy", async () => {
    const error = await getPolicy(chain.reader, { policyId: 99n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isCogFiError(error, "InvalidTerms")).toBe(false);
    expect(String(error)).toMatch(/no policy 99/);
  });
});
