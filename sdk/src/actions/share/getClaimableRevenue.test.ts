import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseUnits, type Address } from "viem";
import { getClaimableRevenue, mockStablecoinAbi, modelShareAbi, registerModel } from "../../index.js";
import { startTestChain, type TestChain } from "../../testing/testChain.js";
import { modelParams } from "../../../test/fixtures.js";

const DAY = 86_400n;
let chain: TestChain;
let share: Address;

beforeAll(async () => {
  chain = await startTestChain();
  ({ share } = await registerModel(chain.client(1), modelParams("earner")));
  // The owner keeps 3/4 of the supply and sends 1/4 to a second holder.
  const owner = chain.client(1).walletClient!;
  const supply = parseUnits("1000000", 18);
  const hash = await owner.writeContract({ address: share, abi: modelShareAbi, functionName: "transfer", args: [chain.accounts[2]!.address, supply / 4n] });
  await chain.reader.publicClient.waitForTransactionReceipt({ hash });
});
afterAll(() => chain.stop());

async function depositRevenue(amount: bigint) {
  const payer = chain.client(5).walletClient!;
  const { publicClient } = chain.reader;
  const stablecoin = chain.deployment.contracts.Stablecoin;
  for (const hash of [
    await payer.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "mint", args: [payer.account.address, amount] }),
    await payer.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "approve", args: [share, amount] }),
    await payer.writeContract({ address: share, abi: modelShareAbi, functionName: "depositRevenue", args: [amount] }),
  ]) {
    await publicClient.waitForTransactionReceipt({ hash });
  }
}

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
