import { parseUnits, type Address } from "viem";
import type { CogFiClient } from "../../src/client.js";
import type { Deployment } from "../../src/deployment.js";
import { mockStablecoinAbi, modelShareAbi } from "../../src/generated/abis.js";
import { registerModel } from "../../src/actions/registry/registerModel.js";
import { startTestChain, type TestChain } from "../../src/testing/testChain.js";
import { modelParams } from "../fixtures.js";

/** A test chain whose deployment includes the AMM, with clients that see it. */
export type AmmChain = TestChain & {
  deployment: Deployment;
  /** A client acting as anvil account `index`, with the AMM addresses. */
  amm(index: number): CogFiClient;
  ammReader: CogFiClient;
};

/** Starts a test chain (script/Deploy.s.sol deploys the AMM with the rest of the suite). */
export async function startAmmChain(): Promise<AmmChain> {
  const chain = await startTestChain();
  if (!chain.deployment.contracts.CognitionPoolFactory) throw new Error("the test deployment has no CognitionPoolFactory");
  return { ...chain, amm: chain.client, ammReader: chain.reader };
}

/**
 * Registers a model owned by account `owner` (a fresh ModelShare with `supply` shares) and hands `perAccount` of its
 * shares and of the mock stablecoin to each of `accounts`.
 */
export async function setupShare(
  chain: AmmChain,
  name: string,
  owner: number,
  accounts: number[],
  perAccount: { shares: bigint; stablecoin: bigint } = {
    shares: parseUnits("100000000", 18),
    stablecoin: parseUnits("100000000000", 6),
  },
): Promise<{ share: Address; stablecoin: Address }> {
  const supply = perAccount.shares * BigInt(accounts.length + 1);
  const { share } = await registerModel(chain.amm(owner), modelParams(name, { shareSupply: supply }));
  const stablecoin = chain.deployment.contracts.Stablecoin;
  const ownerWallet = chain.amm(owner).walletClient!;
  for (const index of accounts) {
    const to = chain.accounts[index]!.address;
    const wallet = chain.amm(index).walletClient!;
    const shareHash = await ownerWallet.writeContract({
      address: share,
      abi: modelShareAbi,
      functionName: "transfer",
      args: [to, perAccount.shares],
    });
    const stableHash = await wallet.writeContract({
      address: stablecoin,
      abi: mockStablecoinAbi,
      functionName: "mint",
      args: [to, perAccount.stablecoin],
    });
    await chain.reader.publicClient.waitForTransactionReceipt({ hash: shareHash });
    await chain.reader.publicClient.waitForTransactionReceipt({ hash: stableHash });
  }
  return { share, stablecoin };
}
