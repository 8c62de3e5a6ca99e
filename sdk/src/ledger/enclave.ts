/** Pure enclave attestation encoding: the dev measurement and the report data a quote must carry. */
import { encodeAbiParameters, keccak256, toHex, type Address, type Hex } from "viem";
import { REPORT_DATA_TAG } from "../constants.js";

/** The measurement local gateways report in dev mode (allowed globally on local deployments). */
export const DEV_ENCLAVE_MEASUREMENT: Hex = keccak256(toHex("cogfi-gateway-dev-v1"));

export { REPORT_DATA_TAG } from "../constants.js";

/**
 * The report data a quote for `enclaveKey` serving `modelId` must carry (the registry's `reportDataFor`).
 * @example
 * const reportData = enclaveReportData({ chainId: 31337, enclaveRegistry, modelId: 1n, enclaveKey: key.address });
 */
export function enclaveReportData(parameters: {
  chainId: number | bigint;
  enclaveRegistry: Address;
  modelId: bigint;
  enclaveKey: Address;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "bytes32" }, { type: "uint256" }, { type: "address" }, { type: "uint256" }, { type: "address" }],
      [REPORT_DATA_TAG, BigInt(parameters.chainId), parameters.enclaveRegistry, parameters.modelId, parameters.enclaveKey],
    ),
  );
}
