import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_PARAMS, PARAMETER_SOURCES, parameterLeaves } from "../src/config.js";
import { SimulationError } from "../src/errors.js";
import { loadScenarioFile, parseScenario, SCENARIOS_DIR, scenarioNames } from "../src/scenario.js";

const REQUIRED = ["baseline", "correlated-crash", "liquidity-drain", "reasoning-blowup", "reasoning-drift", "revenue-collapse", "share-crash-60"];

describe("scenario files", () => {
  test("the six scenarios of issue #14 ship (with reasoning-drift for the insurance search and replay --evm's short one), and each validates and resolves", () => {
    expect(scenarioNames()).toEqual(expect.arrayContaining([...REQUIRED, "evm-short"]));
    for (const name of scenarioNames()) {
      const raw = JSON.parse(readFileSync(join(SCENARIOS_DIR, `${name}.json`), "utf8"));
      const scenario = parseScenario(raw, name);
      expect(scenario.name).toBe(name);
      expect(scenario.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(loadScenarioFile(name).name).toBe(name);
    }
  });

  test("the crash scenario crashes 60% in an hour; the correlated one runs three models", () => {
    const crash = parseScenario(JSON.parse(readFileSync(join(SCENARIOS_DIR, "share-crash-60.json"), "utf8")));
    const event = crash.events[0]!;
    expect(event).toMatchObject({ type: "priceCrash", drop: 0.6 });
    expect(event.type === "priceCrash" && event.overSteps * crash.params.stepSeconds).toBe(3600);
    expect(parseScenario(JSON.parse(readFileSync(join(SCENARIOS_DIR, "correlated-crash.json"), "utf8"))).params.models).toBe(3);
  });

  test("refuses unknown parameters, bad values, unknown events and events past the horizon", () => {
    const base = { schemaVersion: 1, name: "x", version: "1.0.0", description: "d" };
    expect(() => parseScenario({ ...base, params: { lending: { lltvv: 0.8 } } })).toThrow(/unknown parameter lending.lltvv/);
    expect(() => parseScenario({ ...base, params: { lending: { lltv: 1.2 } } })).toThrow(SimulationError);
    expect(() => parseScenario({ ...base, events: [{ type: "meteor", atStep: 1 }] })).toThrow(SimulationError);
    expect(() => parseScenario({ ...base, events: [{ type: "revenueCollapse", atStep: 10_000, keep: 0.5 }] })).toThrow(/past the horizon/);
    expect(() => parseScenario({ ...base, schemaVersion: 2 })).toThrow(SimulationError);
  });
});

describe("parameters", () => {
  test("every default names its source", () => {
    const leaves = parameterLeaves(DEFAULT_PARAMS);
    expect(leaves.length).toBeGreaterThan(40);
    expect(leaves.filter((leaf) => !PARAMETER_SOURCES[leaf])).toEqual([]);
    expect(Object.keys(PARAMETER_SOURCES).filter((key) => !leaves.includes(key))).toEqual([]);
  });
});
