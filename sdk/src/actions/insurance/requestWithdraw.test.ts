import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WITHDRAW_COOLDOWN, deposit, getPoolState, insurancePoolAbi, insuranceAddresses, isCogFiError, requestWithdraw } from "../../index.js";
import { UNDERWRITER, USDC, startInsuranceChain, type InsuranceChain } from "../../../test/insurance/harness.js";

let chain: InsuranceChain;
beforeAll(async () => {
  chain = await startInsuranceChain("ins-request");
  await chain.fund(UNDERWRITER, USDC("1000"));
});
afterAll(() => chain?.stop());

describe("requestWithdraw", () => {
  test("queues shares (default: all) and restarts the cooldown; queued shares stay in the supply", async () => {
    const { shares } = await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
    const part = await requestWithdraw(chain.client(UNDERWRITER), { shares: shares / 4n });
    expect(part).toMatchObject({ shares: shares / 4n, totalShares: shares / 4n, unlockAt: (await chain.now()) + WITHDRAW_COOLDOWN });
    const rest = await requestWithdraw(chain.client(UNDERWRITER));
    expect(rest).toMatchObject({ shares: shares - shares / 4n, totalShares: shares, unlockAt: (await chain.now()) + WITHDRAW_COOLDOWN });
    const queued = await chain.reader.publicClient.readContract({
      address: insuranceAddresses(chain.reader).insurancePool,
      abi: insurancePoolAbi,
      functionName: "withdrawRequestOf",
      args: [chain.accounts[UNDERWRITER]!.address],
    });
    expect(queued).toEqual({ shares, unlockAt: Number(rest.unlockAt) });
    expect((await getPoolState(chain.reader)).totalShares).toBe(shares);
  });

  test("decodes ZeroAmount (nothing left to queue)", async () => {
    const error = await requestWithdraw(chain.client(UNDERWRITER)).catch((e: unknown) => e);
    expect(isCogFiError(error, "ZeroAmount")).toBe(true);
  });
});
