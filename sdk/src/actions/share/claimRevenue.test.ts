import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseUnits, type Address } from "viem";
import { claimRevenue, getClaimableRevenue, mockStablecoinAbi } from "../../index.js";
import type { TestChain } from "../../testing/testChain.js";
import { startEarnerChain } from "../../../test/share/earner.js";

const DAY = 86_400n;
let chain: TestChain;
let share: Address;
let depositRevenue: (amount: bigint) => Promise<void>;

beforeAll(async () => {
  ({ chain, share, depositRevenue } = await startEarnerChain());
});
afterAll(() => chain.stop());

describe("claimRevenue", () => {
  test("holders claim their pro-rata share once the stream has run out", async () => {
    const amount = parseUnits("1000", 6);
    await depositRevenue(amount);
    await chain.warp(DAY);

    const ownerOwed = await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[1]!.address });
    const holderOwed = await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[2]!.address });
    expect(ownerOwed).toBe((amount * 3n) / 4n);
    expect(holderOwed).toBe(amount / 4n);

    const { amount: claimed } = await claimRevenue(chain.client(2), { share });
    expect(claimed).toBe(holderOwed);
    const balance = await chain.reader.publicClient.readContract({
      address: chain.deployment.contracts.Stablecoin,
      abi: mockStablecoinAbi,
      functionName: "balanceOf",
      args: [chain.accounts[2]!.address],
    });
    expect(balance).toBe(holderOwed);
    expect(await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[2]!.address })).toBe(0n);
  });

  test("a claim with nothing accrued pays zero", async () => {
    const { amount } = await claimRevenue(chain.client(7), { share });
    expect(amount).toBe(0n);
  });
});
