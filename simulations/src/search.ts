/**
 * Parameter search (issue #14 scope 6): the LLTV, the borrow-cap usage and the insurance loading that keep chosen
 * risks under targets across stress scenarios.
 *
 * - **Targets** `[scenario,scenario:]metric<=bound` or `>=`: `metric` is a dotted path into a run's metrics that
 *   holds an estimate (`lending.badDebtVar99OfSupply`, `insurance.ruinProbability`, ...); without a scenario list the
 *   target applies to every scenario of the search. A target passes only on the side of the confidence interval that
 *   matters: the **upper end** must be <= the bound, the **lower end** >= it. So a figure resting on too few paths
 *   fails (0 ruins in 100 paths has a Wilson upper end of 3.7%: it cannot show <= 0.5%).
 * - **Lending** (targets not under `insurance.`): over the LLTV grid from the highest down and, at each LLTV, the
 *   cap-usage grid from the highest down, the first candidate whose every lending target passes in every scenario it
 *   applies to (scenarios in the order given; a candidate stops at its first failure). So the recommendation is the
 *   highest LLTV that passes at some cap usage, with the highest cap usage that passes there. At each LLTV the lowest
 *   cap usage runs first: if it fails the LLTV is skipped, which assumes risk does not fall as more of the cap is
 *   used (debt and supply scale together; only the liquidations' price impact grows).
 * - **Insurance** (targets under `insurance.`), at the recommended LLTV and cap usage: bisection on the loading over
 *   [low, high] in steps of `resolution` bps, for the lowest loading that passes (first the high end: when it fails the
 *   targets are out of reach). It assumes the insurance figures improve with the loading (more premium, more capital).
 *   The insurance agents read only the usage paths, so the lending candidate does not change their figures.
 * - Every run uses the same seed and path count: the candidates share their random numbers (common random numbers),
 *   so a difference between two candidates is the parameters', not the draws'.
 *
 * The output is canonical JSON without a commit or machine: the same search gives the same bytes anywhere.
 */
import type { RecommendedParamsFile } from "@cogfi/sdk";
import { hashOf } from "./canonical.js";
import { SimulationError } from "./errors.js";
import type { Estimate, Metrics } from "./metrics.js";
import type { Results } from "./run.js";

export const SEARCH_KIND = "cogfi-sim/search";
export const SEARCH_SCHEMA_VERSION = 1;

export type Target = { text: string; scenarios: string[] | null; metric: string; op: "<=" | ">="; bound: number };

const TARGET = /^(?:([a-z0-9-]+(?:,[a-z0-9-]+)*):)?([a-zA-Z][a-zA-Z0-9]*(?:\.[a-zA-Z][a-zA-Z0-9]*)+)\s*(<=|>=)\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE]-?[0-9]+)?)$/;

/** Parses `[scenario,...:]metric<=bound` (or `>=`). */
export function parseTarget(text: string): Target {
  const match = TARGET.exec(text.trim());
  if (!match) throw new SimulationError(`target "${text}": expected [scenario,...:]metric<=bound or >=bound, e.g. lending.badDebtVar99OfSupply<=0.001`);
  return { text: text.trim(), scenarios: match[1] ? match[1].split(",") : null, metric: match[2]!, op: match[3] as "<=" | ">=", bound: Number(match[4]) };
}

/** The estimate at `metric` (a dotted path) in `metrics`; refuses paths that do not hold one. */
export function estimateAt(metrics: Metrics, metric: string): Estimate {
  let node: unknown = metrics;
  for (const key of metric.split(".")) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  const estimate = node as Partial<Estimate> | undefined;
  if (typeof estimate?.value !== "number" || !Array.isArray(estimate.ci)) {
    throw new SimulationError(`target metric ${metric} is not an estimate with a confidence interval in the run's metrics`);
  }
  return estimate as Estimate;
}

/** Whether `estimate` meets `target` at the conservative end of its interval, and that end. */
export function meets(target: Target, estimate: Estimate): { pass: boolean; checked: number } {
  const checked = target.op === "<=" ? estimate.ci[1] : estimate.ci[0];
  return { pass: target.op === "<=" ? checked <= target.bound : checked >= target.bound, checked };
}

const appliesTo = (target: Target, scenario: string) => target.scenarios === null || target.scenarios.includes(scenario);
const isInsurance = (target: Target) => target.metric.startsWith("insurance.");

/** Runs one scenario with overrides (the search's only access to the engine: tests pass their own). */
export type Evaluator = (scenario: string, overrides: Record<string, unknown>) => Promise<Results>;

export type SearchSpec = {
  scenarios: string[];
  targets: Target[];
  seed: number;
  paths: number;
  /** LLTVs to try, highest first (fractions). */
  lltvs: number[];
  /** Cap usages to try at each LLTV, highest first. */
  capUsages: number[];
  loading: { lowBps: number; highBps: number; resolutionBps: number };
  /** Extra parameter overrides applied to every run (`--set`). */
  overrides?: Record<string, unknown>;
};

export type LendingCandidate = { lltv: number; capUsage: number };
export type EvidenceRow = {
  phase: "lending" | "insurance";
  candidate: LendingCandidate | { loadingBps: number };
  scenario: string;
  configHash: string;
  target: string;
  value: number;
  ci: [number, number];
  /** The interval's end compared with the bound. */
  checked: number;
  pass: boolean;
};

export type SearchOutput = {
  kind: typeof SEARCH_KIND;
  schemaVersion: number;
  spec: Omit<SearchSpec, "targets"> & { targets: string[] };
  recommended: { lltv: number | null; capUsage: number | null; loadingBps: number | null };
  feasible: { lending: boolean; insurance: boolean };
  /** Runs made (scenario x candidate). */
  runs: number;
  evidence: EvidenceRow[];
  /** sha256 of the canonical output without this field. */
  digest: string;
};

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const prior = out[key];
    out[key] = typeof prior === "object" && prior !== null && typeof value === "object" && value !== null && !Array.isArray(value) ? merge(prior as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

/** Runs the search (see the module's comment); `onCandidate` reports progress. */
export async function search(spec: SearchSpec, evaluate: Evaluator, onCandidate?: (phase: string, candidate: unknown, pass: boolean) => void): Promise<SearchOutput> {
  if (spec.scenarios.length === 0) throw new SimulationError("search: no scenario");
  if (spec.targets.length === 0) throw new SimulationError("search: no target");
  for (const target of spec.targets) for (const s of target.scenarios ?? []) if (!spec.scenarios.includes(s)) throw new SimulationError(`target "${target.text}" names scenario ${s}, which the search does not run`);
  const descending = (values: number[], name: string) => {
    if (values.length === 0 || values.some((v, i) => i > 0 && v >= values[i - 1]!)) throw new SimulationError(`search: the ${name} grid must be non-empty and strictly descending`);
  };
  descending(spec.lltvs, "LLTV");
  descending(spec.capUsages, "cap-usage");
  const { lowBps, highBps, resolutionBps } = spec.loading;
  if (!(resolutionBps > 0 && lowBps >= 0 && highBps > lowBps && (highBps - lowBps) % resolutionBps === 0)) {
    throw new SimulationError("search: the loading range must be low < high with (high - low) a multiple of the resolution");
  }
  const evidence: EvidenceRow[] = [];
  let runs = 0;
  const base = merge(spec.overrides ?? {}, { paths: spec.paths });

  async function check(phase: EvidenceRow["phase"], candidate: EvidenceRow["candidate"], overrides: Record<string, unknown>, targets: Target[]): Promise<boolean> {
    for (const scenario of spec.scenarios) {
      const applicable = targets.filter((t) => appliesTo(t, scenario));
      if (applicable.length === 0) continue;
      const results = await evaluate(scenario, merge(base, overrides));
      runs++;
      let pass = true;
      for (const target of applicable) {
        const estimate = estimateAt(results.metrics, target.metric);
        const outcome = meets(target, estimate);
        evidence.push({ phase, candidate, scenario, configHash: results.manifest.configHash, target: target.text, value: estimate.value, ci: estimate.ci, checked: outcome.checked, pass: outcome.pass });
        pass &&= outcome.pass;
      }
      if (!pass) {
        onCandidate?.(phase, candidate, false);
        return false;
      }
    }
    onCandidate?.(phase, candidate, true);
    return true;
  }

  const lendingTargets = spec.targets.filter((t) => !isInsurance(t));
  const insuranceTargets = spec.targets.filter(isInsurance);
  let lending: LendingCandidate | null = null;
  if (lendingTargets.length > 0) {
    const lendingCheck = (lltv: number, capUsage: number) => check("lending", { lltv, capUsage }, { lending: { lltv, capUsage } }, lendingTargets);
    outer: for (const lltv of spec.lltvs) {
      // The lowest cap usage first: when even it fails, no cap usage passes at this LLTV (risk does not fall as more
      // of the cap is used), and the LLTV is skipped after one candidate.
      const lowest = spec.capUsages.at(-1)!;
      if (!(await lendingCheck(lltv, lowest))) continue;
      for (const capUsage of spec.capUsages) {
        if (capUsage === lowest || (await lendingCheck(lltv, capUsage))) {
          lending = { lltv, capUsage };
          break outer;
        }
      }
    }
  }
  const lendingOverrides = lending ? { lending } : {};

  let loadingBps: number | null = null;
  if (insuranceTargets.length > 0) {
    const at = (k: number) => lowBps + k * resolutionBps;
    const passes = (k: number) => check("insurance", { loadingBps: at(k) }, merge(lendingOverrides, { insurance: { loadingBps: at(k) } }), insuranceTargets);
    let hi = (highBps - lowBps) / resolutionBps;
    if (await passes(hi)) {
      let lo = 0;
      if (await passes(lo)) hi = lo;
      else {
        // Invariant: lo fails, hi passes.
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (await passes(mid)) hi = mid;
          else lo = mid;
        }
      }
      loadingBps = at(hi);
    }
  }

  const body = {
    kind: SEARCH_KIND,
    schemaVersion: SEARCH_SCHEMA_VERSION,
    spec: { ...spec, targets: spec.targets.map((t) => t.text), overrides: spec.overrides ?? {} },
    recommended: { lltv: lending?.lltv ?? null, capUsage: lending?.capUsage ?? null, loadingBps },
    feasible: { lending: lendingTargets.length === 0 || lending !== null, insurance: insuranceTargets.length === 0 || loadingBps !== null },
    runs,
    evidence,
  } satisfies Omit<SearchOutput, "digest">;
  return { ...body, digest: hashOf(body) };
}

/** What deploy and `npm start` read (`sdk/src/recommended-params.json`): the sdk's type of that file. */
export type RecommendedParams = RecommendedParamsFile;

/** The recommended-parameters file of a feasible search. */
export function recommendedParamsOf(output: SearchOutput, source: string, command: string): RecommendedParams {
  const { lltv, capUsage, loadingBps } = output.recommended;
  if (lltv === null || capUsage === null || loadingBps === null) {
    throw new SimulationError(`search: no recommendation to write (feasible: lending ${output.feasible.lending}, insurance ${output.feasible.insurance}); relax a target or widen a grid`);
  }
  return { schemaVersion: 1, source, command, searchDigest: output.digest, lending: { lltvBps: Math.round(lltv * 10_000), capUsageBps: Math.round(capUsage * 10_000) }, insurance: { loadingBps } };
}

const pct = (x: number, digits = 3) => `${Number((x * 100).toPrecision(digits))}%`;
const figure = (x: number) => (Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-4) ? x.toExponential(3) : String(Number(x.toPrecision(4))));
const candidateText = (c: EvidenceRow["candidate"]) => ("loadingBps" in c ? `loading ${c.loadingBps} bps` : `LLTV ${pct(c.lltv)}, cap usage ${pct(c.capUsage)}`);

/** The committed report: what was searched, the recommendation, and every run's evidence. */
export function renderSearchMarkdown(output: SearchOutput, params: RecommendedParams): string {
  const { spec, recommended } = output;
  const lines = [
    "# Recommended risk parameters",
    "",
    `Generated by \`${params.command}\` (simulations/src/search.ts; do not edit by hand: \`simulations/test/search.test.ts\``,
    "checks that this page, `sdk/src/recommended-params.json` and the search output agree, and re-runs the recommended",
    "candidate). `script/Deploy.s.sol` deploys the InsurancePool with the loading and checks the LLTV is enabled; `npm start`",
    "opens its lending markets at the LLTV with the borrow cap at the cap usage times the sdk's `capsFromLiquidity` cap.",
    "",
    "| parameter | recommended | file key |",
    "|---|---|---|",
    `| LLTV | ${recommended.lltv === null ? "none passes" : pct(recommended.lltv)} | \`lending.lltvBps\` = ${params.lending.lltvBps} |`,
    `| borrow-cap usage (market cap / the sdk's liquidity cap) | ${recommended.capUsage === null ? "none passes" : pct(recommended.capUsage)} | \`lending.capUsageBps\` = ${params.lending.capUsageBps} |`,
    `| insurance loading | ${recommended.loadingBps === null ? "none passes" : `${recommended.loadingBps} bps (${pct(recommended.loadingBps / 10_000)})`} | \`insurance.loadingBps\` = ${params.insurance.loadingBps} |`,
    "",
    `Search digest \`${output.digest}\`; ${output.runs} runs of ${spec.paths} paths, seed ${spec.seed} (every run the same seed: common random numbers).`,
    "",
    "## Targets",
    "",
    "A target passes only when the conservative end of its 95% interval meets the bound (upper end for `<=`, lower end for",
    "`>=`); a scenario list before `:` limits a target to those scenarios.",
    "",
    ...spec.targets.map((t) => `- \`${t}\``),
    "",
    "## Method",
    "",
    `1. Lending: LLTVs ${spec.lltvs.map((x) => pct(x)).join(", ")} from the highest down; at each, cap usages ${spec.capUsages.map((x) => pct(x)).join(", ")} from the highest`,
    "   down; the first candidate whose lending targets all pass in every scenario (in the order given, stopping at the",
    "   first failure) is recommended. At each LLTV the lowest cap usage runs first and, when it fails, the LLTV is",
    "   skipped (risk is taken not to fall as more of the cap is used).",
    `2. Insurance, at that LLTV and cap usage: bisection on the loading over [${spec.loading.lowBps}, ${spec.loading.highBps}] bps in steps of ${spec.loading.resolutionBps}`,
    "   for the lowest loading whose insurance targets pass (the high end first: if it fails, none is recommended).",
    "",
    "## Evidence",
    "",
    "| phase | candidate | scenario | target | value | 95% interval | checked | pass |",
    "|---|---|---|---|---|---|---|---|",
    ...output.evidence.map(
      (row) => `| ${row.phase} | ${candidateText(row.candidate)} | ${row.scenario} | \`${row.target}\` | ${figure(row.value)} | [${figure(row.ci[0])}, ${figure(row.ci[1])}] | ${figure(row.checked)} | ${row.pass ? "yes" : "**no**"} |`,
    ),
    "",
    "Each run's configuration hash is in the search output (`simulations/recommended/search.json`), so any row can be",
    "re-run alone: `npm run sim -- run <scenario> --seed <seed> --paths <paths>` with the candidate's `--set lending.lltv=...",
    "--set lending.capUsage=...` (an insurance row: the recommended LLTV and cap usage and `--set insurance.loadingBps=...`).",
    "",
  ];
  return lines.join("\n");
}
