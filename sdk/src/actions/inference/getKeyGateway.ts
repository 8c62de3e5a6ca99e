import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { enclaveRegistryAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import { KEY_STATUSES, type KeyStatusName } from "../../constants.js";

export type GetKeyGatewayParameters = { key: Address; modelId: bigint; blockNumber?: bigint };
export type GetKeyGatewayReturnType = {
  /** Whether the key may sign usage for the model now (`Valid`), and if not the first reason why not. */
  status: KeyStatusName;
  /** The gateway the key signs for (0n for an unknown key); kept through key rotation. */
  gatewayId: bigint;
};
export type GetKeyGatewayErrorType = CogFiError;

/**
 * Reads an enclave key's status for a model and the gateway it signs for (`EnclaveRegistry.keyGateway`). A gateway
 * learns its id this way after registering its key; a buyer opens sessions with that id.
 * @example
 * const { status, gatewayId } = await getKeyGateway(client, { key: enclave.address, modelId: 1n });
 */
export async function getKeyGateway(
  client: CogFiClient,
  { key, modelId, blockNumber }: GetKeyGatewayParameters,
): Promise<GetKeyGatewayReturnType> {
  const [status, gatewayId] = await readOrThrow("getKeyGateway", () =>
    client.publicClient.readContract({
      address: ledgerAddresses(client).enclaveRegistry,
      abi: enclaveRegistryAbi,
      functionName: "keyGateway",
      args: [key, modelId],
      blockNumber,
    }),
  );
  return { status: KEY_STATUSES[status] ?? "Unknown", gatewayId };
}
