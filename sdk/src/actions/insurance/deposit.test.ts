import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { deposit, getPoolState, isCogFiError } from "../../index.js";
import { OTHER_UNDERWRITER, UNDERWRITER, USDC, startInsuranceChain, type InsuranceChain } from "../../../test/insurance/harness.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("ins-deposit");
  await chain.fund(UNDERWRITER, USDC("10000"));
  await chain.fund(OTHER_UNDERWRITER, USDC("10000"));
});
afterAll(() => chain?.stop());

describe("deposit", () => {
  test("mints shares at 1e6 per asset unit on an empty vault, then at the vault's price; the pool's capital follows", async () => {
    const first = await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
    expect(first).toMatchObject({ assets: USDC("1000"), shares: USDC("1000") * 10n ** 6n });
    const second = await deposit(chain.client(OTHER_UNDERWRITER), { assets: USDC("250"), receiver: chain.accounts[UNDERWRITER]!.address });
    expect(second.shares).toBe(USDC("250") * 10n ** 6n);
    const state = await getPoolState(chain.reader);
    expect(state).toMatchObject({ capital: USDC("1250"), totalShares: first.shares + second.shares, shareDecimals: 12, sharePrice: USDC("1") });
  });

  test("without approval (approve: false) the stablecoin's refusal is decoded", async () => {
    const error = await deposit(chain.client(OTHER_UNDERWRITER), { assets: USDC("1"), approve: false }).catch((e: unknown) => e);
    expect(isCogFiError(error, "ERC20InsufficientAllowance")).toBe(true);
  });
});
