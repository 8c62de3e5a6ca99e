import type { Address, Hex } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { enclaveRegistryAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";

export type GetGatewayParameters = { gatewayId: bigint; blockNumber?: bigint };
/** `undefined` for an unknown gateway id. */
export type GetGatewayReturnType =
  | {
      gatewayId: bigint;
      /** The model the gateway serves. */
      modelId: bigint;
      /** Its current signing key (rotation moves it). */
      key: Address;
      /** The code it runs: every key of the gateway is attested with this measurement. */
      measurement: Hex;
    }
  | undefined;
export type GetGatewayErrorType = CogFiError;

/**
 * Reads a gateway of the EnclaveRegistry: the model, key and measurement a session opened with it is bound to.
 * @example
 * const gateway = await getGateway(client, { gatewayId: 1n });
 * if (gateway?.measurement !== auditedMeasurement) throw new Error("unaudited gateway code");
 */
export async function getGateway(client: CogFiClient, { gatewayId, blockNumber }: GetGatewayParameters): Promise<GetGatewayReturnType> {
  const gateway = await readOrThrow("getGateway", () =>
    client.publicClient.readContract({
      address: ledgerAddresses(client).enclaveRegistry,
      abi: enclaveRegistryAbi,
      functionName: "gateway",
      args: [gatewayId],
      blockNumber,
    }),
  );
  if (BigInt(gateway.modelId) === 0n) return undefined;
  return { gatewayId, modelId: BigInt(gateway.modelId), key: gateway.key, measurement: gateway.measurement };
}
