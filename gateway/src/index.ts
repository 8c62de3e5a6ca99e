export { startGateway, type GatewayDeps, type RunningGateway } from "./gateway.js";
export {
  parseGatewayConfig,
  gatewayConfigSchema,
  GatewayConfigError,
  DEFAULT_SIMULATED_PROFILE,
  type GatewayConfig,
  type GatewayConfigInput,
  type SimulatedProfile,
  type TokenDistribution,
} from "./config.js";
export {
  createSessionCredential,
  credentialMessage,
  parseCredential,
  CREDENTIAL_PREFIX,
  type CredentialDomain,
} from "./credential.js";
export { GatewayError, type RefusalCode } from "./errors.js";
export { costUp, worstCaseCost, affordableMaxTokens, completionTokenPrice } from "./cost.js";
export { DEV_MEASUREMENT, DEV_SEALING_SECRET } from "./enclave/identity.js";
export type { Backend, BackendRequest, BackendResult, StreamEvent } from "./backends/types.js";
export type { ChainReader, SessionState, ModelState, Pricing, KeyGateway } from "./chain/types.js";
export type { ReceiptSigner, Receipt, SignedBatch } from "./receipts/types.js";
export type { Attestor, EnclaveQuote } from "./enclave/attestor.js";
export { parseBatchJson, type BatchJson, type ReceiptJson } from "./receipts/json.js";
