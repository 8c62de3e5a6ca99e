/**
 * `cogfi-sim`: run, sweep, replay, merge and report risk simulations. JSON results go to stdout or `--out`; logs
 * (JSON lines, the services' logger) and the progress bar go to stderr.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { createLogger, parseConfig, type Logger } from "@cogfi/sdk/service";
import { parseDeployment } from "@cogfi/sdk";
import { REPO_ROOT } from "@cogfi/sdk/node";
import { z } from "zod";
import { canonicalJsonPretty } from "./canonical.js";
import { SimulationError } from "./errors.js";
import {
  manifestOf,
  mergeShards,
  parseShardOutput,
  replayTrace,
  resultsOf,
  runRange,
  shardRange,
  SHARD_KIND,
  traceLines,
  workerCount,
  type Results,
  type ShardOutput,
} from "./run.js";
import { loadScenarioFile } from "./scenario.js";
import { renderHtml, renderMarkdown } from "./report.js";
import { formatDiffs, replayOnChain, type EvmReplayOutcome } from "./evm/replay.js";
import { GENERATED_DIR, writeForgeTest } from "./export/forgeTest.js";
import { LENDING_LLTVS } from "@cogfi/sdk";
import { parseTarget, recommendedParamsOf, renderSearchMarkdown, search, type SearchOutput, type SearchSpec } from "./search.js";

/** Where the CLI writes: replaced in tests. */
export type CliIo = { stdout: (text: string) => void; stderr: NodeJS.WritableStream; logger?: Logger };

const runOptionsSchema = z.object({
  seed: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  paths: z.coerce.number().int().min(1).optional(),
  workers: z.coerce.number().int().min(0).max(256),
  shard: z.string().regex(/^\d+\/\d+$/, "expected k/n").optional(),
  out: z.string().optional(),
  trace: z.string().optional(),
  set: z.array(z.string().regex(/^[a-zA-Z.]+=.+$/, "expected path=value")).default([]),
  progress: z.boolean().optional(),
});

/** `--set a.b=value` pairs as a nested override (values parsed as JSON when they parse, else strings). */
export function overridesOf(pairs: readonly string[], paths?: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (path: string, value: unknown) => {
    const keys = path.split(".");
    let node = out;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys.at(-1)!] = value;
  };
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    const text = pair.slice(at + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // not JSON: keep the string (zod says whether the field takes one)
    }
    set(pair.slice(0, at), value);
  }
  if (paths !== undefined) out.paths = paths;
  return out;
}

function write(io: CliIo, out: string | undefined, text: string): void {
  if (!out) return io.stdout(text);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}

function progressBar(io: CliIo, enabled: boolean, label: string) {
  if (!enabled) return { update: (_done: number, _total: number) => {}, stop: () => {} };
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} paths | eta {eta}s`, stream: io.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 }, Presets.shades_classic);
  let started = false;
  return {
    update: (done: number, total: number) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}

/** `run`: the whole run (results), or one shard's slice (shard output); optionally the JSONL trace. */
export async function runCommand(scenarioName: string, raw: Record<string, unknown>, io: CliIo): Promise<Results | ShardOutput> {
  const options = parseConfig(runOptionsSchema, raw, { name: "cogfi-sim run" });
  const file = loadScenarioFile(scenarioName);
  const input = { file, seed: options.seed, overrides: overridesOf(options.set, options.paths) };
  const { manifest } = manifestOf(input);
  const shard = options.shard ? { index: Number(options.shard.split("/")[0]), count: Number(options.shard.split("/")[1]) } : { index: 0, count: 1 };
  const range = shardRange(manifest.paths, shard);
  const log = io.logger?.child({ command: "run" });
  log?.info({ scenario: manifest.scenario.name, seed: manifest.seed, paths: manifest.paths, configHash: manifest.configHash, shard, range }, "run started");
  const bar = progressBar(io, options.progress ?? (io.stderr as NodeJS.WriteStream).isTTY === true, manifest.scenario.name);
  const started = performance.now();
  const out = await runRange(input, range.from, range.to, { workers: workerCount(options.workers), onProgress: bar.update, trace: options.trace !== undefined });
  bar.stop();
  if (options.trace) {
    mkdirSync(dirname(options.trace), { recursive: true });
    writeFileSync(options.trace, `${traceLines(manifest, range, out).join("\n")}\n`);
  }
  const result: Results | ShardOutput = options.shard
    ? { kind: SHARD_KIND, manifest, shard: { ...shard, ...range }, paths: out.results }
    : resultsOf(manifest, out.results);
  write(io, options.out, canonicalJsonPretty(result));
  log?.info({ seconds: Number(((performance.now() - started) / 1000).toFixed(3)), paths: range.to - range.from }, "run finished");
  return result;
}

/** `sweep`: one run per value of a parameter; results as an array in value order. */
export async function sweepCommand(scenarioName: string, raw: Record<string, unknown>, io: CliIo): Promise<Results[]> {
  const parameter = z.string().regex(/^[a-zA-Z.]+$/).parse(raw.param);
  const values = z.string().min(1).parse(raw.values).split(",");
  const all: Results[] = [];
  for (const value of values) {
    const set = [...((raw.set as string[] | undefined) ?? []), `${parameter}=${value}`];
    all.push((await runCommand(scenarioName, { ...raw, set, out: undefined, trace: undefined, shard: undefined }, { ...io, stdout: () => {} })) as Results);
  }
  write(io, raw.out as string | undefined, canonicalJsonPretty(all));
  return all;
}

/** `replay`: re-runs a trace and checks it line by line; fails (exit 1) on the first difference. */
export async function replayCommand(trace: string, raw: Record<string, unknown>, io: CliIo): Promise<Results> {
  const outcome = await replayTrace(readFileSync(trace, "utf8"), { workers: workerCount(raw.workers === undefined ? 1 : Number(raw.workers)) });
  if (outcome.mismatch) {
    throw new SimulationError(`replay: line ${outcome.mismatch.line} differs\n  trace:  ${outcome.mismatch.expected.slice(0, 300)}\n  replay: ${outcome.mismatch.actual.slice(0, 300)}`);
  }
  io.logger?.info({ command: "replay", lines: outcome.lines, range: outcome.range }, "trace replayed identically");
  write(io, raw.out as string | undefined, canonicalJsonPretty(outcome.results));
  return outcome.results;
}

/**
 * `replay --evm`: drives one path of the trace through the real contracts on a local chain (spawned, or `--rpc-url`
 * with `--deployment`) and compares the chain with the engine after every step; fails (exit 1) with the first
 * differing step's diff.
 */
export async function replayEvmCommand(trace: string, raw: Record<string, unknown>, io: CliIo): Promise<EvmReplayOutcome> {
  const options = parseConfig(
    z.object({ path: z.coerce.number().int().min(0).optional(), rpcUrl: z.string().url().optional(), deployment: z.string().optional() }),
    raw,
    { name: "cogfi-sim replay --evm" },
  );
  if (options.deployment && !options.rpcUrl) throw new SimulationError("replay --evm: --deployment goes with --rpc-url");
  const deployment = options.deployment ? parseDeployment(JSON.parse(readFileSync(options.deployment, "utf8"))) : undefined;
  const log = io.logger?.child({ command: "replay --evm" });
  const outcome = await replayOnChain(readFileSync(trace, "utf8"), {
    ...(options.path !== undefined ? { path: options.path } : {}),
    ...(options.rpcUrl ? { rpcUrl: options.rpcUrl } : {}),
    ...(deployment ? { deployment } : {}),
  });
  const summary = { path: outcome.path, steps: outcome.steps, checks: outcome.checks, twapSkipped: outcome.twapSkipped, maxOracleTickGap: outcome.maxOracleTickGap, seconds: Number(outcome.seconds.toFixed(3)) };
  if (outcome.mismatches.length > 0) {
    const step = outcome.mismatches[0]!.step;
    throw new SimulationError(`replay --evm: the chain differs from the engine at step ${step} (${outcome.mismatches.length} quantities)\n${formatDiffs(outcome.mismatches)}`);
  }
  log?.info(summary, "the chain matched the engine at every step");
  write(io, raw.out as string | undefined, canonicalJsonPretty({ kind: "cogfi-sim/evm-replay", ...summary, mismatches: [] }));
  return outcome;
}

/**
 * `export-forge`: a property's counterexample file -> `<dir>/<Name>_<seed>.t.sol` (default the repository's
 * test/simulations/generated), with the counterexample's canonical JSON beside it.
 */
export async function exportForgeCommand(file: string, raw: Record<string, unknown>, io: CliIo): Promise<{ test: string; counterexample: string }> {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new SimulationError(`export-forge: cannot read ${file} as JSON`, { cause });
  }
  const written = await writeForgeTest(input, (raw.outDir as string | undefined) ?? resolve(REPO_ROOT, GENERATED_DIR));
  io.logger?.info({ command: "export-forge", ...written }, "forge test written");
  io.stdout(`${written.test}\n`);
  return written;
}

/** `merge`: shard outputs -> the run's results. */
export function mergeCommand(files: string[], raw: Record<string, unknown>, io: CliIo): Results {
  const results = mergeShards(files.map((f) => parseShardOutput(readFileSync(f, "utf8"))));
  write(io, raw.out as string | undefined, canonicalJsonPretty(results));
  return results;
}

/** `report`: results (or a sweep's array) -> markdown (default), HTML with SVG charts, or the JSON as is. */
export async function reportCommand(file: string, raw: Record<string, unknown>, io: CliIo): Promise<string> {
  const format = z.enum(["md", "json", "html"]).parse(raw.format ?? "md");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as Results | Results[];
  const runs = Array.isArray(parsed) ? parsed : [parsed];
  const text = format === "json" ? canonicalJsonPretty(parsed) : format === "html" ? await renderHtml(runs) : renderMarkdown(runs);
  write(io, raw.out as string | undefined, text);
  return text;
}

/** The LLTVs the deployment enables (sdk `LENDING_LLTVS`), highest first: the search's default grid. */
export const DEFAULT_LLTV_GRID = [...LENDING_LLTVS].reverse().map((wad) => Number(wad) / 1e18);
export const DEFAULT_CAP_USAGE_GRID = [1, 0.8, 0.6, 0.4, 0.2];
/** 0 to the InsurancePool's MAX_LOADING_BPS (500%) in steps of 2.5%. */
export const DEFAULT_LOADING_RANGE = "0:50000:250";

const numberList = (text: string) => text.split(",").map((v) => z.coerce.number().finite().parse(v));

/** The command that reproduces a search (recorded in its report). */
export function searchCommandOf(spec: SearchSpec): string {
  const quote = (s: string) => `'${s}'`;
  return [
    "npm run sim -- search",
    ...spec.scenarios,
    ...spec.targets.map((t) => `--target ${quote(t.text)}`),
    `--lltv ${spec.lltvs.join(",")}`,
    `--cap-usage ${spec.capUsages.join(",")}`,
    `--loading ${spec.loading.lowBps}:${spec.loading.highBps}:${spec.loading.resolutionBps}`,
    `--seed ${spec.seed}`,
    `--paths ${spec.paths}`,
    ...Object.keys(spec.overrides ?? {}).length === 0 ? [] : [`(overrides ${JSON.stringify(spec.overrides)})`],
  ].join(" ");
}

/**
 * `search`: recommends LLTV, cap usage and insurance loading under the targets (src/search.ts); JSON output with the
 * evidence; optionally writes the recommended-parameters file and the markdown report.
 */
export async function searchCommand(scenarios: string[], raw: Record<string, unknown>, io: CliIo): Promise<SearchOutput> {
  const options = parseConfig(runOptionsSchema, { ...raw, shard: undefined, trace: undefined }, { name: "cogfi-sim search" });
  const targets = z.array(z.string()).min(1, "give at least one --target").parse(raw.target).map(parseTarget);
  const loading = z.string().regex(/^\d+:\d+:\d+$/, "expected low:high:step in bps").parse(raw.loading ?? DEFAULT_LOADING_RANGE).split(":").map(Number);
  const files = new Map(scenarios.map((name) => [name, loadScenarioFile(name)]));
  const spec: SearchSpec = {
    scenarios,
    targets,
    seed: options.seed,
    paths: options.paths ?? 100,
    lltvs: raw.lltv ? numberList(String(raw.lltv)) : DEFAULT_LLTV_GRID,
    capUsages: raw.capUsage ? numberList(String(raw.capUsage)) : DEFAULT_CAP_USAGE_GRID,
    loading: { lowBps: loading[0]!, highBps: loading[1]!, resolutionBps: loading[2]! },
    overrides: overridesOf(options.set),
  };
  const log = io.logger?.child({ command: "search" });
  const workers = workerCount(options.workers);
  const started = performance.now();
  const output = await search(
    spec,
    async (scenario, overrides) => {
      const input = { file: files.get(scenario)!, seed: spec.seed, overrides };
      const { manifest } = manifestOf(input);
      const out = await runRange(input, 0, manifest.paths, { workers, trace: false });
      return resultsOf(manifest, out.results);
    },
    (phase, candidate, pass) => log?.info({ phase, candidate, pass, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }, "candidate checked"),
  );
  log?.info({ recommended: output.recommended, feasible: output.feasible, runs: output.runs, seconds: Number(((performance.now() - started) / 1000).toFixed(1)) }, "search finished");
  write(io, options.out, canonicalJsonPretty(output));
  if (raw.recommended || raw.report) {
    const params = recommendedParamsOf(output, raw.report ? String(raw.report) : "(no report written)", searchCommandOf(spec));
    if (raw.recommended) write(io, String(raw.recommended), canonicalJsonPretty(params));
    if (raw.report) write(io, String(raw.report), renderSearchMarkdown(output, params));
  }
  return output;
}

const integer = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError("expected a non-negative integer");
  return value;
};
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The program (exported for tests, which run it in-process with their own io). */
export function program(io: CliIo): Command {
  const cmd = new Command("cogfi-sim").description("CogFi risk simulations: seeded, replayable, shardable").exitOverride();
  const common = (c: Command) =>
    c
      .option("--seed <n>", "seed of the run", integer, "1")
      .option("--paths <n>", "number of paths (overrides the scenario)", integer)
      .option("--workers <n>", "worker threads (0: every core)", integer, "1")
      .option("--set <path=value>", "override a parameter (repeatable), e.g. lending.lltv=0.86", collect, [])
      .option("--out <file>", "write the JSON here instead of stdout")
      .option("--progress", "show a progress bar on stderr (default: when stderr is a terminal)");
  common(cmd.command("run").argument("<scenario>", "scenario name (simulations/scenarios) or a .json path"))
    .option("--shard <k/n>", "run only slice k of n (0-based); writes a shard output for `merge`")
    .option("--trace <file>", "write the JSONL trace (manifest, events, per-path results)")
    .action(async (scenario: string, options: Record<string, unknown>) => void (await runCommand(scenario, options, io)));
  common(cmd.command("sweep").argument("<scenario>"))
    .requiredOption("--param <path>", "parameter to sweep, e.g. lending.lltv")
    .requiredOption("--values <list>", "comma-separated values")
    .action(async (scenario: string, options: Record<string, unknown>) => void (await sweepCommand(scenario, options, io)));
  common(cmd.command("search").argument("<scenarios...>", "stress scenarios every candidate runs (in this order)"))
    .option("--target <[scenarios:]metric<=bound>", "a risk target (repeatable), e.g. lending.badDebtVar99OfSupply<=0.001", collect, [])
    .option("--lltv <list>", "LLTV grid, highest first (default: the enabled LLTVs)")
    .option("--cap-usage <list>", "cap-usage grid, highest first", DEFAULT_CAP_USAGE_GRID.join(","))
    .option("--loading <low:high:step>", "insurance loading range and resolution, bps", DEFAULT_LOADING_RANGE)
    .option("--recommended <file>", "write the recommended-parameters JSON here (e.g. sdk/src/recommended-params.json)")
    .option("--report <file>", "write the markdown report here (e.g. docs/risk/recommended-parameters.md)")
    .action(async (scenarios: string[], options: Record<string, unknown>) => void (await searchCommand(scenarios, options, io)));
  cmd
    .command("replay")
    .argument("<trace>", "a trace written by run --trace")
    .option("--workers <n>", "worker threads (0: every core)", integer, "1")
    .option("--evm", "drive the trace's actions through the real contracts on a local chain and compare every step")
    .option("--path <n>", "with --evm: the path to replay (default: the trace's first)", integer)
    .option("--rpc-url <url>", "with --evm: a running chain with the suite (default: spawn anvil and deploy it)")
    .option("--deployment <file>", "with --rpc-url: the chain's address book (default: deployments/<chainId>.json)")
    .option("--out <file>")
    .action(async (trace: string, options: Record<string, unknown>) =>
      void (options.evm ? await replayEvmCommand(trace, options, io) : await replayCommand(trace, options, io)),
    );
  cmd
    .command("export-forge")
    .argument("<counterexample>", "a property's counterexample JSON (kind cogfi-sim/counterexample)")
    .option("--out-dir <dir>", "where the test and the counterexample go (default test/simulations/generated)")
    .action(async (file: string, options: Record<string, unknown>) => void (await exportForgeCommand(file, options, io)));
  cmd
    .command("merge")
    .argument("<shards...>", "shard outputs of run --shard")
    .option("--out <file>")
    .action((files: string[], options: Record<string, unknown>) => void mergeCommand(files, options, io));
  cmd
    .command("report")
    .argument("<results>", "results of run, merge or sweep")
    .option("--format <md|html|json>", "markdown (default), html (self-contained, SVG charts) or json", "md")
    .option("--out <file>")
    .action(async (file: string, options: Record<string, unknown>) => void (await reportCommand(file, options, io)));
  return cmd;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    await program(io).parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "commander.helpDisplayed" || code === "commander.version") return 0;
    if (code?.startsWith("commander.")) return 2;
    io.logger?.error({ err: error }, "cogfi-sim failed");
    io.stderr.write(`cogfi-sim: ${(error as Error).message}\n`);
    return 1;
  }
}

/** The process entry: real stdout/stderr, the services' logger on stderr, the exit code set. */
export async function runCli(argv: string[] = process.argv.slice(2)): Promise<void> {
  const logger = createLogger({ service: "cogfi-sim", level: (process.env.LOG_LEVEL as "info" | undefined) ?? "info", destination: process.stderr });
  process.exitCode = await main(argv, { stdout: (text) => process.stdout.write(text), stderr: process.stderr, logger });
}

const isEntry = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isEntry) await runCli();
