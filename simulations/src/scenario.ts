/**
 * Scenarios: versioned JSON data files (`simulations/scenarios/<name>.json`) validated with zod. A scenario
 * overrides parameters of `DEFAULT_PARAMS` (only ones that exist) and lists deterministic events on top of the
 * random paths.
 */
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { z } from "zod";
import { DEFAULT_PARAMS, paramsSchema, parameterLeaves, type Params } from "./config.js";
import { SimulationError } from "./errors.js";

/** The scenario files' schema version this code reads. */
export const SCENARIO_SCHEMA_VERSION = 1;
export const SCENARIOS_DIR = fileURLToPath(new URL("../scenarios/", import.meta.url));

const models = z.array(z.number().int().min(0)).optional();
const at = z.number().int().min(0);

export const eventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("priceCrash"), atStep: at, drop: z.number().gt(0).lt(1), overSteps: z.number().int().min(1), models }).strict(),
  z.object({ type: z.literal("revenueCollapse"), atStep: at, keep: z.number().min(0).lt(1), models }).strict(),
  z.object({ type: z.literal("liquidityDrain"), atStep: at, fraction: z.number().gt(0).lt(1), overSteps: z.number().int().min(1), models }).strict(),
  z.object({ type: z.literal("reasoningBlowup"), atStep: at, factor: z.number().gt(1), models }).strict(),
]);
export type ScenarioEvent = z.infer<typeof eventSchema>;

export const scenarioFileSchema = z
  .object({
    $schema: z.string().optional(),
    schemaVersion: z.literal(SCENARIO_SCHEMA_VERSION),
    name: z.string().regex(/^[a-z0-9-]+$/),
    version: z.string().regex(/^\d+\.\d+\.\d+$/),
    description: z.string().min(1),
    params: z.record(z.unknown()).default({}),
    events: z.array(eventSchema).default([]),
  })
  .strict();
export type ScenarioFile = z.infer<typeof scenarioFileSchema>;

/** A scenario ready to run: its file and the full, validated parameters. */
export type Scenario = { name: string; version: string; description: string; params: Params; events: ScenarioEvent[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `base` with `override`'s leaves (arrays replace). */
export function deepMerge<T>(base: T, override: unknown): T {
  if (!isObject(base) || !isObject(override)) return (override === undefined ? base : override) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge((base as Record<string, unknown>)[key], value);
  return out as T;
}

/** Validates a scenario file's content and resolves its parameters; unknown parameter names are refused. */
export function parseScenario(input: unknown, origin = "scenario"): Scenario {
  const file = scenarioFileSchema.safeParse(input);
  if (!file.success) {
    throw new SimulationError(`invalid ${origin}: ${file.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`).join("; ")}`, { cause: file.error });
  }
  const known = new Set(parameterLeaves());
  for (const leaf of parameterLeaves(file.data.params)) {
    if (!known.has(leaf)) throw new SimulationError(`invalid ${origin}: unknown parameter ${leaf}`);
  }
  return resolveScenario(file.data, {}, origin);
}

/** A scenario's parameters with extra overrides (CLI flags, a sweep point), validated. */
export function resolveScenario(file: Pick<ScenarioFile, "name" | "version" | "description" | "params" | "events">, overrides: Record<string, unknown>, origin = file.name): Scenario {
  const merged = deepMerge(deepMerge(DEFAULT_PARAMS, file.params), overrides);
  const params = paramsSchema.safeParse(merged);
  if (!params.success) {
    throw new SimulationError(`invalid ${origin} parameters: ${params.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`, { cause: params.error });
  }
  for (const event of file.events) {
    if (event.atStep >= params.data.horizonSteps) throw new SimulationError(`invalid ${origin}: event ${event.type} at step ${event.atStep} is past the horizon`);
    for (const m of event.models ?? []) if (m >= params.data.models) throw new SimulationError(`invalid ${origin}: event ${event.type} names model ${m} of ${params.data.models}`);
  }
  return { name: file.name, version: file.version, description: file.description, params: params.data, events: file.events };
}

/** Reads `simulations/scenarios/<name>.json` (or a path ending in .json). */
export function loadScenarioFile(nameOrPath: string): ScenarioFile {
  const path = nameOrPath.endsWith(".json") ? nameOrPath : join(SCENARIOS_DIR, `${nameOrPath}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new SimulationError(`cannot read scenario ${path}: ${(cause as Error).message}`, { cause });
  }
  parseScenario(raw, path);
  return scenarioFileSchema.parse(raw);
}

/** The scenario names shipped in `simulations/scenarios/`. */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith(".json") && !f.endsWith(".schema.json"))
    .map((f) => f.slice(0, -5))
    .sort();
}
