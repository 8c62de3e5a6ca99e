/** Pure ledger code: receipt encoding, pricing math, the wire format, addresses and types. No chain access. */
export * from "./addresses.js";
export * from "./types.js";
export * from "./receipts.js";
export * from "./pricing.js";
export * from "./batchProblems.js";
export * from "./wire.js";
export * from "./enclave.js";
