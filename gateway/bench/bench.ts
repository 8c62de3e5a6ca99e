/**
 * Gateway benchmark (not a test): loopback HTTP, simulated backend, the gateway in its own process.
 *
 *   npx tsx gateway/bench/bench.ts [--duration 5] [--concurrency 32] [--rate 1000] [--max-tokens 256] [--rounds 8]
 *                                  [--breakdown]   (also: signing only, fsync log only, log without fsync)
 *                                  [--commit-mode inline|threadpool]   (where the log's group commit writes)
 *                                  [--signer-nice 10]   (the signing thread's niceness)
 *
 * Each round runs every configuration — receipts signed in batches and written with group-commit fsync ("on"), then
 * neither ("off": no log, no signing) — in turn, and measures
 *   - throughput: closed loop, `concurrency` keep-alive connections sending back to back;
 *   - latency at a fixed load: open loop at `rate` requests/s, latency from each request's scheduled time;
 * and prints requests/s, p50 / p90 / p99 latency, and the on − off difference (the cost of signing + durability).
 * A p99 from one 10 s run moves by several ms from run to run on a shared 2-core machine (the load generator
 * competes with the gateway), so the rounds alternate the configurations and the summary pools every request of
 * every round; it also prints the receipt overhead the gateway measures per request (metric
 * cogfi_gateway_receipt_overhead_seconds: building the receipt and waiting until it is durable).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "@cogfi/sdk/node";
import { quantile, runLoad, runOpenLoop, type LoadResult } from "./load.js";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    concurrency: { type: "string", default: "32" },
    rate: { type: "string", default: "1000" },
    "max-tokens": { type: "string", default: "256" },
    rounds: { type: "string", default: "8" },
    breakdown: { type: "boolean", default: false },
    "commit-mode": { type: "string", default: "inline" },
    "signer-nice": { type: "string" },
  },
});
const durationMs = Number(flags.duration) * 1_000;
const concurrency = Number(flags.concurrency);
const rate = Number(flags.rate);
const maxTokens = Number(flags["max-tokens"]);
const rounds = Number(flags.rounds);

type Mode = { name: string; durability: "fsync" | "write" | "none"; sign: boolean };
const MODES: Mode[] = [
  { name: "on  (sign + fsync)", durability: "fsync", sign: true },
  { name: "off (no log, no signing)", durability: "none", sign: false },
];
/** With --breakdown: each half of the overhead alone. */
const BREAKDOWN: Mode[] = [
  { name: "sign only (no log)", durability: "none", sign: true },
  { name: "log only (fsync, no signing)", durability: "fsync", sign: false },
  { name: "log without fsync + sign", durability: "write", sign: true },
];

async function startServer(mode: Mode): Promise<{ child: ChildProcess; url: string; apiKey: string; lines: AsyncIterableIterator<string> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "gateway/bench/server.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      BENCH_SERVER: JSON.stringify({
        durability: mode.durability,
        sign: mode.sign,
        commitMode: flags["commit-mode"],
        signerNice: flags["signer-nice"] === undefined ? undefined : Number(flags["signer-nice"]),
      }),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error("the bench server exited before listening");
  const { url, apiKey } = JSON.parse(first.value) as { url: string; apiKey: string };
  return { child, url, apiKey, lines };
}

const fmt = (value: number, digits = 2) => value.toFixed(digits).padStart(8);

function row(name: string, load: string, result: LoadResult): string {
  return `${name.padEnd(26)} ${load.padEnd(16)} ${fmt(result.rps, 0)} req/s  p50 ${fmt(result.p50Ms)} ms  p90 ${fmt(result.p90Ms)} ms  p99 ${fmt(result.p99Ms)} ms  errors ${result.errors}`;
}

/** Group-commit statistics from the server's Prometheus text. */
function groupCommits(metrics: string): { commits: number; recordsPerCommit: number; meanMs: number } | undefined {
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(metrics)?.[1] ?? Number.NaN);
  const commits = value("cogfi_gateway_log_commit_seconds_count");
  if (!(commits > 0)) return undefined;
  return {
    commits,
    recordsPerCommit: value("cogfi_gateway_log_commit_records_sum") / value("cogfi_gateway_log_commit_records_count"),
    meanMs: (value("cogfi_gateway_log_commit_seconds_sum") / commits) * 1_000,
  };
}

type Buckets = Map<number, number>;

/** Cumulative bucket counts of the receipt-overhead histogram (upper bound in seconds -> count). */
function receiptOverheadBuckets(metrics: string): Buckets {
  const buckets: Buckets = new Map();
  for (const match of metrics.matchAll(/^cogfi_gateway_receipt_overhead_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) {
    buckets.set(match[1] === "+Inf" ? Number.POSITIVE_INFINITY : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** The receipt overheads of the requests between two scrapes: the bucket bound holding quantile `q`, in ms. */
function overheadQuantileMs(before: Buckets, after: Buckets, q: number): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= q * total) return bound * 1_000;
  }
  return Number.POSITIVE_INFINITY;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

async function main(): Promise<void> {
  console.log(`gateway benchmark: ${cpus().length} cpu(s) ${cpus()[0]?.model ?? ""}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`simulated backend, commit mode ${flags["commit-mode"]}, max_tokens ${maxTokens}, ${durationMs / 1_000} s per measurement, ${rounds} round(s)\n`);
  const results = new Map<
    string,
    { closed: LoadResult[]; open: LoadResult[]; overheadP50Ms: number[]; overheadP99Ms: number[]; signed: number; receipts: number }
  >();
  for (let round = 0; round < rounds; round++) {
    for (const mode of flags.breakdown ? [...MODES, ...BREAKDOWN] : MODES) {
      const server = await startServer(mode);
      const target = {
        url: `${server.url}/v1/chat/completions`,
        headers: { authorization: `Bearer ${server.apiKey}` },
        body: (i: number) => JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: `Benchmark request ${i}: say something.` }], max_tokens: maxTokens }),
      };
      await runLoad({ ...target, concurrency, durationMs: 2_000 }); // warm up (JIT, tokenizer tables)
      const closed = await runLoad({ ...target, concurrency, durationMs });
      const scrape = async () => (await fetch(`${server.url}/metrics`)).text();
      const beforeOpen = receiptOverheadBuckets(await scrape());
      const open = await runOpenLoop({ ...target, rate, durationMs });
      const afterOpenText = await scrape();
      const afterOpen = receiptOverheadBuckets(afterOpenText);
      const commits = groupCommits(afterOpenText);
      server.child.kill("SIGTERM");
      const stopped = JSON.parse((await server.lines.next()).value as string) as { receipts: number; signed: number };
      const entry = results.get(mode.name) ?? { closed: [], open: [], overheadP50Ms: [], overheadP99Ms: [], signed: 0, receipts: 0 };
      entry.closed.push(closed);
      entry.open.push(open);
      if (afterOpen.size > 0) {
        entry.overheadP50Ms.push(overheadQuantileMs(beforeOpen, afterOpen, 0.5));
        entry.overheadP99Ms.push(overheadQuantileMs(beforeOpen, afterOpen, 0.99));
      }
      entry.signed += stopped.signed;
      entry.receipts += stopped.receipts;
      results.set(mode.name, entry);
      console.log(row(mode.name, `closed c=${concurrency}`, closed));
      console.log(row(mode.name, `open ${rate}/s`, open));
      if (commits) console.log(`${"".padEnd(26)} log: ${commits.commits} group commits, ${commits.recordsPerCommit.toFixed(1)} records and ${commits.meanMs.toFixed(3)} ms (write + fdatasync) each on average`);
      if (afterOpen.size > 0 && mode.durability !== "none") {
        console.log(`${"".padEnd(26)} receipt overhead (open loop): p50 <= ${entry.overheadP50Ms.at(-1)} ms, p99 <= ${entry.overheadP99Ms.at(-1)} ms`);
      }
      if (closed.firstError || open.firstError) console.log(`  first error: ${closed.firstError ?? open.firstError}`);
    }
  }
  const med = (list: LoadResult[], key: keyof LoadResult) => median(list.map((r) => r[key] as number));
  const on = results.get(MODES[0]!.name)!;
  const off = results.get(MODES[1]!.name)!;
  console.log(`\nsummary (median of ${rounds} round(s))`);
  console.log(`  throughput (closed loop, c=${concurrency}): on ${med(on.closed, "rps").toFixed(0)} req/s, off ${med(off.closed, "rps").toFixed(0)} req/s`);
  console.log(`  latency at ${rate} req/s (open loop): on p50 ${med(on.open, "p50Ms").toFixed(2)} ms, p99 ${med(on.open, "p99Ms").toFixed(2)} ms; off p50 ${med(off.open, "p50Ms").toFixed(2)} ms, p99 ${med(off.open, "p99Ms").toFixed(2)} ms`);
  console.log(`  signing + durability overhead at ${rate} req/s: p50 ${(med(on.open, "p50Ms") - med(off.open, "p50Ms")).toFixed(2)} ms, p99 ${(med(on.open, "p99Ms") - med(off.open, "p99Ms")).toFixed(2)} ms`);
  // Every request of every round in one distribution: one noisy round moves it far less than it moves a median.
  const pooled = (list: LoadResult[]) => Float64Array.from(list.flatMap((r) => [...r.sortedMs])).sort();
  const [onAll, offAll] = [pooled(on.open), pooled(off.open)];
  const pooledRow = (q: number) =>
    `p${q * 100} on ${quantile(onAll, q).toFixed(2)} ms, off ${quantile(offAll, q).toFixed(2)} ms, overhead ${(quantile(onAll, q) - quantile(offAll, q)).toFixed(2)} ms`;
  console.log(`  pooled over ${rounds} round(s) (${onAll.length} + ${offAll.length} requests): ${pooledRow(0.5)}; ${pooledRow(0.99)}`);
  console.log(`  receipt overhead at ${rate} req/s (usage known -> receipt durable, measured in the gateway; histogram bucket bounds, median of rounds): p50 <= ${median(on.overheadP50Ms)} ms, p99 <= ${median(on.overheadP99Ms)} ms`);
  console.log(`  receipts written (on): ${on.receipts}, signed in batches by shutdown: ${on.signed}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
