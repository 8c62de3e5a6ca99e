/**
 * Restart benchmark for the receipt log (not a test): how long a gateway's recovery takes, and how much disk the log
 * uses, after `--receipts` served receipts, all but a small tail settled on chain.
 *
 *   npx tsx gateway/bench/restart.ts [--receipts 1000000] [--unsettled-batches 4] [--restarts 3] [--dir <tmp>]
 *                                    [--segment-max-bytes 16777216] [--segment-max-records 50000]
 *
 * For each layout it writes the receipts through the real store and log (`ReceiptStore.append`, fsync durability,
 * group commit: 512 appends per event-loop turn), with a signed batch record every 256 receipts as the batcher
 * writes them (the fake signer's batch: the real record shape and size, no secp256k1), then tells the store that the
 * chain settled every batch but the last `--unsettled-batches`, and compacts:
 *   - before: one file, no segments (the log as it was: nothing can be dropped);
 *   - after: segments at the configured size / count (the gateway's defaults), settled ones dropped.
 * Then it restarts the store `--restarts` times, each in a fresh Node process (cold, like a gateway start), and
 * prints per layout: recovery time (`ReceiptStore.open` until it returns), records replayed, peak RSS of the
 * process, and bytes on disk. The page cache is warm (the log was just written); a cold cache only adds read time
 * in proportion to the bytes read, which the disk figures give.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { FakeSigner } from "../test/fakes.js";
import { ReceiptStore, type NewReceipt } from "../src/receipts/store.js";
import type { Receipt } from "../src/receipts/types.js";

const { values: flags } = parseArgs({
  options: {
    receipts: { type: "string", default: "1000000" },
    "unsettled-batches": { type: "string", default: "4" },
    restarts: { type: "string", default: "3" },
    dir: { type: "string" },
    "segment-max-bytes": { type: "string", default: String(16 * 1024 * 1024) },
    "segment-max-records": { type: "string", default: "50000" },
    // Internal: run one restart of the log at this path and print its figures as JSON.
    "restart-only": { type: "string" },
    segmented: { type: "boolean", default: false },
  },
});

const LEDGER = "0x0000000000000000000000000000000000000a05" as const;
const ANCHOR = `0x${"ab".repeat(32)}` as const;
const BATCH = 256;
const TURN = 512;
const segments = {
  maxBytes: Number(flags["segment-max-bytes"]),
  maxRecords: Number(flags["segment-max-records"]),
};

const openStore = (path: string, segmented: boolean, onRecoveredReceipt?: (receipt: Receipt) => void) =>
  ReceiptStore.open({
    path,
    durability: "fsync",
    groupCommitWindowMs: 0,
    chainId: 31337,
    ledger: LEDGER,
    anchor: ANCHOR,
    segments: segmented ? segments : undefined,
    onRecoveredReceipt,
  });

/** A served receipt as the gateway logs one: 1,000 sessions, realistic token counts and ids. */
const served = (i: number): NewReceipt => ({
  responseId: `chatcmpl-${i.toString(36).padStart(24, "0")}`,
  modelId: 1n,
  gatewayId: 1n,
  pricing: (150_000n << 160n) | (600_000n << 80n) | 600_000n,
  sessionId: BigInt((i % 1_000) + 1),
  inputTokens: 200 + (i % 300),
  outputTokens: 160 + (i % 97),
  reasoningTokens: 512 + (i % 1_001),
  requestHash: (sequence) => `0x${(sequence * 2_654_435_761n + BigInt(i)).toString(16).padStart(64, "0")}`,
  cost: 1_234n,
});

const diskBytes = (path: string): { bytes: number; files: number } => {
  if (!statSync(path).isDirectory()) return { bytes: statSync(path).size, files: 1 };
  const names = readdirSync(path);
  return { bytes: names.reduce((sum, name) => sum + statSync(join(path, name)).size, 0), files: names.length };
};

async function write(path: string, segmented: boolean, receipts: number, unsettledBatches: number) {
  const started = performance.now();
  const store = await openStore(path, segmented);
  const signer = new FakeSigner();
  let batchNumber = 0n;
  let unbatched: Receipt[] = [];
  for (let i = 0; i < receipts; ) {
    const turn: Promise<Receipt>[] = [];
    for (const end = Math.min(receipts, i + TURN); i < end; i++) {
      turn.push(store.append(served(i), 0n).durable);
    }
    unbatched.push(...(await Promise.all(turn)));
    while (unbatched.length >= BATCH) {
      const batch = unbatched.slice(0, BATCH);
      unbatched = unbatched.slice(BATCH);
      signer.batches = [];
      await store.appendBatch(await signer.signBatch({ modelId: 1n, gatewayId: 1n, batchNumber: ++batchNumber, receipts: batch }));
    }
  }
  const writeSeconds = (performance.now() - started) / 1_000;
  // The chain settled every batch but the last few (the keeper is that far behind).
  store.markSettled(1n, batchNumber - BigInt(unsettledBatches));
  const compactStarted = performance.now();
  const compacted = await store.compact();
  const compactSeconds = (performance.now() - compactStarted) / 1_000;
  await store.close();
  return { writeSeconds, compactSeconds, compacted, batches: Number(batchNumber), unbatched: unbatched.length };
}

async function restartOnce(path: string, segmented: boolean) {
  let replayed = 0;
  const started = performance.now();
  const store = await openStore(path, segmented, () => replayed++);
  const ms = performance.now() - started;
  const figures = {
    ms,
    replayedReceipts: replayed,
    records: store.recovery.records,
    receipts: store.receiptCount,
    batches: store.batchCount,
    unbatched: store.unbatched,
    segments: store.log.segments.length,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  await store.close();
  return figures;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  if (flags["restart-only"]) {
    console.log(JSON.stringify(await restartOnce(flags["restart-only"], flags.segmented)));
    return;
  }
  const receipts = Number(flags.receipts);
  const unsettledBatches = Number(flags["unsettled-batches"]);
  const restarts = Number(flags.restarts);
  const root = flags.dir ?? mkdtempSync(join(tmpdir(), "cogfi-restart-bench-"));
  console.log(`receipts ${receipts.toLocaleString("en")}, a batch per ${BATCH}, all but the last ${unsettledBatches} batches settled; ${restarts} restarts per layout; ${root}`);
  const rows: string[] = [];
  for (const [label, segmented] of [
    ["before: one file", false],
    ["after: segments", true],
  ] as const) {
    const path = join(root, segmented ? "receipts" : "receipts.log");
    rmSync(path, { recursive: true, force: true });
    const written = await write(path, segmented, receipts, unsettledBatches);
    const disk = diskBytes(path);
    const runs = Array.from({ length: restarts }, () => {
      const child = spawnSync(
        process.execPath,
        [...process.execArgv, fileURLToPath(import.meta.url), "--restart-only", path, ...(segmented ? ["--segmented"] : []),
          "--segment-max-bytes", String(segments.maxBytes), "--segment-max-records", String(segments.maxRecords)],
        { encoding: "utf8", maxBuffer: 1 << 20 },
      );
      if (child.status !== 0) throw new Error(`restart failed: ${child.stderr}`);
      return JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Awaited<ReturnType<typeof restartOnce>>;
    });
    const first = runs[0]!;
    console.log(
      `${label}: wrote in ${written.writeSeconds.toFixed(1)} s (${written.batches} batches), compaction ${written.compactSeconds.toFixed(2)} s ` +
        `dropped ${written.compacted.segments} segments / ${written.compacted.batches} batches; ` +
        `restarts ${runs.map((r) => r.ms.toFixed(0)).join(", ")} ms; ${JSON.stringify(first)}`,
    );
    rows.push(
      `| ${label} | ${median(runs.map((r) => r.ms)).toFixed(0)} ms | ${first.records.toLocaleString("en")} | ` +
        `${first.replayedReceipts.toLocaleString("en")} | ${median(runs.map((r) => r.peakRssMb)).toFixed(0)} MB | ` +
        `${(disk.bytes / 1024 / 1024).toFixed(1)} MiB in ${disk.files} file${disk.files === 1 ? "" : "s"} |`,
    );
    rmSync(path, { recursive: true, force: true });
  }
  console.log("\n| layout | restart (median) | records read | receipts replayed | peak RSS | on disk |\n|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  if (!flags.dir) rmSync(root, { recursive: true, force: true });
}

await main();
