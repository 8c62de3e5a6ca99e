/** @cogfi/simulations: the engine, scenarios, metrics and runs (the CLI is `src/cli.ts`, `cogfi-sim`). */
export * from "./config.js";
export * from "./scenario.js";
export * from "./canonical.js";
export * from "./errors.js";
export * from "./metrics.js";
export * from "./run.js";
export * from "./report.js";
export * from "./search.js";
export { simulatePath, type Agent, type PathResult, type StepContext, type TraceEvent, type ModelState } from "./engine/simulate.js";
export { RandomStream, PathRandom, philox4x32 } from "./engine/rng.js";
export { InsuranceAgent, INSURANCE_AGENT, pricingHistory, type InsurancePathFigures } from "./engine/insurance.js";
