import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseUnits, type Address } from "viem";
import { claimRevenue, getClaimableRevenue, mockStablecoinAbi, modelShareAbi, registerModel } from "../../index.js";
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
