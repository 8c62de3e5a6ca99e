/**
 * Group-commit micro-benchmark for the receipt log (not a test): the time of each commit (one O_DSYNC `writev` on
 * the event loop, `commitMode: "inline"`) with and without segments, rolls included.
 *
 *   npx tsx gateway/bench/commit.ts [--commits 20000] [--records 4] [--segment-max-records 50000] [--module <log.ts>]
 *                                   [--durability fsync|write]   (write: no O_DSYNC, the code path's own cost)
 *
 * Each event-loop turn appends `--records` receipt-sized records (~350 bytes, as the gateway's group commit put ~4.4
 * receipts in a write at 1,000 req/s) and waits for them; the log's `onCommit` reports each commit's seconds. Runs
 * alternate unsegmented and segmented logs (a segment per `--segment-max-records`, small enough to roll many times)
 * and print p50 / p99 / max per commit and how many rolls happened. `--module` loads another build of log.ts (e.g.
 * the one before segments: `git show <commit>:gateway/src/receipts/log.ts > /tmp/log-before.ts`) for the
 * unsegmented runs, to compare against it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import * as current from "../src/receipts/log.js";

const { values: flags } = parseArgs({
  options: {
    commits: { type: "string", default: "20000" },
    records: { type: "string", default: "4" },
    "segment-max-records": { type: "string", default: "50000" },
    rounds: { type: "string", default: "3" },
    module: { type: "string" },
    durability: { type: "string", default: "fsync" },
  },
});
const commits = Number(flags.commits);
const perCommit = Number(flags.records);
const record = (i: number) => ({
  k: "r",
  i,
  id: `chatcmpl-${i.toString(36).padStart(24, "0")}`,
  m: "1",
  s: String((i % 1_000) + 1),
  q: String(i),
  in: 250,
  out: 180,
  rs: 900,
  h: `0x${"ab".repeat(32)}`,
  c: "1234",
  t: 1_760_000_000_000 + i,
  g: "1",
  p: "0x1e0f000000000000000000927c0000000000000000000927c0",
});

type LogModule = Pick<typeof current, "AppendLog">;

async function run(module: LogModule, segmented: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "cogfi-commit-bench-"));
  const { log } = await module.AppendLog.open({
    path: segmented ? join(dir, "receipts") : join(dir, "receipts.log"),
    durability: flags.durability as current.Durability,
    groupCommitWindowMs: 0,
    commitMode: "inline",
    ...(segmented ? { segments: { maxBytes: Number.POSITIVE_INFINITY, maxRecords: Number(flags["segment-max-records"]) } } : {}),
  } as Parameters<typeof current.AppendLog.open>[0]);
  const seconds: number[] = [];
  log.onCommit = (_records, s) => seconds.push(s);
  let i = 0;
  for (let c = 0; c < commits; c++) {
    const turn: Promise<void>[] = [];
    for (let r = 0; r < perCommit; r++) turn.push(log.append(record(i++)));
    await Promise.all(turn);
  }
  const segments = "segments" in log ? (log as current.AppendLog).segments.length : 1;
  await log.close();
  rmSync(dir, { recursive: true, force: true });
  seconds.sort((a, b) => a - b);
  const at = (q: number) => (seconds[Math.min(seconds.length - 1, Math.floor(q * seconds.length))]! * 1_000).toFixed(3);
  return { commits: seconds.length, p50: at(0.5), p99: at(0.99), max: at(1), segments };
}

const other: LogModule = flags.module ? ((await import(pathToFileURL(resolve(flags.module)).href)) as LogModule) : current;
console.log(`${commits} commits of ${perCommit} records each, per round, durability ${flags.durability}; ms per commit`);
for (let round = 0; round < Number(flags.rounds); round++) {
  const unsegmented = await run(other, false);
  const segmented = await run(current, true);
  console.log(
    `round ${round + 1}: unsegmented${flags.module ? ` (${flags.module})` : ""} p50 ${unsegmented.p50} p99 ${unsegmented.p99} max ${unsegmented.max} | ` +
      `segmented p50 ${segmented.p50} p99 ${segmented.p99} max ${segmented.max} (${segmented.segments} segments)`,
  );
}
