import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_INSURANCE_PARAMETERS, getUsageStats, isCogFiError, quotePremium, quotePremiumOffline, registerModel } from "../../index.js";
import { BUYER, MODEL_OWNER, USDC, startInsuranceChain, termsOf, type InsuranceChain } from "../../../test/insurance/harness.js";
import { modelParams } from "../../../test/fixtures.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("ins-quote");
});
afterAll(() => chain?.stop());

describe("quotePremium", () => {
  test("equals the offline premium from the model's settled histogram", async () => {
    const buyer = chain.accounts[BUYER]!.address;
    const terms = termsOf(chain.modelId, 1_000n, USDC("1"));
    const quote = await quotePremium(chain.reader, { buyer, terms });
    const { histogram } = await getUsageStats(chain.reader, { modelId: chain.modelId });
    const offline = quotePremiumOffline(terms, {
      histogram: histogram.map((bucket) => bucket.requests),
      ratePerMTok: 400_000n,
      ...DEFAULT_INSURANCE_PARAMETERS,
    });
    expect(quote).toEqual({ premium: offline.premium, expectedClaims: offline.expectedClaims });
    expect(quote.expectedClaims).toBeGreaterThan(0n);
  });

  test("decodes InvalidTerms and InsufficientHistory", async () => {
    const buyer = chain.accounts[BUYER]!.address;
    const overInsured = await quotePremium(chain.reader, { buyer, terms: { ...termsOf(chain.modelId, 10n, 1n), coinsuranceBps: 10_000n } }).catch((e: unknown) => e);
    expect(isCogFiError(overInsured, "InvalidTerms") && overInsured.args[0] === 3n).toBe(true);
    const { modelId } = await registerModel(chain.client(MODEL_OWNER), modelParams("ins-quote-new"));
    const fresh = await quotePremium(chain.reader, { buyer, terms: termsOf(modelId, 10n, 1n) }).catch((e: unknown) => e);
    expect(isCogFiError(fresh, "InsufficientHistory") && fresh.args[1] === 0n && fresh.args[2] === 1_000n).toBe(true);
  });
});
