export * from "./quotePremium.js";
export * from "./buyPolicy.js";
export * from "./getPolicy.js";
export * from "./deposit.js";
export * from "./requestWithdraw.js";
export * from "./completeWithdraw.js";
export * from "./getPoolState.js";
