import { encodeAbiParameters, type Address, type Hex, type LocalAccount } from "viem";
import { DEV_QUOTE_DOMAIN_NAME, DEV_QUOTE_DOMAIN_VERSION, devQuoteTypes } from "../../constants.js";
import { DEV_ENCLAVE_MEASUREMENT } from "../../ledger/enclave.js";

export type BuildDevQuoteParameters = {
  /** The dev platform key the DevAttestationVerifier trusts. */
  platform: Pick<LocalAccount, "signTypedData">;
  /** The DevAttestationVerifier (part of the EIP-712 domain). */
  verifier: Address;
  chainId: number | bigint;
  enclaveKey: Address;
  /** Defaults to `DEV_ENCLAVE_MEASUREMENT`. */
  measurement?: Hex;
  /** The 32 bytes bound into the quote: use `enclaveReportData(...)` to register with the EnclaveRegistry. */
  reportData: Hex;
  /** Quote time (Unix s); defaults to now. Keys expire `maxAttestationAge` after it. */
  timestamp?: bigint;
};
export type BuildDevQuoteReturnType = Hex;
export type BuildDevQuoteErrorType = Error;

/**
 * Builds a simulated TEE quote signed by the dev platform key, for `registerEnclave` on local chains.
 * @example
 * const quote = await buildDevQuote({
 *   platform, verifier, chainId: 31337, enclaveKey: enclave.address,
 *   reportData: enclaveReportData({ chainId: 31337, enclaveRegistry, modelId: 1n, enclaveKey: enclave.address }),
 * });
 */
export async function buildDevQuote(parameters: BuildDevQuoteParameters): Promise<BuildDevQuoteReturnType> {
  const measurement = parameters.measurement ?? DEV_ENCLAVE_MEASUREMENT;
  const timestamp = parameters.timestamp ?? BigInt(Math.floor(Date.now() / 1000));
  const signature = await parameters.platform.signTypedData({
    domain: {
      name: DEV_QUOTE_DOMAIN_NAME,
      version: DEV_QUOTE_DOMAIN_VERSION,
      chainId: Number(parameters.chainId),
      verifyingContract: parameters.verifier,
    },
    types: devQuoteTypes,
    primaryType: "DevQuote",
    message: { measurement, enclaveKey: parameters.enclaveKey, reportData: parameters.reportData, timestamp },
  });
  return encodeAbiParameters(
    [{ type: "bytes32" }, { type: "address" }, { type: "bytes32" }, { type: "uint64" }, { type: "bytes" }],
    [measurement, parameters.enclaveKey, parameters.reportData, timestamp, signature],
  );
}
