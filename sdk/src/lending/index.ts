/** Pure lending code: the market's math (shares, interest, health, liquidation) and caps from liquidity. */
export * from "./math.js";
export * from "./sellable.js";
export * from "./caps.js";
export * from "./addresses.js";
export * from "./liquidityFloor.js";
