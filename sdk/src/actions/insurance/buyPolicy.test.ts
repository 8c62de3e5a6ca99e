import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buyPolicy, deposit, getPoolState, isCogFiError, quotePremium } from "../../index.js";
import { BUYER, UNDERWRITER, USDC, creditLimit, startInsuranceChain, termsOf, type InsuranceChain } from "../../../test/insurance/harness.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("ins-buy");
  await chain.fund(UNDERWRITER, USDC("1000"));
  await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
  await chain.fund(BUYER, USDC("100"));
});
afterAll(() => chain?.stop());

describe("buyPolicy", () => {
  test("a new buyer above its credit (limit > premium): LimitAboveCredit", async () => {
    const limit = await creditLimit(chain, BUYER, 1_000n);
    const error = await buyPolicy(chain.client(BUYER), { terms: termsOf(chain.modelId, 1_000n, limit * 2n) }).catch((e: unknown) => e);
    expect(isCogFiError(error, "LimitAboveCredit")).toBe(true);
  });

  test("pays the quoted premium into the pool; a second policy while the first can claim: PolicyActive", async () => {
    const terms = termsOf(chain.modelId, 1_000n, await creditLimit(chain, BUYER, 1_000n));
    const { premium } = await quotePremium(chain.reader, { buyer: chain.accounts[BUYER]!.address, terms });
    const before = await getPoolState(chain.reader);
    const bought = await buyPolicy(chain.client(BUYER), { terms });
    expect(bought.premium).toBe(premium);
    expect(bought.policyId).toBe(1n);
    expect(bought.end).toBe((await chain.now()) + terms.period);
    const after = await getPoolState(chain.reader);
    expect(after.capital - before.capital).toBe(premium);
    expect(after.premiums - before.premiums).toBe(premium);
    expect(after.exposure - before.exposure).toBe(terms.aggregateLimit);

    const again = await buyPolicy(chain.client(BUYER), { terms }).catch((e: unknown) => e);
    expect(isCogFiError(again, "PolicyActive") && again.args[0] === bought.policyId).toBe(true);
  });

  test("a premium above maxPremium: PremiumAboveMax", async () => {
    const terms = termsOf(chain.modelId, 500n, 10n);
    const error = await buyPolicy(chain.client(UNDERWRITER), { terms, maxPremium: 1n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "PremiumAboveMax") && error.args[1] === 1n).toBe(true);
  });
});
