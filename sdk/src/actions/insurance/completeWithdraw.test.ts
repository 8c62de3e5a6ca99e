import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WITHDRAW_COOLDOWN, completeWithdraw, deposit, getPoolState, isCogFiError, requestWithdraw } from "../../index.js";
import { OTHER_UNDERWRITER, UNDERWRITER, USDC, startInsuranceChain, type InsuranceChain } from "../../../test/insurance/harness.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("ins-complete");
  await chain.fund(UNDERWRITER, USDC("1000"));
});
afterAll(() => chain?.stop());

describe("completeWithdraw", () => {
  test("nothing queued: NoWithdrawRequest; before the cooldown: ERC4626ExceededMaxRedeem; after it: the assets", async () => {
    const { shares } = await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
    const none = await completeWithdraw(chain.client(UNDERWRITER)).catch((e: unknown) => e);
    expect(isCogFiError(none, "NoWithdrawRequest")).toBe(true);

    await requestWithdraw(chain.client(UNDERWRITER), { shares: shares / 2n });
    const early = await completeWithdraw(chain.client(UNDERWRITER)).catch((e: unknown) => e);
    expect(isCogFiError(early, "ERC4626ExceededMaxRedeem")).toBe(true);

    await chain.warp(WITHDRAW_COOLDOWN);
    const receiver = chain.accounts[OTHER_UNDERWRITER]!.address;
    const done = await completeWithdraw(chain.client(UNDERWRITER), { receiver });
    // No premium or claim in between: half the shares redeem half the deposit, less the virtual asset's rounding.
    expect(done.shares).toBe(shares / 2n);
    expect(done.assets).toBe((shares / 2n) * (USDC("1000") + 1n) / (shares + 10n ** 6n));
    expect(USDC("500") - done.assets).toBeLessThanOrEqual(1n);
    expect((await getPoolState(chain.reader)).capital).toBe(USDC("1000") - done.assets);
  });
});
