/** ModelShare actions. */
export * from "./claimRevenue.js";
export * from "./getClaimableRevenue.js";
export * from "./getModelRevenue.js";
