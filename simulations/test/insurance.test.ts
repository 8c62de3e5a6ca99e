import { HISTOGRAM_BUCKETS, quotePremiumOffline } from "@cogfi/sdk";
import { describe, expect, test } from "vitest";
import { canonicalJson } from "../src/canonical.js";
import type { InsurancePathFigures } from "../src/engine/insurance.js";
import { pricingHistory } from "../src/engine/insurance.js";
import { PathRandom } from "../src/engine/rng.js";
import { simulatePath, type PathResult, type StepContext } from "../src/engine/simulate.js";
import { computeMetrics, insuranceMetrics } from "../src/metrics.js";
import { loadScenarioFile, resolveScenario } from "../src/scenario.js";

const short = { horizonSteps: 48 };
const figures = (result: PathResult) => result.extensions.insurance as InsurancePathFigures;
const withoutInsurance = (result: PathResult) => {
  const { extensions: _extensions, accountSteps: _accountSteps, ...rest } = result;
  return canonicalJson(rest);
};

describe("insurance agents", () => {
  test("turning insurance on changes no lending, AMM or revenue figure, nor any other trace event (own random streams)", async () => {
    for (const name of ["baseline", "reasoning-blowup", "share-crash-60"]) {
      const file = loadScenarioFile(name);
      for (const path of [0, 1]) {
        const on = await simulatePath(resolveScenario(file, { horizonSteps: 120 }), 7, path);
        const off = await simulatePath(resolveScenario(file, { horizonSteps: 120, insurance: { enabled: false } }), 7, path);
        expect(off.result.extensions).toEqual({});
        expect(figures(on.result).policies).toBeGreaterThan(0);
        expect(withoutInsurance(on.result), `${name} path ${path}`).toBe(withoutInsurance(off.result));
        const own = new Set(["underwriterWithdraw", "insuranceRuin"]);
        expect(canonicalJson(on.events.filter((e) => !own.has(e.kind)))).toBe(canonicalJson(off.events));
      }
    }
  });

  test("premiums are the sdk's quotePremiumOffline on the model's pricing history, and the pool sells 20 policies at 1x", async () => {
    const scenario = resolveScenario(loadScenarioFile("baseline"), short);
    const { result } = await simulatePath(scenario, 3, 0);
    const p = scenario.params;
    // The history the agent drew: the same keyed stream of the same path.
    const { histogram, meanTokens } = pricingHistory({ scenario, random: new PathRandom(3, 0) } as StepContext, 0);
    expect(histogram).toHaveLength(HISTOGRAM_BUCKETS);
    expect(histogram.reduce((a, b) => a + b, 0n)).toBe(BigInt(p.insurance.historyRequests));
    const rate = BigInt(Math.min(p.pricing.outputPerMTok, p.pricing.reasoningPerMTok));
    const requests = BigInt(Math.ceil(((p.usage.requestsPerHour * p.horizonSteps * p.stepSeconds * p.insurance.insuredShare) / 3600 / p.insurance.buyers) * p.insurance.requestsOfExpected));
    const base = { modelId: 1n, period: BigInt(p.horizonSteps * p.stepSeconds), strikeTokens: BigInt(Math.ceil(meanTokens)), limitTokens: BigInt(p.insurance.limitTokens), coinsuranceBps: BigInt(p.insurance.coinsuranceBps), requests, aggregateLimit: 0n };
    const inputs = { histogram, ratePerMTok: rate, loadingBps: BigInt(p.insurance.loadingBps), capitalChargeBps: BigInt(p.insurance.capitalChargeBps) };
    const atZero = quotePremiumOffline(base, inputs).premium;
    const terms = { ...base, aggregateLimit: BigInt(Math.floor(Number(atZero) * p.insurance.aggregateLimitOfPremium)) };
    const quote = quotePremiumOffline(terms, inputs);
    const f = figures(result);
    expect(f.policies).toBe(p.insurance.buyers);
    expect(f.policiesRefused).toBe(0);
    expect(BigInt(f.premiums)).toBe(quote.premium * BigInt(p.insurance.buyers));
    expect(BigInt(f.expectedClaims)).toBe(quote.expectedClaims * BigInt(p.insurance.buyers));
    // The credit rule: a limit of at most 4x the premium.
    expect(terms.aggregateLimit).toBeLessThanOrEqual(4n * quote.premium);
    // Capital: 2.5x the limits asked; claims paid, never beyond the limits.
    expect(BigInt(f.capitalStart)).toBe(BigInt(Math.ceil(Number(terms.aggregateLimit * 20n) * 2.5)));
    expect(BigInt(f.claims)).toBeGreaterThan(0n);
    expect(BigInt(f.claims)).toBeLessThanOrEqual(terms.aggregateLimit * 20n);
    expect(BigInt(f.capitalEnd)).toBe(BigInt(f.capitalStart) + BigInt(f.premiums) + BigInt(f.deposited) - BigInt(f.withdrawn) - BigInt(f.claims));
  });

  test("a 9.7x reasoning blow-up: claims run far above what was priced; at 1x leverage the pool is never ruined", async () => {
    const scenario = resolveScenario(loadScenarioFile("reasoning-blowup"), { paths: 6, horizonSteps: 96 });
    const results: PathResult[] = [];
    for (let path = 0; path < 6; path++) results.push((await simulatePath(scenario, 1, path)).result);
    for (const r of results) {
      const f = figures(r);
      expect(f.ruined).toBe(false);
      expect(BigInt(f.claims)).toBeGreaterThan(BigInt(f.expectedClaims));
      expect(f.peakUtilization).toBeLessThanOrEqual(1);
    }
    const metrics = insuranceMetrics(results, scenario.params, 1)!;
    expect(metrics.ruinProbability.value).toBe(0);
    expect(metrics.premiumAdequacy.value).toBeLessThan(1);
    expect(metrics.lossRatio.value).toBeGreaterThan(1);
    expect(metrics.lossRatio.ci[0]).toBeLessThanOrEqual(metrics.lossRatio.value);
    expect(metrics.lossRatio.ci[1]).toBeGreaterThanOrEqual(metrics.lossRatio.value);
  });

  test("levered 10x (the contract's most) on thin capital, no loading, the blow-up ruins the pool: claims refused, the vault never pays beyond its assets", async () => {
    const scenario = resolveScenario(loadScenarioFile("reasoning-blowup"), { paths: 4, horizonSteps: 96, insurance: { loadingBps: 0, maxLeverageBps: 100_000, maxModelExposureBps: 100_000, capitalOfLimits: 0.01, withdrawQueuedShare: 0, depositShare: 0 } });
    const results: PathResult[] = [];
    for (let path = 0; path < 4; path++) {
      const { result, events } = await simulatePath(scenario, 1, path);
      results.push(result);
      const f = figures(result);
      expect(f.ruined).toBe(true);
      expect(BigInt(f.refused)).toBeGreaterThan(0n);
      expect(BigInt(f.capitalEnd)).toBeGreaterThanOrEqual(0n);
      expect(BigInt(f.claims)).toBe(BigInt(f.capitalStart) + BigInt(f.premiums) - BigInt(f.capitalEnd));
      expect(events.filter((e) => e.kind === "insuranceRuin")).toHaveLength(1);
    }
    const metrics = computeMetrics(results, scenario.params, 1);
    expect(metrics.insurance!.ruinProbability.value).toBe(1);
    expect(metrics.insurance!.ruinProbability.ci[0]).toBeGreaterThan(0.3);
  });

  test("metrics: ruin by Wilson, loss ratio and adequacy as ratios of sums, reproducible intervals", () => {
    const path = (premiums: number, claims: number, ruined = false): PathResult =>
      ({ extensions: { insurance: { premiums: String(premiums), claims: String(claims), refused: ruined ? "1" : "0", ruined, expectedClaims: "0", policies: 1, policiesRefused: 0, capitalStart: "1000", capitalEnd: String(1000 + premiums - claims), deposited: "0", withdrawn: "0", peakUtilization: 0.5 } } }) as unknown as PathResult;
    const results = [path(100, 50), path(100, 150), path(100, 0), path(100, 300, true)];
    const params = resolveScenario(loadScenarioFile("baseline"), {}).params;
    const m = insuranceMetrics(results, params, 1)!;
    expect(m.lossRatio.value).toBe(500 / 400);
    expect(m.premiumAdequacy.value).toBe(400 / 500);
    expect(m.ruinProbability.value).toBe(0.25);
    expect(m.underwritingLossProbability.value).toBe(0.5);
    expect(m.capitalUtilizationMean.value).toBe(0.5);
    expect(canonicalJson(insuranceMetrics(results, params, 1))).toBe(canonicalJson(m));
    expect(insuranceMetrics([path(100, 0)], params, 1)!.premiumAdequacy.value).toBe(1e6);
    expect(insuranceMetrics([{ extensions: {} } as PathResult], params, 1)).toBeUndefined();
  });
});
