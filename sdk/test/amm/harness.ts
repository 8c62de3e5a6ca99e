import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseUnits, type Abi, type Address, type Hex } from "viem";
import { createCogFiClient, type CogFiClient } from "../../src/client.js";
import type { Deployment } from "../../src/deployment.js";
import { mockStablecoinAbi, modelShareAbi } from "../../src/generated/abis.js";
import { registerModel } from "../../src/actions/registry/registerModel.js";
import { REPO_ROOT } from "../../src/node/anvil.js";
import { startTestChain, type TestChain } from "../../src/node/testChain.js";
import { modelParams } from "../fixtures.js";

const AMM_CONTRACTS = ["CognitionPoolFactory", "CognitionRouter", "LiquidityManager", "TickLens"] as const;

/** A test chain whose deployment includes the AMM, with clients that see it. */
export type AmmChain = TestChain & {
  deployment: Deployment;
  /** A client acting as anvil account `index`, with the AMM addresses. */
  amm(index: number): CogFiClient;
  ammReader: CogFiClient;
};

function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const json = JSON.parse(readFileSync(resolve(REPO_ROOT, "out", `${name}.sol`, `${name}.json`), "utf8")) as {
    abi: Abi;
    bytecode: { object: Hex };
  };
  return { abi: json.abi, bytecode: json.bytecode.object };
}

/**
 * Starts a test chain and makes sure the AMM is deployed: the deploy script records it once wired; until then
 * it is deployed here from the forge artifacts (same constructor arguments as `script/deploy/AmmDeployer.sol`).
 */
export async function startAmmChain(): Promise<AmmChain> {
  const chain = await startTestChain();
  let deployment = chain.deployment;
  if (!deployment.contracts.CognitionPoolFactory) {
    const deployer = chain.client(0).walletClient!;
    const deployed: Record<string, Address> = {};
    for (const name of AMM_CONTRACTS) {
      const { abi, bytecode } = artifact(name);
      const args = name === "CognitionRouter" || name === "LiquidityManager" ? [deployed.CognitionPoolFactory!] : [];
      const hash = await deployer.deployContract({ abi, bytecode, args } as never);
      const receipt = await chain.reader.publicClient.waitForTransactionReceipt({ hash });
      if (!receipt.contractAddress) throw new Error(`deploying ${name} failed`);
      deployed[name] = receipt.contractAddress;
    }
    deployment = { ...deployment, contracts: { ...deployment.contracts, ...deployed } };
  }
  const client = (index: number) =>
    createCogFiClient({ rpcUrl: chain.rpcUrl, deployment, account: chain.accounts[index]! });
  return { ...chain, deployment, amm: client, ammReader: createCogFiClient({ rpcUrl: chain.rpcUrl, deployment }) };
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
