/**
 * Metrics over a run's paths, with confidence intervals. Computed from the path results in path order only, so
 * they do not depend on how the paths were split over shards or workers.
 *
 * - Quantiles (VaR): the empirical quantile `sorted[ceil(q n) - 1]` (the smallest value with at least q of the
 *   paths at or below it). Expected shortfall: the mean of the values at or above the VaR.
 * - Intervals: percentile bootstrap (B resamples of the paths with replacement, drawn from the keyed stream
 *   `bootstrap:<metric>` of the run's seed), except proportions (Wilson score interval) and means of many paths
 *   (normal approximation, mean +- z sd / sqrt(n)). Each interval is [low, high] at `metrics.confidence`.
 */
import type { Params } from "./config.js";
import type { InsurancePathFigures } from "./engine/insurance.js";
import type { PathResult } from "./engine/simulate.js";
import { RandomStream } from "./engine/rng.js";

export type Interval = [number, number];
export type Estimate = { value: number; ci: Interval };

export type Metrics = {
  paths: number;
  lending: {
    /** Bad debt in USD: realized plus the horizon's under-collateralized debt. */
    badDebtVar95Usd: Estimate;
    badDebtVar99Usd: Estimate;
    badDebtEs95Usd: Estimate;
    badDebtEs99Usd: Estimate;
    badDebtMeanUsd: Estimate;
    /** VaR99 of bad debt as a fraction of the markets' initial supply. */
    badDebtVar99OfSupply: Estimate;
    insolvencyProbability: Estimate;
    /** Liquidations at risk: collateral value seized per path (USD), its 95th percentile and mean. */
    liquidationsAtRiskP95Usd: Estimate;
    liquidationsAtRiskMeanUsd: Estimate;
    borrowerLossMeanUsd: Estimate;
    borrowerLossP95Usd: Estimate;
    liquidations: number;
    /** Mean steps from unhealthy (at the oracle) to liquidated, over all liquidations; and its p95 of the per-path max. */
    liquidationDelayMeanSteps: number;
    liquidationDelayMaxP95Steps: Estimate;
  };
  amm: {
    lpPnlVsHoldMean: Estimate;
    lpPnlVsHoldP5: Estimate;
    lvrMeanUsd: Estimate;
    twapErrorMeanBps: Estimate;
  };
  revenue: { holderRevenueMeanUsd: number; revenueRepaidMeanUsd: number };
  accountSteps: number;
  /** The InsurancePool's figures (absent when `insurance.enabled` is false). */
  insurance?: InsuranceMetrics;
};

/**
 * Insurance: ruin (a claim the vault could not pay in full: Wilson interval), loss ratio (claims / premiums) and
 * premium adequacy (premiums / claims) as ratios of the sums over paths (bootstrap over paths; adequacy is capped at
 * 1e6 when no claim was paid), capital utilization (the per-path peak of exposure / (capital x leverage): mean and
 * p95), the underwriters' return over the path ((capital at the end + withdrawals - deposits) / capital at the start
 * - 1) and the probability that a path's claims exceed its premiums.
 */
export type InsuranceMetrics = {
  ruinProbability: Estimate;
  lossRatio: Estimate;
  premiumAdequacy: Estimate;
  underwritingLossProbability: Estimate;
  capitalUtilizationMean: Estimate;
  capitalUtilizationP95: Estimate;
  underwriterReturnMean: Estimate;
  premiumsMeanUsd: number;
  claimsMeanUsd: number;
  /** Claims the pool priced (expected claims of the policies sold) over claims paid: the pricing's margin. */
  pricedOverPaid: number;
  policiesRefused: number;
};

const usd = (units: bigint) => Number(units) / 1e6;
const round = (x: number) => Number(x.toPrecision(10));

/** Empirical quantile of ascending `sorted`. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Mean of the values at or above the q-quantile (expected shortfall). */
export function expectedShortfall(sorted: readonly number[], q: number): number {
  const v = quantile(sorted, q);
  let sum = 0;
  let count = 0;
  for (const x of sorted) if (x >= v) {
    sum += x;
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

/** Mean, summed in the given order. */
export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? 0 : sum / values.length;
}

/** The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Wilson score interval of a proportion. */
export function wilson(successes: number, n: number, confidence: number): Estimate {
  if (n === 0) return { value: 0, ci: [0, 1] };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  const denominator = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return { value: round(p), ci: [round(Math.max(0, center - half)), round(Math.min(1, center + half))] };
}

/** Mean with a normal-approximation interval. */
export function meanEstimate(values: readonly number[], confidence: number): Estimate {
  const m = mean(values);
  if (values.length < 2) return { value: round(m), ci: [round(m), round(m)] };
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  const half = (normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(ss / (values.length - 1))) / Math.sqrt(values.length);
  return { value: round(m), ci: [round(m - half), round(m + half)] };
}

/** A statistic with a percentile-bootstrap interval; resamples drawn from `bootstrap:<name>` of `seed`. */
export function bootstrap(values: readonly number[], statistic: (sorted: number[]) => number, name: string, seed: number, resamples: number, confidence: number): Estimate {
  const sorted = [...values].sort((a, b) => a - b);
  const value = statistic(sorted);
  if (values.length < 2) return { value: round(value), ci: [round(value), round(value)] };
  const stream = new RandomStream(seed, 0, `bootstrap:${name}`);
  const stats: number[] = [];
  const sample = new Array<number>(values.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(stream.uniform() * values.length)]!;
    stats.push(statistic([...sample].sort((x, y) => x - y)));
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - confidence) / 2;
  return { value: round(value), ci: [round(quantile(stats, alpha)), round(quantile(stats, 1 - alpha))] };
}

/** Cap on a premium adequacy when no claim was paid (canonical JSON has no Infinity). */
export const ADEQUACY_CAP = 1e6;

/** sum(numerator) / sum(denominator) over paths, with a percentile-bootstrap interval (resampling paths). */
export function bootstrapRatio(numerator: readonly number[], denominator: readonly number[], cap: number, name: string, seed: number, resamples: number, confidence: number): Estimate {
  const ratio = (indices: Iterable<number>) => {
    let n = 0;
    let d = 0;
    for (const i of indices) {
      n += numerator[i]!;
      d += denominator[i]!;
    }
    return d === 0 ? (n === 0 ? 0 : cap) : Math.min(cap, n / d);
  };
  const count = numerator.length;
  const value = ratio(numerator.keys());
  if (count < 2) return { value: round(value), ci: [round(value), round(value)] };
  const stream = new RandomStream(seed, 0, `bootstrap:${name}`);
  const stats: number[] = [];
  const sample = new Array<number>(count);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < count; i++) sample[i] = Math.floor(stream.uniform() * count);
    stats.push(ratio(sample));
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - confidence) / 2;
  return { value: round(value), ci: [round(quantile(stats, alpha)), round(quantile(stats, 1 - alpha))] };
}

/** The insurance metrics of the paths that carry `extensions.insurance` (undefined when none does). */
export function insuranceMetrics(results: readonly PathResult[], params: Params, seed: number): InsuranceMetrics | undefined {
  const figures = results.map((r) => r.extensions.insurance as InsurancePathFigures | undefined);
  if (figures.length === 0 || figures.some((f) => f === undefined)) return undefined;
  const all = figures as InsurancePathFigures[];
  const { bootstrapResamples: B, confidence } = params.metrics;
  const premiums = all.map((f) => usd(BigInt(f.premiums)));
  const claims = all.map((f) => usd(BigInt(f.claims)));
  const utilization = all.map((f) => f.peakUtilization);
  const returns = all.map((f) => {
    const start = Number(BigInt(f.capitalStart));
    return start === 0 ? 0 : (Number(BigInt(f.capitalEnd)) + Number(BigInt(f.withdrawn)) - Number(BigInt(f.deposited))) / start - 1;
  });
  const paid = all.reduce((sum, f) => sum + BigInt(f.claims), 0n);
  const priced = all.reduce((sum, f) => sum + BigInt(f.expectedClaims), 0n);
  return {
    ruinProbability: wilson(all.filter((f) => f.ruined).length, all.length, confidence),
    lossRatio: bootstrapRatio(claims, premiums, ADEQUACY_CAP, "insuranceLossRatio", seed, B, confidence),
    premiumAdequacy: bootstrapRatio(premiums, claims, ADEQUACY_CAP, "insurancePremiumAdequacy", seed, B, confidence),
    underwritingLossProbability: wilson(all.filter((f) => BigInt(f.claims) > BigInt(f.premiums)).length, all.length, confidence),
    capitalUtilizationMean: meanEstimate(utilization, confidence),
    capitalUtilizationP95: bootstrap(utilization, (s) => quantile(s, 0.95), "insuranceUtilizationP95", seed, B, confidence),
    underwriterReturnMean: meanEstimate(returns, confidence),
    premiumsMeanUsd: round(mean(premiums)),
    claimsMeanUsd: round(mean(claims)),
    pricedOverPaid: paid === 0n ? ADEQUACY_CAP : round(Number(priced) / Number(paid)),
    policiesRefused: all.reduce((n, f) => n + f.policiesRefused, 0),
  };
}

/** The run's metrics from its path results (in path order). */
export function computeMetrics(results: readonly PathResult[], params: Params, seed: number): Metrics {
  const { bootstrapResamples: B, confidence } = params.metrics;
  const boot = (values: number[], statistic: (s: number[]) => number, name: string) => bootstrap(values, statistic, name, seed, B, confidence);
  const badDebt = results.map((r) => usd(r.badDebt));
  const badDebtOfSupply = results.map((r) => (r.supply === 0n ? 0 : Number(r.badDebt) / Number(r.supply)));
  const lar = results.map((r) => r.liquidatedUsd);
  const loss = results.map((r) => r.borrowerLossUsd);
  const liquidations = results.reduce((n, r) => n + r.liquidations, 0);
  const delaySum = results.reduce((n, r) => n + r.liquidationDelaySteps, 0);
  const lp = results.map((r) => r.lpPnlVsHold);
  const insurance = insuranceMetrics(results, params, seed);
  return {
    paths: results.length,
    lending: {
      badDebtVar95Usd: boot(badDebt, (s) => quantile(s, 0.95), "badDebtVar95"),
      badDebtVar99Usd: boot(badDebt, (s) => quantile(s, 0.99), "badDebtVar99"),
      badDebtEs95Usd: boot(badDebt, (s) => expectedShortfall(s, 0.95), "badDebtEs95"),
      badDebtEs99Usd: boot(badDebt, (s) => expectedShortfall(s, 0.99), "badDebtEs99"),
      badDebtMeanUsd: meanEstimate(badDebt, confidence),
      badDebtVar99OfSupply: boot(badDebtOfSupply, (s) => quantile(s, 0.99), "badDebtVar99OfSupply"),
      insolvencyProbability: wilson(results.filter((r) => r.badDebt > 0n).length, results.length, confidence),
      liquidationsAtRiskP95Usd: boot(lar, (s) => quantile(s, 0.95), "larP95"),
      liquidationsAtRiskMeanUsd: meanEstimate(lar, confidence),
      borrowerLossMeanUsd: meanEstimate(loss, confidence),
      borrowerLossP95Usd: boot(loss, (s) => quantile(s, 0.95), "borrowerLossP95"),
      liquidations,
      liquidationDelayMeanSteps: liquidations === 0 ? 0 : round(delaySum / liquidations),
      liquidationDelayMaxP95Steps: boot(results.map((r) => r.maxLiquidationDelaySteps), (s) => quantile(s, 0.95), "delayMaxP95"),
    },
    amm: {
      lpPnlVsHoldMean: meanEstimate(lp, confidence),
      lpPnlVsHoldP5: boot(lp, (s) => quantile(s, 0.05), "lpP5"),
      lvrMeanUsd: meanEstimate(results.map((r) => r.lvrUsd), confidence),
      twapErrorMeanBps: meanEstimate(results.map((r) => r.twapErrorBps), confidence),
    },
    revenue: {
      holderRevenueMeanUsd: round(mean(results.map((r) => usd(r.holderRevenue)))),
      revenueRepaidMeanUsd: round(mean(results.map((r) => usd(r.revenueRepaid)))),
    },
    accountSteps: results.reduce((n, r) => n + r.accountSteps, 0),
    ...(insurance ? { insurance } : {}),
  };
}
