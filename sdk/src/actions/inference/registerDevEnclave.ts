import type { Address, Hash, LocalAccount } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError } from "../../errors.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import { enclaveReportData } from "../../ledger/enclave.js";
import { buildDevQuote } from "./buildDevQuote.js";
import { registerEnclave, type RegisterEnclaveErrorType } from "./registerEnclave.js";

export type RegisterDevEnclaveParameters = {
  modelId: bigint;
  /** The enclave's signing key address. */
  enclaveKey: Address;
  /** The dev platform key the deployment's DevAttestationVerifier trusts. */
  platform: Pick<LocalAccount, "signTypedData">;
  /** Defaults to the dev measurement. */
  measurement?: `0x${string}`;
};
export type RegisterDevEnclaveReturnType = { key: Address; attestedAt: bigint; gatewayId: bigint; hash: Hash };
export type RegisterDevEnclaveErrorType = RegisterEnclaveErrorType;

/**
 * Local chains only: builds a dev quote for `enclaveKey` (dated at the latest block) and registers it for the
 * model. Re-run it before `maxAttestationAge` passes to keep the key valid.
 * @example
 * await registerDevEnclave(client, { modelId: 1n, enclaveKey: enclave.address, platform: privateKeyToAccount(devPlatformKey) });
 */
export async function registerDevEnclave(
  client: CogFiClient,
  parameters: RegisterDevEnclaveParameters,
): Promise<RegisterDevEnclaveReturnType> {
  const { enclaveRegistry, devAttestationVerifier } = ledgerAddresses(client);
  if (!devAttestationVerifier) throw new CogFiError("registerDevEnclave: the deployment has no DevAttestationVerifier");
  const { modelId, enclaveKey } = parameters;
  const chainId = client.deployment.chainId;
  const block = await client.publicClient.getBlock();
  const quote = await buildDevQuote({
    platform: parameters.platform,
    verifier: devAttestationVerifier,
    chainId,
    enclaveKey,
    measurement: parameters.measurement,
    reportData: enclaveReportData({ chainId, enclaveRegistry, modelId, enclaveKey }),
    timestamp: block.timestamp,
  });
  const { key, attestedAt, gatewayId, hash } = await registerEnclave(client, { modelId, quote });
  return { key, attestedAt, gatewayId, hash };
}
