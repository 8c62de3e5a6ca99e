/** Dev-mode attestation: dev quotes signed by the dev platform key, self-registration on a local chain. */
import type { CogFiClient } from "@cogfi/sdk";
import type { Logger } from "pino";
import type { Hex } from "viem";
import type { Attestor } from "./attestor.js";
import type { EnclaveIdentity } from "./identity.js";

export type DevAttestorOptions = { identity: EnclaveIdentity; client: CogFiClient; platformKey?: Hex; logger: Logger };

export function createDevAttestor(_options: DevAttestorOptions): Attestor {
  throw new Error("sdk ledger actions not available yet");
}
