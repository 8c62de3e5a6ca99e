/** Pure AMM code: addresses, token order and the swap quotes (v3-sdk math over a fetched `PoolState`). */
export * from "./pool.js";
export { ammAddresses, sortTokens, type AmmAddresses } from "./internal.js";
export * from "./quoteExactInput.js";
export * from "./quoteExactOutput.js";
export * from "./offline.js";
