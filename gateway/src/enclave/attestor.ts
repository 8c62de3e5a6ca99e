/**
 * Attestation of the enclave keys: the quote that binds each model's key to the measurement, and (dev mode)
 * self-registration in the EnclaveRegistry.
 */
import type { Address, Hex } from "viem";

/** What GET /attestation returns per model. */
export type EnclaveQuote = {
  modelId: string;
  enclaveKey: Address;
  measurement: Hex;
  /** keccak256(abi.encode(REPORT_DATA_TAG, chainId, registry, modelId, key)), as the registry requires. */
  reportData: Hex;
  /** Quote timestamp (unix seconds). */
  timestamp: string;
  /** The quote bytes, as `EnclaveRegistry.registerEnclave(modelId, quote)` takes them. */
  quote: Hex;
  /** The key's on-chain status (`KeyStatus` name: Valid, Unknown, Expired, ...). */
  status: string;
  /**
   * The EnclaveRegistry gateway the key signs for (decimal; null before its first registration): buyers open
   * sessions for this model with this id.
   */
  gatewayId: string | null;
};

export interface Attestor {
  readonly mode: "dev";
  quote(modelId: bigint): Promise<EnclaveQuote>;
  /** Registers (or re-attests) the keys of `modelIds` on chain. */
  register(modelIds: readonly bigint[]): Promise<void>;
}
