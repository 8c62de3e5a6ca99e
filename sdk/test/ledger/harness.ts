/**
 * Test chain for the ledger suite: the prepared anvil state (script/Deploy.s.sol, which on a local chain also
 * allows the dev enclave measurement), with helpers to register dev enclaves.
 */
import type { Address } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { createCogFiClient } from "../../src/client.js";
import type { Deployment } from "../../src/deployment.js";
import { MEASUREMENT_STATUSES } from "../../src/constants.js";
import { enclaveRegistryAbi } from "../../src/generated/abis.js";
import { DEV_ENCLAVE_MEASUREMENT, ledgerAddresses, registerDevEnclave } from "../../src/index.js";
import { startTestChain, type TestChain } from "../../src/testing/testChain.js";

/** anvil account 9 plays the dev TEE platform (its key signs dev quotes). */
export const PLATFORM_INDEX = 9;

export type LedgerChain = TestChain & {
  /** The deployment including the ledger contracts. */
  deployment: Deployment;
  platform: PrivateKeyAccount;
  /**
   * Registers `enclave` for `modelId` with a fresh dev quote dated at the chain's latest block; returns the key and
   * its gateway (created by the key's first registration).
   */
  registerDevEnclave(modelId: bigint, enclave: PrivateKeyAccount): Promise<{ key: Address; gatewayId: bigint }>;
  /** Latest block timestamp. */
  now(): Promise<bigint>;
};

/**
 * Starts a private anvil with the suite and the ledger contracts.
 * @example
 * const chain = await startLedgerChain();
 * afterAll(() => chain.stop());
 */
export async function startLedgerChain(): Promise<LedgerChain> {
  const chain = await startTestChain();
  const platform = chain.accounts[PLATFORM_INDEX]!;
  const deployment = chain.deployment;
  const client = (index: number) =>
    createCogFiClient({ rpcUrl: chain.rpcUrl, deployment, account: chain.accounts[index]! });
  const reader = createCogFiClient({ rpcUrl: chain.rpcUrl, deployment });
  const { enclaveRegistry, devAttestationVerifier } = ledgerAddresses({ deployment });
  if (!devAttestationVerifier) throw new Error("the test deployment has no DevAttestationVerifier");
  // script/Deploy.s.sol allows the dev measurement globally on local chains.
  const status = await reader.publicClient.readContract({
    address: enclaveRegistry,
    abi: enclaveRegistryAbi,
    functionName: "globalMeasurement",
    args: [DEV_ENCLAVE_MEASUREMENT],
  });
  if (MEASUREMENT_STATUSES[status] !== "Allowed") throw new Error("the deployment did not allow the dev enclave measurement");

  const now = async () => (await reader.publicClient.getBlock()).timestamp;
  return {
    ...chain,
    deployment,
    client,
    reader,
    platform,
    now,
    async registerDevEnclave(modelId, enclave) {
      const { key, gatewayId } = await registerDevEnclave(client(0), { modelId, enclaveKey: enclave.address, platform });
      return { key, gatewayId };
    },
  };
}

/** A fresh enclave key for tests. */
export function enclaveAccount(seed: number): PrivateKeyAccount {
  return privateKeyToAccount(`0x${(0xe1c1a7e000n + BigInt(seed)).toString(16).padStart(64, "0")}`);
}
