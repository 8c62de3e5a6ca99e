/** Pure lending code: caps from liquidity. */
export * from "./sellable.js";
