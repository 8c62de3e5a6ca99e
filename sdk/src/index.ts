// Generated ABIs, client, deployment, manifest, constants and errors.
export * from "./generated/abis.js";
export * from "./client.js";
export * from "./deployment.js";
export * from "./manifest.js";
export * from "./constants.js";
export * from "./errors.js";
// Pure encoding and math, by domain.
export * from "./registry/types.js";
export * from "./ledger/index.js";
export * from "./amm/index.js";
export * from "./lending/index.js";
export * from "./insurance/index.js";
export * from "./recommended.js";
// Actions (`actions/<domain>/<action>.ts`).
export * from "./actions/registry/index.js";
export * from "./actions/share/index.js";
export * from "./actions/inference/index.js";
export * from "./actions/amm/index.js";
export * from "./actions/lending/index.js";
export * from "./actions/insurance/index.js";
