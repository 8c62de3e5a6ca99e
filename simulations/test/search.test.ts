import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { RECOMMENDED_PARAMETERS, DEFAULT_INSURANCE_PARAMETERS, LENDING_LLTVS } from "@cogfi/sdk";
import { describe, expect, test } from "vitest";
import { canonicalJsonPretty } from "../src/canonical.js";
import { main, searchCommandOf } from "../src/cli.js";
import type { Metrics } from "../src/metrics.js";
import { manifestOf, resultsOf, runRange, type Results } from "../src/run.js";
import { loadScenarioFile } from "../src/scenario.js";
import { estimateAt, meets, parseTarget, recommendedParamsOf, renderSearchMarkdown, search, type Evaluator, type SearchOutput, type SearchSpec } from "../src/search.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (path: string) => readFileSync(resolve(ROOT, path), "utf8");

/** Results whose only metric is the one a fake evaluator sets. */
const fakeResults = (configHash: string, lending: number, insurance: number): Results =>
  ({
    kind: "cogfi-sim/results",
    manifest: { configHash },
    metrics: { lending: { badDebtVar99OfSupply: { value: lending, ci: [lending / 2, lending * 1.5] } }, insurance: { premiumAdequacy: { value: insurance, ci: [insurance - 0.1, insurance + 0.1] } } } as unknown as Metrics,
  }) as unknown as Results;

describe("search targets", () => {
  test("parse: scenario scope, metric path, operator, bound; refuse anything else", () => {
    expect(parseTarget("lending.badDebtVar99OfSupply<=0.001")).toMatchObject({ scenarios: null, metric: "lending.badDebtVar99OfSupply", op: "<=", bound: 0.001 });
    expect(parseTarget("a-b,c:insurance.premiumAdequacy >= 1")).toMatchObject({ scenarios: ["a-b", "c"], metric: "insurance.premiumAdequacy", op: ">=", bound: 1 });
    expect(parseTarget("insurance.ruinProbability<=5e-3").bound).toBe(0.005);
    for (const bad of ["lending<=1", "lending.x<1", "lending.x<=", "Foo:lending.x<=1", "lending.x<=1; rm"]) expect(() => parseTarget(bad), bad).toThrow(/expected \[scenario/);
  });

  test("a target passes on the conservative end of the interval: upper for <=, lower for >=", () => {
    const estimate = { value: 0.004, ci: [0.001, 0.02] as [number, number] };
    expect(meets(parseTarget("x.y<=0.005"), estimate)).toEqual({ pass: false, checked: 0.02 });
    expect(meets(parseTarget("x.y<=0.02"), estimate)).toEqual({ pass: true, checked: 0.02 });
    expect(meets(parseTarget("x.y>=0.002"), estimate)).toEqual({ pass: false, checked: 0.001 });
    expect(meets(parseTarget("x.y>=0.001"), estimate)).toEqual({ pass: true, checked: 0.001 });
    const metrics = fakeResults("h", 0.1, 1).metrics;
    expect(estimateAt(metrics, "lending.badDebtVar99OfSupply").value).toBe(0.1);
    expect(() => estimateAt(metrics, "lending.nothing")).toThrow(/not an estimate/);
    expect(() => estimateAt(metrics, "lending")).toThrow(/not an estimate/);
  });
});

describe("search", () => {
  // A fake market: bad debt share = lltv^4 x (0.5 + capUsage / 2) in "crash", 0 elsewhere; adequacy = (1 + loading) x 0.9.
  const spec: SearchSpec = {
    scenarios: ["crash", "calm"],
    targets: [parseTarget("crash:lending.badDebtVar99OfSupply<=0.2"), parseTarget("calm:insurance.premiumAdequacy>=1")],
    seed: 1,
    paths: 10,
    lltvs: [0.915, 0.86, 0.77, 0.625, 0.385],
    capUsages: [1, 0.8, 0.6, 0.4],
    loading: { lowBps: 0, highBps: 50_000, resolutionBps: 250 },
  };
  const calls: string[] = [];
  const evaluate: Evaluator = async (scenario, overrides) => {
    const lending = (overrides.lending ?? {}) as { lltv?: number; capUsage?: number };
    const loading = ((overrides.insurance ?? {}) as { loadingBps?: number }).loadingBps ?? 2000;
    expect(overrides.paths).toBe(10);
    calls.push(`${scenario}:${lending.lltv}:${lending.capUsage}:${loading}`);
    const badDebt = scenario === "crash" ? lending.lltv! ** 4 * (0.5 + lending.capUsage! / 2) : 0;
    return fakeResults(`${scenario}-${JSON.stringify(overrides)}`, badDebt, (1 + loading / 10_000) * 0.9);
  };

  test("lending: the highest LLTV that passes at some cap usage, with the highest cap usage there; insurance: the lowest loading by bisection", async () => {
    calls.length = 0;
    const out = await search(spec, evaluate);
    // Upper end = 1.5 x value <= 0.2: lltv^4 (0.5 + c/2) <= 0.1333. 0.625^4 = 0.1526: c <= 0.747 -> 0.6 (0.4 passes first).
    expect(out.recommended.lltv).toBe(0.625);
    expect(out.recommended.capUsage).toBe(0.6);
    // Lower end (1 + L) 0.9 - 0.1 >= 1 -> L >= 1/0.9 - 1 + ... = 2/9 = 22.2%: the next 2.5% step is 2250 bps.
    expect(out.recommended.loadingBps).toBe(2250);
    expect(out.feasible).toEqual({ lending: true, insurance: true });
    // The LLTVs above fail at their lowest cap usage and are skipped after one run each; the insurance targets run
    // only "calm", the lending ones only "crash".
    expect(calls.slice(0, 7)).toEqual(["crash:0.915:0.4:2000", "crash:0.86:0.4:2000", "crash:0.77:0.4:2000", "crash:0.625:0.4:2000", "crash:0.625:1:2000", "crash:0.625:0.8:2000", "crash:0.625:0.6:2000"]);
    expect(calls.slice(7).every((c) => c.startsWith("calm:0.625:0.6:"))).toBe(true);
    expect(calls.slice(7, 9)).toEqual(["calm:0.625:0.6:50000", "calm:0.625:0.6:0"]);
    expect(out.runs).toBe(calls.length);
    expect(out.evidence.filter((e) => e.phase === "insurance" && e.pass).map((e) => (e.candidate as { loadingBps: number }).loadingBps)).toContain(2250);
    expect(out.evidence.filter((e) => e.phase === "insurance" && !e.pass).map((e) => (e.candidate as { loadingBps: number }).loadingBps)).toContain(2000);
    // Deterministic: the same search, the same bytes.
    expect(canonicalJsonPretty(await search(spec, evaluate))).toBe(canonicalJsonPretty(out));
  });

  test("infeasible targets recommend nothing and refuse to write a recommended-parameters file", async () => {
    const out = await search({ ...spec, targets: [parseTarget("crash:lending.badDebtVar99OfSupply<=0.0001"), parseTarget("calm:insurance.premiumAdequacy>=10")] }, evaluate);
    expect(out.recommended).toEqual({ lltv: null, capUsage: null, loadingBps: null });
    expect(out.feasible).toEqual({ lending: false, insurance: false });
    expect(() => recommendedParamsOf(out, "r.md", "c")).toThrow(/no recommendation/);
    await expect(search({ ...spec, lltvs: [0.5, 0.6] }, evaluate)).rejects.toThrow(/strictly descending/);
    await expect(search({ ...spec, targets: [parseTarget("other:lending.x<=1")] }, evaluate)).rejects.toThrow(/names scenario other/);
  });
});

describe("the committed recommendation", () => {
  const output = JSON.parse(read("simulations/recommended/search.json")) as SearchOutput;
  const params = JSON.parse(read("sdk/src/recommended-params.json"));

  test("the search output, the recommended-parameters file, the report and the sdk agree", () => {
    const spec = { ...output.spec, targets: output.spec.targets.map(parseTarget) };
    const command = searchCommandOf(spec);
    expect(canonicalJsonPretty(params)).toBe(canonicalJsonPretty(recommendedParamsOf(output, "docs/risk/recommended-parameters.md", command)));
    expect(read("docs/risk/recommended-parameters.md")).toBe(renderSearchMarkdown(output, params));
    // `npm run sim:recommend` is the command the report names (plus where it writes).
    const script = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts["sim:recommend"]!;
    for (const part of [...spec.scenarios, ...spec.targets.map((t) => `--target '${t.text}'`), `--seed ${spec.seed}`, `--paths ${spec.paths}`]) expect(script).toContain(part);
    expect(script).toContain("--recommended sdk/src/recommended-params.json");
    expect(script).toContain("--report docs/risk/recommended-parameters.md");
    // The sdk (npm start, DEFAULT_INSURANCE_PARAMETERS) reads the same values; the LLTV is an enabled one.
    expect(output.feasible).toEqual({ lending: true, insurance: true });
    expect(RECOMMENDED_PARAMETERS.lltv).toBe(BigInt(Math.round(output.recommended.lltv! * 10_000)) * 10n ** 14n);
    expect(LENDING_LLTVS).toContain(RECOMMENDED_PARAMETERS.lltv);
    expect(RECOMMENDED_PARAMETERS.capUsageBps).toBe(BigInt(Math.round(output.recommended.capUsage! * 10_000)));
    expect(RECOMMENDED_PARAMETERS.loadingBps).toBe(BigInt(output.recommended.loadingBps!));
    expect(DEFAULT_INSURANCE_PARAMETERS.loadingBps).toBe(RECOMMENDED_PARAMETERS.loadingBps);
    expect(RECOMMENDED_PARAMETERS.searchDigest).toBe(output.digest);
    // The evidence holds what the recommendation claims: every target passes at the recommended candidate.
    const lendingRows = output.evidence.filter((e) => e.phase === "lending" && "lltv" in e.candidate && e.candidate.lltv === output.recommended.lltv && e.candidate.capUsage === output.recommended.capUsage);
    const insuranceRows = output.evidence.filter((e) => e.phase === "insurance" && (e.candidate as { loadingBps: number }).loadingBps === output.recommended.loadingBps);
    expect(lendingRows.length).toBeGreaterThan(0);
    expect(insuranceRows.length).toBeGreaterThan(0);
    for (const row of [...lendingRows, ...insuranceRows]) expect(row.pass, `${row.scenario} ${row.target}`).toBe(true);
    // ... and the loading one step lower fails (bisection's bracket).
    const below = output.evidence.filter((e) => e.phase === "insurance" && (e.candidate as { loadingBps: number }).loadingBps === output.recommended.loadingBps! - output.spec.loading.resolutionBps);
    expect(below.some((e) => !e.pass)).toBe(true);
  });

  test("re-running the recommended insurance candidate reproduces its evidence row to the digit", async () => {
    const row = output.evidence.find((e) => e.phase === "insurance" && (e.candidate as { loadingBps: number }).loadingBps === output.recommended.loadingBps)!;
    const overrides = { paths: output.spec.paths, lending: { lltv: output.recommended.lltv, capUsage: output.recommended.capUsage }, insurance: { loadingBps: output.recommended.loadingBps } };
    const input = { file: loadScenarioFile(row.scenario), seed: output.spec.seed, overrides };
    const { manifest } = manifestOf(input);
    expect(manifest.configHash).toBe(row.configHash);
    const results = resultsOf(manifest, (await runRange(input, 0, manifest.paths, { trace: false })).results);
    const estimate = estimateAt(results.metrics, parseTarget(row.target).metric);
    expect(estimate).toEqual({ value: row.value, ci: row.ci });
  }, 600_000);
});

describe("cogfi-sim search (CLI, a small fixed budget)", () => {
  test("writes the JSON, the recommended-parameters file and the report; the same command gives the same bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cogfi-search-"));
    const argv = (tag: string) => [
      "search", "share-crash-60", "reasoning-drift",
      "--target", "share-crash-60:lending.badDebtVar99OfSupply<=0.05",
      "--target", "reasoning-drift:insurance.premiumAdequacy>=0.5",
      "--lltv", "0.625,0.385", "--cap-usage", "0.6", "--loading", "0:20000:10000", "--paths", "4",
      "--out", join(dir, `${tag}.json`), "--recommended", join(dir, `${tag}-params.json`), "--report", join(dir, `${tag}.md`),
    ];
    let stderr = "";
    const run = async (tag: string) => {
      const sink = new PassThrough();
      sink.on("data", (chunk) => (stderr += chunk));
      expect(await main(argv(tag), { stdout: () => {}, stderr: sink }), stderr).toBe(0);
      return JSON.parse(readFileSync(join(dir, `${tag}.json`), "utf8")) as SearchOutput;
    };
    const first = await run("a");
    // At 62.5% the 60% crash leaves ~15% of supply as bad debt: the search moves on to 38.5%.
    expect(first.recommended).toEqual({ lltv: 0.385, capUsage: 0.6, loadingBps: 0 });
    expect(first.evidence[0]).toMatchObject({ phase: "lending", scenario: "share-crash-60", pass: false, candidate: { lltv: 0.625, capUsage: 0.6 } });
    const params = JSON.parse(readFileSync(join(dir, "a-params.json"), "utf8"));
    expect(params.lending).toEqual({ lltvBps: 3850, capUsageBps: 6000 });
    expect(params.insurance).toEqual({ loadingBps: 0 });
    expect(readFileSync(join(dir, "a.md"), "utf8")).toContain("| LLTV | 38.5% |");
    await run("b");
    expect(readFileSync(join(dir, "b.json"), "utf8")).toBe(readFileSync(join(dir, "a.json"), "utf8"));
    // A target without a confidence interval behind it is refused.
    const sink = new PassThrough();
    expect(await main(["search", "baseline", "--target", "lending.liquidations<=1", "--paths", "2"], { stdout: () => {}, stderr: sink })).toBe(1);
  }, 600_000);
});
