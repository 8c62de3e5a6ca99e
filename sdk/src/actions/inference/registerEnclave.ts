import { parseEventLogs, type Address, type Hash, type Hex } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { enclaveRegistryAbi } from "../../generated/abis.js";
import { readOrThrow, writeAndWait } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";

export type RegisterEnclaveParameters = {
  modelId: bigint;
  /** A quote the registry's verifier accepts (on local chains: `buildDevQuote`). */
  quote: Hex;
};
export type RegisterEnclaveReturnType = {
  key: Address;
  measurement: Hex;
  attestedAt: bigint;
  /** The gateway the key signs for: created by its first registration, the same on re-attestation. */
  gatewayId: bigint;
  /** Whether this registration created the gateway. */
  created: boolean;
  hash: Hash;
};
export type RegisterEnclaveErrorType =
  | CogFiContractError<
      | "UnknownModel"
      | "NoVerifier"
      | "ZeroEnclaveKey"
      | "MeasurementNotAllowed"
      | "ReportDataMismatch"
      | "QuoteExpired"
      | "QuoteFromFuture"
      | "QuoteNotNewer"
      | "KeyBoundToOtherModel"
      | "KeyRevoked"
      | "MeasurementChanged"
      | "InvalidPlatformSignature"
      | "MalformedQuote"
    >
  | CogFiError;

/**
 * Registers (or re-attests with a newer quote) an enclave signing key for a model. Anyone may submit a quote. A
 * key's first registration creates its gateway (`gatewayId`), the id buyers open sessions with.
 * @example
 * const { key, gatewayId } = await registerEnclave(client, { modelId: 1n, quote });
 */
export async function registerEnclave(
  client: CogFiClient,
  { modelId, quote }: RegisterEnclaveParameters,
): Promise<RegisterEnclaveReturnType> {
  const enclaveRegistry = ledgerAddresses(client).enclaveRegistry;
  const { hash, receipt } = await writeAndWait(client, "registerEnclave", {
    address: enclaveRegistry,
    abi: enclaveRegistryAbi,
    functionName: "registerEnclave",
    args: [modelId, quote],
  });
  const [registered] = parseEventLogs({ abi: enclaveRegistryAbi, eventName: "EnclaveRegistered", logs: receipt.logs });
  if (!registered) throw new Error(`registerEnclave: no EnclaveRegistered event in ${hash}`);
  const [created] = parseEventLogs({ abi: enclaveRegistryAbi, eventName: "GatewayCreated", logs: receipt.logs });
  const gatewayId =
    created?.args.gatewayId ??
    BigInt(
      (
        await readOrThrow("registerEnclave", () =>
          client.publicClient.readContract({
            address: enclaveRegistry,
            abi: enclaveRegistryAbi,
            functionName: "enclaveKey",
            args: [registered.args.key],
            blockNumber: receipt.blockNumber,
          }),
        )
      ).gatewayId,
    );
  return {
    key: registered.args.key,
    measurement: registered.args.measurement,
    attestedAt: registered.args.attestedAt,
    gatewayId,
    created: created !== undefined,
    hash,
  };
}
