import { describe, expect, test } from "vitest";
import { DEFAULT_PARAMS } from "../src/config.js";
import { UsageProcess } from "../src/engine/paths.js";
import { PathRandom } from "../src/engine/rng.js";
import { simulatePath } from "../src/engine/simulate.js";
import { resolveScenario } from "../src/scenario.js";

const quiet = { price: { annualVol: 0, jumpsPerYear: 0 }, usage: { collapsesPerYear: 0 } };

describe("engine", () => {
  test("reasoning lengths: lognormal body at the calibrated median, a Pareto tail, capped", () => {
    const usage = new UsageProcess(new PathRandom(1, 0), DEFAULT_PARAMS, 0);
    const draws = Array.from({ length: 20_000 }, () => usage.reasoningTokens()).sort((a, b) => a - b);
    const median = draws[10_000]!;
    const p99 = draws[19_800]!;
    // 95% lognormal(2000, 0.737) + 5% Pareto(6000, 1.5): the median sits a little above 2,000.
    expect(median).toBeGreaterThan(1_950);
    expect(median).toBeLessThan(2_250);
    // Heavy tail: p99 / median well above the lognormal's own e^(2.326 x 0.737) = 5.6.
    expect(p99 / median).toBeGreaterThan(6);
    expect(draws.at(-1)).toBeLessThanOrEqual(DEFAULT_PARAMS.usage.reasoning.maxTokens);
  });

  test("a 60% crash over 12 steps on a quiet path ends at 40% of the price, and the liquidators act on it", async () => {
    const scenario = resolveScenario(
      { name: "t", version: "1.0.0", description: "t", params: {}, events: [{ type: "priceCrash", atStep: 2, drop: 0.6, overSteps: 12 }] },
      { ...quiet, horizonSteps: 40 },
    );
    const { result, events } = await simulatePath(scenario, 1, 0);
    expect(result.minPriceRatio).toBeCloseTo(0.4, 9);
    expect(result.liquidations).toBeGreaterThan(0);
    expect(events.filter((e) => e.kind === "liquidation")).toHaveLength(result.liquidations);
    expect(result.borrowerLossUsd).toBeGreaterThan(0);
  });

  test("without shocks nothing is liquidated and there is no bad debt; revenue repays some debt", async () => {
    const scenario = resolveScenario({ name: "t", version: "1.0.0", description: "t", params: {}, events: [] }, { ...quiet, horizonSteps: 24 });
    const { result } = await simulatePath(scenario, 1, 0);
    expect(result.liquidations).toBe(0);
    expect(result.badDebt).toBe(0n);
    expect(result.revenueRepaid).toBeGreaterThan(0n);
    expect(result.holderRevenue).toBeGreaterThan(result.revenueRepaid);
  });

  test("a drain runs over its steps; with less liquidity left, the same crash pays arbitrageurs less (LVR) and leaves no less bad debt", async () => {
    const crash = { type: "priceCrash" as const, atStep: 12, drop: 0.3, overSteps: 6 };
    const run = (events: Parameters<typeof resolveScenario>[0]["events"]) =>
      simulatePath(resolveScenario({ name: "t", version: "1.0.0", description: "t", params: {}, events }, { ...quiet, horizonSteps: 40 }), 1, 0);
    const full = await run([crash]);
    const drained = await run([{ type: "liquidityDrain", atStep: 2, fraction: 0.9, overSteps: 4 }, crash]);
    expect(drained.events.filter((e) => e.kind === "liquidityDrain")).toHaveLength(4);
    expect(drained.result.badDebt).toBeGreaterThanOrEqual(full.result.badDebt);
    expect(drained.result.lvrUsd).toBeLessThan(full.result.lvrUsd);
  });
});
