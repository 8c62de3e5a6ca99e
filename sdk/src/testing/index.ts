/** Test tooling shared by the workspaces' test suites (`@cogfi/sdk/testing`); not part of the SDK's runtime API. */
export * from "./fastCheck.js";
export * from "./testChain.js";
