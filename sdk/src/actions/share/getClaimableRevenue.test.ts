import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseUnits, type Address } from "viem";
import { getClaimableRevenue } from "../../index.js";
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

describe("getClaimableRevenue", () => {
  test("a holder's claimable revenue is its pro-rata share of what has streamed in", async () => {
    const amount = parseUnits("1000", 6);
    const before = await chain.reader.publicClient.getBlockNumber();
    await depositRevenue(amount);
    await chain.warp(DAY);
    expect(await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[1]!.address })).toBe((amount * 3n) / 4n);
    expect(await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[2]!.address })).toBe(amount / 4n);
    // At a past block nothing had been deposited.
    expect(await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[1]!.address, blockNumber: before })).toBe(0n);
  });

  test("half-way through the stream only half is claimable", async () => {
    const amount = parseUnits("864", 6);
    const accrued = await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[2]!.address });
    await depositRevenue(amount);
    await chain.warp(DAY / 2n);
    const owed = (await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[2]!.address })) - accrued;
    // The quarter holder's half of the stream, give or take the seconds the deposit's own blocks took.
    const half = amount / 8n;
    expect(owed).toBeGreaterThanOrEqual(half - parseUnits("0.1", 6));
    expect(owed).toBeLessThanOrEqual(half + parseUnits("0.1", 6));
  });

  test("a non-holder has nothing to claim (the read does not revert)", async () => {
    expect(await getClaimableRevenue(chain.reader, { share, holder: chain.accounts[7]!.address })).toBe(0n);
  });
});
