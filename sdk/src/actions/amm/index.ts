/** AMM actions: pools, liquidity positions and swaps. */
export * from "./addLiquidity.js";
export * from "./collectFees.js";
export * from "./createPool.js";
export * from "./getPool.js";
export * from "./getPoolAddress.js";
export * from "./getPositionValue.js";
export * from "./getTwap.js";
export * from "./increaseObservationCardinality.js";
export * from "./removeLiquidity.js";
export * from "./swap.js";
