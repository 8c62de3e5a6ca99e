import { parseEventLogs, type Address, type Hash, type Hex } from "viem";
import type { CogFiClient } from "../client.js";
import type { CogFiContractError, CogFiError } from "../errors.js";
import { enclaveRegistryAbi } from "../generated/abis.js";
import { writeAndWait } from "../internal/write.js";
import { ledgerAddresses } from "./addresses.js";

export type RegisterEnclaveParameters = {
  modelId: bigint;
  /** A quote the registry's verifier accepts (on local chains: `buildDevQuote`). */
  quote: Hex;
};
export type RegisterEnclaveReturnType = { key: Address; measurement: Hex; attestedAt: bigint; hash: Hash };
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
      | "InvalidPlatformSignature"
      | "MalformedQuote"
    >
  | CogFiError;

/**
 * Registers (or re-attests with a newer quote) an enclave signing key for a model. Anyone may submit a quote.
 * @example
 * const { key } = await registerEnclave(client, { modelId: 1n, quote });
 */
export async function registerEnclave(
  client: CogFiClient,
  { modelId, quote }: RegisterEnclaveParameters,
): Promise<RegisterEnclaveReturnType> {
  const { hash, receipt } = await writeAndWait(client, "registerEnclave", {
    address: ledgerAddresses(client).enclaveRegistry,
    abi: enclaveRegistryAbi,
    functionName: "registerEnclave",
    args: [modelId, quote],
  });
  const [registered] = parseEventLogs({ abi: enclaveRegistryAbi, eventName: "EnclaveRegistered", logs: receipt.logs });
  if (!registered) throw new Error(`registerEnclave: no EnclaveRegistered event in ${hash}`);
  return {
    key: registered.args.key,
    measurement: registered.args.measurement,
    attestedAt: registered.args.attestedAt,
    hash,
  };
}
