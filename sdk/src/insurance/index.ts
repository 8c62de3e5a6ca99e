export * from "./addresses.js";
export * from "./premium.js";
