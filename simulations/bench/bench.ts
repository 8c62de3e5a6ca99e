/**
 * Benchmark: wall time of N baseline paths (default 1,000) on every core (worker threads), account-steps per
 * second, and the same on one thread over a smaller sample. `npm run sim:bench [-- --paths 1000 --sample 100]`.
 * Prints one JSON object; figures in simulations/README.md come from it (note the machine's load: shared cores
 * slow it down).
 */
import { availableParallelism, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { loadScenarioFile } from "../src/scenario.js";
import { runRange } from "../src/run.js";
import { canonicalJson } from "../src/canonical.js";

const { values } = parseArgs({ options: { paths: { type: "string", default: "1000" }, sample: { type: "string", default: "100" }, workers: { type: "string" } } });
const paths = Number(values.paths);
const sample = Number(values.sample);
const workers = values.workers ? Number(values.workers) : availableParallelism();
const file = loadScenarioFile("baseline");

async function measure(n: number, w: number) {
  const input = { file, seed: 1, overrides: { paths: n } };
  const started = performance.now();
  const out = await runRange(input, 0, n, { workers: w, trace: false });
  const seconds = (performance.now() - started) / 1000;
  const accountSteps = out.results.reduce((sum, r) => sum + r.accountSteps, 0);
  return { paths: n, workers: w, seconds: Number(seconds.toFixed(2)), accountSteps, accountStepsPerSecond: Math.round(accountSteps / seconds), pathsPerSecond: Number((n / seconds).toFixed(2)) };
}

const loadBefore = loadavg()[0];
const single = await measure(sample, 1);
const parallel = await measure(paths, workers);
console.log(canonicalJson({ scenario: "baseline", cores: availableParallelism(), loadAverage1mBefore: Number(loadBefore!.toFixed(2)), node: process.version, single, parallel }));
