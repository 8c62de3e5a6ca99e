/**
 * Runs: a range of paths on worker threads (or in this thread), shards, merging and replay. A run's output is
 * canonical JSON built only from the path results in path order, so it is byte-identical whatever the number of
 * workers or shards.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { canonicalJson, hashOf } from "./canonical.js";
import { SimulationError } from "./errors.js";
import { computeMetrics, type Metrics } from "./metrics.js";
import { resolveScenario, type Scenario, type ScenarioFile } from "./scenario.js";
import { simulatePath, type PathResult, type TraceEvent } from "./engine/simulate.js";

export const RESULTS_KIND = "cogfi-sim/results";
export const SHARD_KIND = "cogfi-sim/shard";
export const MANIFEST_SCHEMA_VERSION = 1;
/**
 * The trace format. 2: the manifest line says `traceVersion`; paths carry `setup`, `swap` and `state` lines and
 * liquidations their call (`by`, `repaidShares`), drains their liquidity: what `replay --evm` needs. Format 1 traces
 * (no `traceVersion`) are refused by both replays.
 */
export const TRACE_VERSION = 2;

/** What a run is: everything that determines its numbers, and where they were computed. */
export type Manifest = {
  schemaVersion: number;
  scenario: { name: string; version: string; description: string };
  seed: number;
  paths: number;
  params: Scenario["params"];
  events: Scenario["events"];
  /** The CLI/sweep overrides applied on top of the scenario file (already in `params`). */
  overrides: Record<string, unknown>;
  /** sha256 of the canonical {scenario, params, events}. */
  configHash: string;
  packages: Record<string, string>;
  gitCommit: string;
};

export type RunInput = { file: ScenarioFile; overrides?: Record<string, unknown>; seed: number };
export type Shard = { index: number; count: number };
export type ShardOutput = { kind: typeof SHARD_KIND; manifest: Manifest; shard: Shard & { from: number; to: number }; paths: PathResult[] };
export type Results = { kind: typeof RESULTS_KIND; manifest: Manifest; metrics: Metrics };

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const version = (name: string) => {
    try {
      return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string }).version;
    } catch {
      // Packages whose exports hide package.json: read it from node_modules directly.
      return (JSON.parse(readFileSync(`${REPO_ROOT}node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
    }
  };
  const own = (dir: string) => (JSON.parse(readFileSync(`${REPO_ROOT}${dir}/package.json`, "utf8")) as { version: string }).version;
  return {
    "@cogfi/simulations": own("simulations"),
    "@cogfi/sdk": own("sdk"),
    "@uniswap/v3-sdk": version("@uniswap/v3-sdk"),
    "@uniswap/sdk-core": version("@uniswap/sdk-core"),
    jsbi: version("jsbi"),
    zod: version("zod"),
    node: process.version,
  };
}

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "unknown"; // not a git checkout (a packed copy): the manifest says so
  }
}

/** The manifest of a run (also the scenario, resolved). */
export function manifestOf(input: RunInput): { manifest: Manifest; scenario: Scenario } {
  const overrides = input.overrides ?? {};
  const scenario = resolveScenario(input.file, overrides);
  const scenarioId = { name: scenario.name, version: scenario.version, description: scenario.description };
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    scenario: scenarioId,
    seed: input.seed,
    paths: scenario.params.paths,
    params: scenario.params,
    events: scenario.events,
    overrides,
    configHash: hashOf({ scenario: scenarioId, params: scenario.params, events: scenario.events }),
    packages: packageVersions(),
    gitCommit: gitCommit(),
  };
  return { manifest, scenario };
}

/** Paths [from, to) of shard k of n: contiguous slices, sizes differing by at most one. */
export function shardRange(paths: number, shard: Shard): { from: number; to: number } {
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new SimulationError(`shard ${shard.index}/${shard.count} is not k/n with 0 <= k < n`);
  }
  return { from: Math.floor((shard.index * paths) / shard.count), to: Math.floor(((shard.index + 1) * paths) / shard.count) };
}

export type RangeOptions = { workers?: number; onProgress?: (done: number, total: number) => void; trace?: boolean };
export type RangeOutput = { results: PathResult[]; events: TraceEvent[][] };

/** Runs paths [from, to) in this thread. */
export async function runRangeInline(scenario: Scenario, seed: number, from: number, to: number, options: RangeOptions = {}): Promise<RangeOutput> {
  const results: PathResult[] = [];
  const events: TraceEvent[][] = [];
  for (let path = from; path < to; path++) {
    const out = await simulatePath(scenario, seed, path, { record: options.trace !== false });
    results.push(out.result);
    events.push(options.trace === false ? [] : out.events);
    options.onProgress?.(path - from + 1, to - from);
  }
  return { results, events };
}

/** Message a worker receives / sends back. */
export type WorkerTask = { file: ScenarioFile; overrides: Record<string, unknown>; seed: number; from: number; to: number; trace: boolean };
export type WorkerReply = { ok: true; from: number; out: RangeOutput } | { ok: false; from: number; error: string };

const WORKER_URL = new URL("./worker-entry.mjs", import.meta.url);

/** Runs paths [from, to) over `workers` threads (1: this thread), chunks handed out as workers free up. */
export async function runRange(input: RunInput, from: number, to: number, options: RangeOptions = {}): Promise<RangeOutput> {
  const { scenario } = manifestOf(input);
  const workers = Math.max(1, Math.min(options.workers ?? 1, to - from));
  if (workers <= 1) return runRangeInline(scenario, input.seed, from, to, options);
  const chunk = Math.max(1, Math.ceil((to - from) / (workers * 8)));
  const starts: number[] = [];
  for (let s = from; s < to; s += chunk) starts.push(s);
  const byStart = new Map<number, RangeOutput>();
  let done = 0;
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(WORKER_URL));
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const give = () => {
              if (next >= starts.length) return resolve();
              const start = starts[next++]!;
              const task: WorkerTask = { file: input.file, overrides: input.overrides ?? {}, seed: input.seed, from: start, to: Math.min(to, start + chunk), trace: options.trace !== false };
              worker.postMessage(task);
            };
            worker.on("message", (reply: WorkerReply) => {
              if (!reply.ok) return reject(new SimulationError(`worker failed on paths from ${reply.from}: ${reply.error}`));
              byStart.set(reply.from, reply.out);
              done += reply.out.results.length;
              options.onProgress?.(done, to - from);
              give();
            });
            worker.on("error", (cause) => reject(new SimulationError(`worker crashed: ${cause.message}`, { cause })));
            give();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  const out: RangeOutput = { results: [], events: [] };
  for (const start of starts) {
    const part = byStart.get(start)!;
    out.results.push(...part.results);
    out.events.push(...part.events);
  }
  return out;
}

/** Resolved worker count: 0 means every core. */
export const workerCount = (requested: number | undefined): number => (requested === 0 ? availableParallelism() : (requested ?? 1));

/** A whole run's results. */
export function resultsOf(manifest: Manifest, paths: readonly PathResult[]): Results {
  return { kind: RESULTS_KIND, manifest, metrics: computeMetrics(paths, manifest.params, manifest.seed) };
}

/** Merges shard outputs into results: same configuration, seed and commit, slices covering every path once. */
export function mergeShards(shards: readonly ShardOutput[]): Results {
  if (shards.length === 0) throw new SimulationError("merge: no shards");
  const first = shards[0]!;
  const reference = canonicalJson(first.manifest);
  for (const shard of shards) {
    if (shard.kind !== SHARD_KIND) throw new SimulationError(`merge: not a shard output (kind ${String(shard.kind)})`);
    if (canonicalJson(shard.manifest) !== reference) throw new SimulationError(`merge: shard ${shard.shard.index}/${shard.shard.count} has another manifest (config ${shard.manifest.configHash}, seed ${shard.manifest.seed})`);
  }
  const sorted = [...shards].sort((a, b) => a.shard.from - b.shard.from);
  let expected = 0;
  const paths: PathResult[] = [];
  for (const shard of sorted) {
    if (shard.shard.from !== expected) throw new SimulationError(`merge: paths ${expected}..${shard.shard.from} are missing or overlap`);
    if (shard.paths.length !== shard.shard.to - shard.shard.from) throw new SimulationError(`merge: shard ${shard.shard.index} holds ${shard.paths.length} paths, not ${shard.shard.to - shard.shard.from}`);
    paths.push(...shard.paths);
    expected = shard.shard.to;
  }
  if (expected !== first.manifest.paths) throw new SimulationError(`merge: shards cover ${expected} of ${first.manifest.paths} paths`);
  return resultsOf(first.manifest, paths);
}

/** Reads a shard output's JSON back (bigint fields were written as strings). */
export function parseShardOutput(text: string): ShardOutput {
  const raw = JSON.parse(text) as ShardOutput;
  return { ...raw, paths: raw.paths.map(revivePath) };
}

/** A path result with its bigint fields restored from canonical JSON. */
export function revivePath(raw: PathResult): PathResult {
  return {
    ...raw,
    badDebt: BigInt(raw.badDebt),
    badDebtRealized: BigInt(raw.badDebtRealized),
    supply: BigInt(raw.supply),
    holderRevenue: BigInt(raw.holderRevenue),
    revenueRepaid: BigInt(raw.revenueRepaid),
  };
}

/** The JSONL trace of a run or shard: the manifest line, then each path's events and its summary line. */
export function traceLines(manifest: Manifest, range: { from: number; to: number }, out: RangeOutput): string[] {
  const lines = [canonicalJson({ kind: "manifest", manifest, range, traceVersion: TRACE_VERSION })];
  out.results.forEach((result, i) => {
    for (const event of out.events[i]!) lines.push(canonicalJson({ kind: "event", event }));
    lines.push(canonicalJson({ kind: "path", result }));
  });
  return lines;
}

export type ReplayOutcome = { results: Results; range: { from: number; to: number }; lines: number; mismatch?: { line: number; expected: string; actual: string } };

/**
 * Replays a trace: re-runs its manifest's paths and compares every regenerated line with the file's. Returns the
 * metrics of the replayed paths (the run's metrics when the trace holds all of them) and the first mismatch, if any.
 */
export async function replayTrace(text: string, options: RangeOptions = {}): Promise<ReplayOutcome> {
  const lines = text.split("\n").filter((line) => line.length > 0);
  const head = JSON.parse(lines[0] ?? "{}") as { kind?: string; manifest?: Manifest; range?: { from: number; to: number }; traceVersion?: number };
  if (head.kind !== "manifest" || !head.manifest || !head.range) throw new SimulationError("replay: the trace does not start with a manifest line");
  if (head.traceVersion !== TRACE_VERSION) {
    throw new SimulationError(`replay: the trace is in format ${head.traceVersion ?? 1}, this version writes and reads format ${TRACE_VERSION}: re-run the scenario with run --trace`);
  }
  const { manifest, range } = head;
  const file: ScenarioFile = { schemaVersion: 1, name: manifest.scenario.name, version: manifest.scenario.version, description: manifest.scenario.description, params: manifest.params, events: manifest.events };
  const rerun = manifestOf({ file, seed: manifest.seed, overrides: {} });
  if (rerun.manifest.configHash !== manifest.configHash) throw new SimulationError(`replay: the trace's configuration hashes to ${rerun.manifest.configHash}, its manifest says ${manifest.configHash}`);
  const out = await runRange({ file, seed: manifest.seed }, range.from, range.to, options);
  const regenerated = traceLines(manifest, range, out);
  let mismatch: ReplayOutcome["mismatch"];
  const n = Math.max(regenerated.length, lines.length);
  for (let i = 0; i < n; i++) {
    if (regenerated[i] !== lines[i]) {
      mismatch = { line: i + 1, expected: lines[i] ?? "<end of trace>", actual: regenerated[i] ?? "<end of replay>" };
      break;
    }
  }
  return { results: resultsOf(manifest, out.results), range, lines: lines.length, ...(mismatch ? { mismatch } : {}) };
}
