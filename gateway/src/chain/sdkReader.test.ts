/** The sdk-backed ChainReader on anvil: an insured session carries its policy's per-request terms. */
import { buyPolicy, deposit, openSession } from "@cogfi/sdk";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BUYER, UNDERWRITER, USDC, creditLimit, startInsuranceChain, termsOf, type InsuranceChain } from "../../../sdk/test/insurance/harness.js";
import { createSdkChainReader } from "./sdkReader.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("gw-reader");
  await chain.fund(UNDERWRITER, USDC("1000"));
  await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
  await chain.fund(BUYER, USDC("100"));
});
afterAll(() => chain?.stop());

describe("createSdkChainReader", () => {
  test("session(): an insured session's policy terms (strike, per-request limit); none for an uninsured one", async () => {
    const buyer = chain.client(BUYER);
    const terms = termsOf(chain.modelId, 100n, await creditLimit(chain, BUYER, 100n));
    const { policyId } = await buyPolicy(buyer, { terms });
    const expiry = (await chain.now()) + 86_400n;
    const { sessionId: insured } = await openSession(buyer, { modelId: chain.modelId, gatewayId: chain.gatewayId, budget: USDC("1"), expiry, policyId });
    const { sessionId: plain } = await openSession(buyer, { modelId: chain.modelId, gatewayId: chain.gatewayId, budget: USDC("1"), expiry });
    const reader = createSdkChainReader(chain.reader);
    const head = await reader.head();
    expect((await reader.session(insured, head.number))?.policy).toEqual({ policyId, strikeTokens: terms.strikeTokens, limitTokens: terms.limitTokens });
    const uninsured = await reader.session(plain, head.number);
    expect(uninsured).toBeDefined();
    expect(uninsured!.policy).toBeUndefined();
  });
});
