/** Inference actions: sessions and settlement on the InferenceLedger, enclaves on the EnclaveRegistry, the cost feed. */
export * from "./openSession.js";
export * from "./topUpSession.js";
export * from "./closeSession.js";
export * from "./getSession.js";
export * from "./getSettledBatches.js";
export * from "./getKeyGateway.js";
export * from "./getGateway.js";
export * from "./signUsageBatch.js";
export * from "./verifyUsageBatch.js";
export * from "./settleUsage.js";
export * from "./getUsageStats.js";
export * from "./getComputeCost.js";
export * from "./registerEnclave.js";
export * from "./buildDevQuote.js";
export * from "./registerDevEnclave.js";
