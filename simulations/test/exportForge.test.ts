/**
 * `cogfi-sim export-forge` (issue #14, acceptance 3): the committed forge test of the LLTV 98% counterexample
 * (test/simulations/generated, run by `npm run test:forge`) is exactly what the exporter writes from the committed
 * counterexample, byte for byte; the exporter refuses inputs it cannot replay on chain.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { REPO_ROOT } from "@cogfi/sdk/node";
import { describe, expect, test } from "vitest";
import { main, type CliIo } from "../src/cli.js";
import { GENERATED_DIR } from "../src/export/forgeTest.js";

const STEM = "UnsafeLltv98_m558034302";
const committed = (ext: string) => join(REPO_ROOT, GENERATED_DIR, `${STEM}.${ext}`);

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (chunk) => (err += chunk));
  const out: string[] = [];
  const io: CliIo = { stdout: (text) => out.push(text), stderr };
  const code = await main(argv, io);
  return { code, stdout: out.join(""), stderr: err };
}

describe("cogfi-sim export-forge", () => {
  test("regenerating the LLTV 98% counterexample's forge test gives the committed file, byte for byte", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cogfi-sim-export-"));
    const run = await cli("export-forge", committed("json"), "--out-dir", dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(join(dir, `${STEM}.t.sol`));
    const source = readFileSync(join(dir, `${STEM}.t.sol`), "utf8");
    expect(source).toBe(readFileSync(committed("t.sol"), "utf8"));
    expect(readFileSync(join(dir, `${STEM}.json`), "utf8")).toBe(readFileSync(committed("json"), "utf8"));
    // What the test asserts: the engine's bad debt, to the wei, and a replay of every step.
    expect(source).toContain("contract UnsafeLltv98_m558034302Test is SimulationReplayBase");
    expect(source).toMatch(/_unrealizedBadDebt\([\d_]+\),\s+1_802_244,/);
    expect(source.match(/ = SimStep\(/g)?.length).toBe(121);
  });

  test("refuses what it cannot replay: not a counterexample, several models, revenue repaying debt", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cogfi-sim-export-bad-"));
    const base = JSON.parse(readFileSync(committed("json"), "utf8")) as { scenario: { params: Record<string, unknown> } };
    const cases: [string, unknown, string][] = [
      ["scenario.json", JSON.parse(readFileSync(join(REPO_ROOT, "simulations/scenarios/baseline.json"), "utf8")), "not a counterexample"],
      ["models.json", { ...base, scenario: { ...base.scenario, params: { ...base.scenario.params, models: 2 } } }, "2 models"],
      ["revenue.json", { ...base, scenario: { ...base.scenario, params: { ...base.scenario.params, usage: { collapsesPerYear: 0 } } } }, "revenue repaying debt"],
    ];
    for (const [name, input, message] of cases) {
      writeFileSync(join(dir, name), JSON.stringify(input));
      const run = await cli("export-forge", join(dir, name), "--out-dir", dir);
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toContain(message);
    }
  });
});
