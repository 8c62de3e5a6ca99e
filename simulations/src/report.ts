/** Markdown report of results (one run, or a sweep's runs side by side). HTML with charts is a later step. */
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
