/**
 * `replay --evm` (issue #14, acceptance 1): the evm-short scenario's trace, driven through the real contracts on an
 * anvil the command spawns (free port) with the suite the deploy script deploys, matches the engine at every step;
 * a tampered trace fails with a per-step diff; old (format 1) traces and traces whose revenue repaid debt are refused
 * with a clear error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, test } from "vitest";
import { startTestChain, TEST_STATE_DIR } from "@cogfi/sdk/testing";
import { main, type CliIo } from "../src/cli.js";

let dir: string;
let trace: string;

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (chunk) => (err += chunk));
  const out: string[] = [];
  const io: CliIo = { stdout: (text) => out.push(text), stderr };
  const code = await main(argv, io);
  return { code, stdout: out.join(""), stderr: err };
}

type Line = { kind: string; event?: Record<string, unknown> & { kind: string; step: number } };
const readLines = (file: string): Line[] => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Line);
const writeLines = (file: string, lines: Line[]) => writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cogfi-sim-evm-"));
  trace = join(dir, "evm-short.jsonl");
  const run = await cli("run", "evm-short", "--seed", "1", "--trace", trace, "--out", join(dir, "results.json"));
  expect(run.code, run.stderr).toBe(0);
});

describe("cogfi-sim replay --evm", () => {
  test("the evm-short trace (arbitrage every step, a 60% crash, liquidations with bad debt) matches the chain at every step", async () => {
    const lines = readLines(trace);
    const kinds = lines.filter((l) => l.kind === "event").map((l) => l.event!.kind);
    // The scenario exercises what the replay drives: swaps, liquidations (with bad debt), and one state per step.
    expect(kinds.filter((k) => k === "swap").length).toBeGreaterThan(5);
    const liquidations = lines.filter((l) => l.event?.kind === "liquidation");
    expect(liquidations.length).toBeGreaterThan(0);
    expect(liquidations.some((l) => BigInt(l.event!.badDebt as string) > 0n)).toBe(true);
    expect(kinds.filter((k) => k === "state").length).toBe(36);

    const replay = await cli("replay", "--evm", trace);
    expect(replay.code, replay.stderr).toBe(0);
    const outcome = JSON.parse(replay.stdout) as { steps: number; checks: number; mismatches: unknown[]; twapSkipped: number; seconds: number };
    expect(outcome.steps).toBe(36);
    expect(outcome.mismatches).toEqual([]);
    expect(outcome.twapSkipped).toBe(0);
    // 36 steps x (pool 3 + TWAP 1 + market 5 + 2 positions x 2) at least, plus swaps and liquidations.
    expect(outcome.checks).toBeGreaterThan(36 * 13);
    console.info(`replay --evm evm-short: ${outcome.checks} quantities equal to the wei over ${outcome.steps} steps in ${outcome.seconds} s`);
  });

  test("--rpc-url and --deployment: the same replay on a chain the caller started (the prepared test suite)", async () => {
    const chain = await startTestChain();
    try {
      const replay = await cli("replay", "--evm", trace, "--rpc-url", chain.rpcUrl, "--deployment", join(TEST_STATE_DIR, "31337.json"));
      expect(replay.code, replay.stderr).toBe(0);
      expect((JSON.parse(replay.stdout) as { steps: number; mismatches: unknown[] }).mismatches).toEqual([]);
    } finally {
      await chain.stop();
    }
  });

  test("a tampered trace (one arbitrage's input changed by one unit) fails at that step with a diff", async () => {
    const lines = readLines(trace);
    const swapLine = lines.find((l) => l.event?.kind === "swap" && l.event.step >= 8)!;
    const step = swapLine.event!.step;
    const field = BigInt(swapLine.event!.usdIn as string) > 0n ? "usdIn" : "shareIn";
    swapLine.event![field] = (BigInt(swapLine.event![field] as string) + 1n).toString();
    const tampered = join(dir, "tampered.jsonl");
    writeLines(tampered, lines);
    const replay = await cli("replay", "--evm", tampered);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain(`the chain differs from the engine at step ${step}`);
    expect(replay.stderr).toMatch(new RegExp(`step ${step} model 0 arbitrage\\.amountIn: engine \\d+, chain \\d+`));
  });

  test("a format-1 trace is refused by both replays, naming the format", async () => {
    const lines = readLines(trace);
    delete (lines[0] as Record<string, unknown>).traceVersion;
    const old = join(dir, "v1.jsonl");
    writeLines(old, lines);
    for (const argv of [["replay", "--evm", old], ["replay", old]]) {
      const replay = await cli(...argv);
      expect(replay.code).toBe(1);
      expect(replay.stderr).toContain("format 1");
      expect(replay.stderr).toContain("re-run the scenario with run --trace");
    }
  });

  test("a trace whose collateral revenue repaid debt is refused before any chain starts", async () => {
    const withRevenue = join(dir, "revenue.jsonl");
    const run = await cli("run", "evm-short", "--seed", "1", "--set", "usage.requestsPerHour=20000", "--trace", withRevenue, "--out", join(dir, "r2.json"));
    expect(run.code, run.stderr).toBe(0);
    const replay = await cli("replay", "--evm", withRevenue);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain("collateral revenue repaid debt");
  });
});
