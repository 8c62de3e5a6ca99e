/**
 * `@cogfi/sdk/service`: the plumbing every CogFi service shares (gateway, keeper, the simulations CLI):
 * configuration, logging, metrics and the HTTP server. Node only; the root entry never imports it.
 */
export * from "./config.js";
export * from "./logger.js";
export * from "./metrics.js";
export * from "./http.js";
export { trackConnections, type Drainer } from "./drain.js";
