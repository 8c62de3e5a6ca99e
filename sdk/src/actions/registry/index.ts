/** ModelRegistry actions. */
export * from "./registerModel.js";
export * from "./registerDerivative.js";
export * from "./getModel.js";
export * from "./setPricing.js";
export * from "./setPaused.js";
