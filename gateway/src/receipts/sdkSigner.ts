/** The ReceiptSigner backed by the sdk's receipt packing and signing. */
import type { CogFiClient } from "@cogfi/sdk";
import type { EnclaveIdentity } from "../enclave/identity.js";
import type { ReceiptSigner } from "./types.js";

export function createSdkReceiptSigner(_identity: EnclaveIdentity, _client: CogFiClient): ReceiptSigner {
  throw new Error("sdk ledger actions not available yet");
}
