/**
 * Gateway benchmark (not a test): loopback HTTP, simulated backend, the gateway in its own process.
 *
 *   npx tsx gateway/bench/bench.ts [--duration 10] [--concurrency 32] [--rate 1000] [--max-tokens 256] [--rounds 1]
 *                                  [--breakdown]   (also: signing only, fsync log only, log without fsync)
 *
 * For each configuration — receipts signed in batches and written with group-commit fsync ("on"), then neither
 * ("off": no log, no signing) — it measures
 *   - throughput: closed loop, `concurrency` keep-alive connections sending back to back;
 *   - latency at a fixed load: open loop at `rate` requests/s, latency from each request's scheduled time;
 * and prints requests/s, p50 / p90 / p99 latency, and the on − off difference (the cost of signing + durability).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "@cogfi/sdk/node";
import { runLoad, runOpenLoop, type LoadResult } from "./load.js";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    concurrency: { type: "string", default: "32" },
    rate: { type: "string", default: "1000" },
    "max-tokens": { type: "string", default: "256" },
    rounds: { type: "string", default: "1" },
    breakdown: { type: "boolean", default: false },
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
    env: { ...process.env, BENCH_SERVER: JSON.stringify({ durability: mode.durability, sign: mode.sign }) },
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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

async function main(): Promise<void> {
  console.log(`gateway benchmark: ${cpus().length} cpu(s) ${cpus()[0]?.model ?? ""}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`simulated backend, max_tokens ${maxTokens}, ${durationMs / 1_000} s per measurement, ${rounds} round(s)\n`);
  const results = new Map<string, { closed: LoadResult[]; open: LoadResult[]; signed: number; receipts: number }>();
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
      const open = await runOpenLoop({ ...target, rate, durationMs });
      const commits = groupCommits(await (await fetch(`${server.url}/metrics`)).text());
      server.child.kill("SIGTERM");
      const stopped = JSON.parse((await server.lines.next()).value as string) as { receipts: number; signed: number };
      const entry = results.get(mode.name) ?? { closed: [], open: [], signed: 0, receipts: 0 };
      entry.closed.push(closed);
      entry.open.push(open);
      entry.signed += stopped.signed;
      entry.receipts += stopped.receipts;
      results.set(mode.name, entry);
      console.log(row(mode.name, `closed c=${concurrency}`, closed));
      console.log(row(mode.name, `open ${rate}/s`, open));
      if (commits) console.log(`${"".padEnd(26)} log: ${commits.commits} group commits, ${commits.recordsPerCommit.toFixed(1)} records and ${commits.meanMs.toFixed(3)} ms (write + fdatasync) each on average`);
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
  console.log(`  receipts written (on): ${on.receipts}, signed in batches by shutdown: ${on.signed}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
