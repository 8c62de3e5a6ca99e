/**
 * Reports of results (one run, or a sweep's runs side by side): markdown tables, and a self-contained HTML page with
 * the charts rendered to SVG in Node by vega-lite / vega.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Estimate } from "./metrics.js";
import type { Results } from "./run.js";

const fmt = (x: number) => (Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(3));
const est = (e: Estimate) => `${fmt(e.value)} [${fmt(e.ci[0])}, ${fmt(e.ci[1])}]`;

export function renderMarkdown(runs: readonly Results[]): string {
  const lines: string[] = ["# CogFi risk simulation report", ""];
  for (const run of runs) {
    const { manifest: m, metrics: x } = run;
    lines.push(
      `## ${m.scenario.name} ${m.scenario.version} (seed ${m.seed}, ${x.paths} paths)`,
      "",
      m.scenario.description,
      "",
      `config \`${m.configHash.slice(0, 16)}\`, commit \`${m.gitCommit.slice(0, 12)}\`, overrides \`${JSON.stringify(m.overrides)}\`, LLTV ${m.params.lending.lltv}`,
      "",
      `Intervals: ${m.params.metrics.confidence * 100}% (bootstrap percentile for quantiles, Wilson for the probability, normal for means).`,
      "",
      "| metric | value [CI] |",
      "|---|---|",
      `| bad debt VaR95 (USD) | ${est(x.lending.badDebtVar95Usd)} |`,
      `| bad debt VaR99 (USD) | ${est(x.lending.badDebtVar99Usd)} |`,
      `| bad debt ES95 (USD) | ${est(x.lending.badDebtEs95Usd)} |`,
      `| bad debt ES99 (USD) | ${est(x.lending.badDebtEs99Usd)} |`,
      `| bad debt VaR99 / supply | ${est(x.lending.badDebtVar99OfSupply)} |`,
      `| insolvency probability | ${est(x.lending.insolvencyProbability)} |`,
      `| liquidations at risk p95 (USD) | ${est(x.lending.liquidationsAtRiskP95Usd)} |`,
      `| borrower losses, mean (USD) | ${est(x.lending.borrowerLossMeanUsd)} |`,
      `| liquidations / mean delay (steps) | ${x.lending.liquidations} / ${fmt(x.lending.liquidationDelayMeanSteps)} |`,
      `| LP PnL vs holding, mean | ${est(x.amm.lpPnlVsHoldMean)} |`,
      `| LVR, mean (USD) | ${est(x.amm.lvrMeanUsd)} |`,
      `| TWAP error, mean (bps) | ${est(x.amm.twapErrorMeanBps)} |`,
      "",
    );
  }
  return `${lines.join("\n")}\n`;
}

/* HTML: self-contained, charts rendered to SVG in Node (vega-lite -> vega, no browser, no network). */

type ChartRow = { run: string; value: number; low: number; high: number };

/** A bar per run with its confidence interval as a rule (vega-lite spec). */
function intervalChart(title: string, axis: string, rows: ChartRow[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: Math.max(240, rows.length * 80),
    height: 220,
    data: { values: rows },
    encoding: { x: { field: "run", type: "nominal", sort: null, title: null, axis: { labelAngle: -20, labelLimit: 320 } } },
    layer: [
      { mark: { type: "bar", color: "#4c78a8" }, encoding: { y: { field: "value", type: "quantitative", title: axis } } },
      { mark: { type: "rule", color: "#222", strokeWidth: 2 }, encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
    ],
  };
}

/** Renders a vega-lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The leaves of a nested override object as dotted keys and JSON values, in key order. */
function overrideLeaves(overrides: Record<string, unknown>, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(overrides)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [leaf, text] of overrideLeaves(value as Record<string, unknown>, path)) out.set(leaf, text);
    } else out.set(path, JSON.stringify(value));
  }
  return out;
}

/** The charts of a report: name, title and rows (exported for tests). */
export function reportCharts(runs: readonly Results[]): { name: string; spec: TopLevelSpec }[] {
  // A run's label names only what tells it apart: the scenario when the runs mix scenarios, then each override leaf
  // whose value differs between runs, as `key=value` with the key's last segment (a sweep's runs differ only there;
  // the full overrides are in the tables).
  const leaves = runs.map((r) => overrideLeaves(r.manifest.overrides));
  const differs = (key: string) => new Set(leaves.map((l) => l.get(key))).size > 1;
  const mixedScenarios = new Set(runs.map((r) => r.manifest.scenario.name)).size > 1;
  const label = (r: Results, index: number) => {
    const overrides = [...leaves[index]!].filter(([key]) => differs(key)).map(([key, value]) => `${key.split(".").at(-1)}=${value}`);
    return [...(mixedScenarios || overrides.length === 0 ? [r.manifest.scenario.name] : []), ...overrides].join(" ").slice(0, 48);
  };
  const labels = runs.map(label);
  // Two runs with the same label (e.g. two seeds of one configuration) would share one bar on a nominal axis.
  const unique = labels.map((text, index) => (labels.indexOf(text) === labels.lastIndexOf(text) ? text : `${text} #${index + 1}`));
  const rows = (pick: (r: Results) => Estimate, scale = 1): ChartRow[] =>
    runs.map((r, index) => ({ run: unique[index]!, value: pick(r).value * scale, low: pick(r).ci[0] * scale, high: pick(r).ci[1] * scale }));
  return [
    { name: "bad-debt-var99", spec: intervalChart("Bad debt VaR99 (USD), 95% CI", "USD", rows((r) => r.metrics.lending.badDebtVar99Usd)) },
    { name: "bad-debt-es99", spec: intervalChart("Bad debt ES99 (USD), 95% CI", "USD", rows((r) => r.metrics.lending.badDebtEs99Usd)) },
    { name: "insolvency", spec: intervalChart("Insolvency probability (%), Wilson 95% CI", "%", rows((r) => r.metrics.lending.insolvencyProbability, 100)) },
    { name: "lp-pnl", spec: intervalChart("LP PnL vs holding (%), 95% CI", "%", rows((r) => r.metrics.amm.lpPnlVsHoldMean, 100)) },
    { name: "twap-error", spec: intervalChart("TWAP error vs external price (bps), 95% CI", "bps", rows((r) => r.metrics.amm.twapErrorMeanBps)) },
  ];
}

/** A self-contained HTML report (inline SVG charts and the markdown tables' figures; no scripts, no network). */
export async function renderHtml(runs: readonly Results[]): Promise<string> {
  const figures: string[] = [];
  for (const chart of reportCharts(runs)) {
    figures.push(`<figure data-chart="${chart.name}">${await renderSvg(chart.spec)}</figure>`);
  }
  const tables = escapeHtml(renderMarkdown(runs));
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8"><title>CogFi risk simulation report</title>',
    "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1100px}figure{display:inline-block;margin:1rem}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}</style>",
    "</head><body>",
    "<h1>CogFi risk simulation report</h1>",
    `<section id="charts" data-chart-count="${figures.length}">${figures.join("\n")}</section>`,
    `<section id="tables"><pre>${tables}</pre></section>`,
    "</body></html>",
    "",
  ].join("\n");
}
