/** Lending actions. */
export * from "./getSellableCollateral.js";
