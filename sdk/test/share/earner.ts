/**
 * A test chain with one model whose owner keeps 3/4 of the shares and a second holder 1/4, and a payer that
 * deposits revenue into its share: the setup of the share revenue actions' tests.
 */
import { parseUnits, type Address } from "viem";
import { mockStablecoinAbi, modelShareAbi, registerModel } from "../../src/index.js";
import { startTestChain, type TestChain } from "../../src/testing/testChain.js";
import { modelParams } from "../fixtures.js";

export type EarnerChain = {
  chain: TestChain;
  share: Address;
  /** Mints `amount` to the payer (account 5) and deposits it as revenue into the share. */
  depositRevenue: (amount: bigint) => Promise<void>;
};

export async function startEarnerChain(): Promise<EarnerChain> {
  const chain = await startTestChain();
  const { share } = await registerModel(chain.client(1), modelParams("earner"));
  const { publicClient } = chain.reader;
  const owner = chain.client(1).walletClient!;
  const supply = parseUnits("1000000", 18);
  const hash = await owner.writeContract({ address: share, abi: modelShareAbi, functionName: "transfer", args: [chain.accounts[2]!.address, supply / 4n] });
  await publicClient.waitForTransactionReceipt({ hash });

  const depositRevenue = async (amount: bigint) => {
    const payer = chain.client(5).walletClient!;
    const stablecoin = chain.deployment.contracts.Stablecoin;
    for (const hash of [
      await payer.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "mint", args: [payer.account.address, amount] }),
      await payer.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "approve", args: [share, amount] }),
      await payer.writeContract({ address: share, abi: modelShareAbi, functionName: "depositRevenue", args: [amount] }),
    ]) {
      await publicClient.waitForTransactionReceipt({ hash });
    }
  };
  return { chain, share, depositRevenue };
}
