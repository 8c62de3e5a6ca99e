export * from "./anvil.js";
export * from "./deploySuite.js";
export * from "./loadDeployment.js";
export * from "./testChain.js";
