import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { createCogFiClient, type CogFiClient } from "../client.js";
import { DEFAULT_REVENUE_STREAM_PERIOD } from "../constants.js";
import { parseDeployment, type Deployment } from "../deployment.js";
import { mockStablecoinAbi } from "../generated/abis.js";
import { ANVIL_PRIVATE_KEYS, REPO_ROOT, rpc, startAnvil, type AnvilInstance } from "../node/anvil.js";
import { deploySuite } from "../node/deploySuite.js";

/** Where the prepared chain state of a test run lives. */
export const TEST_STATE_DIR = resolve(REPO_ROOT, ".cogfi/test");
const STATE_FILE = resolve(TEST_STATE_DIR, "state.json");

type PreparedState = { state: `0x${string}`; deployment: Deployment };

/**
 * Deploys the suite once on a throwaway anvil and saves its state, so each test file can start its own chain
 * from it in milliseconds. Called by the vitest global setup.
 */
export async function prepareTestState(): Promise<Deployment> {
  mkdirSync(TEST_STATE_DIR, { recursive: true });
  const anvil = await startAnvil();
  try {
    const deployment = await deploySuite({
      rpcUrl: anvil.rpcUrl,
      privateKey: ANVIL_PRIVATE_KEYS[0],
      deploymentsDir: TEST_STATE_DIR,
      // Tests are written against the production stream period, whatever the caller's environment says.
      env: { REVENUE_STREAM_PERIOD_SECONDS: DEFAULT_REVENUE_STREAM_PERIOD.toString() },
    });
    const state = await rpc<`0x${string}`>(anvil.rpcUrl, "anvil_dumpState");
    writeFileSync(STATE_FILE, JSON.stringify({ state, deployment } satisfies PreparedState));
    return deployment;
  } finally {
    await anvil.stop();
  }
}

export type TestChain = {
  anvil: AnvilInstance;
  rpcUrl: string;
  deployment: Deployment;
  /** anvil's funded dev accounts; [0] deployed the suite. */
  accounts: PrivateKeyAccount[];
  /** A client acting as `accounts[index]`. */
  client(index: number): CogFiClient;
  /** A read-only client. */
  reader: CogFiClient;
  /** Mints `amount` of the mock stablecoin to `accounts[index]` (local chains only). */
  fund(index: number, amount: bigint): Promise<void>;
  /** Moves time forward by `seconds` and mines a block. */
  warp(seconds: number | bigint): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Starts a private anvil loaded with the prepared suite (see `prepareTestState`).
 * @example
 * const chain = await startTestChain();
 * const owner = chain.client(1);
 * afterAll(() => chain.stop());
 */
export async function startTestChain(): Promise<TestChain> {
  const prepared = JSON.parse(readFileSync(STATE_FILE, "utf8")) as PreparedState;
  const deployment = parseDeployment(prepared.deployment);
  const anvil = await startAnvil();
  await rpc(anvil.rpcUrl, "anvil_loadState", [prepared.state]);
  const accounts = ANVIL_PRIVATE_KEYS.map((key) => privateKeyToAccount(key));
  return {
    anvil,
    rpcUrl: anvil.rpcUrl,
    deployment,
    accounts,
    client: (index) => {
      const account = accounts[index];
      if (!account) throw new Error(`no anvil account ${index}`);
      return createCogFiClient({ rpcUrl: anvil.rpcUrl, deployment, account });
    },
    reader: createCogFiClient({ rpcUrl: anvil.rpcUrl, deployment }),
    async fund(index, amount) {
      const account = accounts[index];
      if (!account) throw new Error(`no anvil account ${index}`);
      const wallet = createCogFiClient({ rpcUrl: anvil.rpcUrl, deployment, account });
      const hash = await wallet.walletClient!.writeContract({
        address: deployment.contracts.Stablecoin,
        abi: mockStablecoinAbi,
        functionName: "mint",
        args: [account.address, amount],
      });
      await wallet.publicClient.waitForTransactionReceipt({ hash });
    },
    async warp(seconds) {
      await rpc(anvil.rpcUrl, "evm_increaseTime", [Number(seconds)]);
      await rpc(anvil.rpcUrl, "evm_mine");
    },
    stop: () => anvil.stop(),
  };
}
