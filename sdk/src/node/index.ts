export * from "./anvil.js";
export * from "./deploySuite.js";
export * from "./loadDeployment.js";
/** Also exported by `@cogfi/sdk/testing`, where it belongs; kept here so existing imports keep working. */
export * from "../testing/testChain.js";
/** Creation code of the settable oracle local markets use (local chains only: `localOnly` in the manifest). */
export { mockLendingOracleBytecode } from "../generated/bytecode.js";
