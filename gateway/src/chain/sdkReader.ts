/** The ChainReader backed by the sdk's actions. */
import type { CogFiClient } from "@cogfi/sdk";
import type { ChainReader } from "./types.js";

export function createSdkChainReader(_client: CogFiClient): ChainReader {
  throw new Error("sdk ledger actions not available yet");
}
