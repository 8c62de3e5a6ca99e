/**
 * The reproducibility acceptance of issue #14, through the CLI in-process: `run baseline --seed 1` twice is byte
 * identical; `replay` of its trace gives the same results; 1 shard and 4 shards merged are byte-identical; 1 worker
 * and 2 workers are byte-identical. Runs are short (few paths) to keep `npm test` fast; the engine is the same.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { beforeAll, describe, expect, test } from "vitest";
import { main, type CliIo } from "../src/cli.js";

const PATHS = "6";
let dir: string;
let stderrText = "";

function io(): CliIo & { out: string[] } {
  const stderr = new PassThrough();
  stderr.on("data", (chunk) => (stderrText += chunk));
  const out: string[] = [];
  return { stdout: (text) => out.push(text), stderr, out };
}

async function cli(...argv: string[]): Promise<string> {
  const sink = io();
  const code = await main(argv, sink);
  expect(code, `cogfi-sim ${argv.join(" ")} failed: ${stderrText}`).toBe(0);
  return sink.out.join("");
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cogfi-sim-"));
});

describe("cogfi-sim reproducibility", () => {
  let first: string;

  test("run baseline --seed 1 twice: byte-identical results, with the manifest and metrics", async () => {
    first = await cli("run", "baseline", "--seed", "1", "--paths", PATHS, "--trace", join(dir, "trace.jsonl"));
    const second = await cli("run", "baseline", "--seed", "1", "--paths", PATHS);
    expect(second).toBe(first);
    const results = JSON.parse(first);
    expect(results.kind).toBe("cogfi-sim/results");
    expect(results.manifest).toMatchObject({ seed: 1, paths: 6, scenario: { name: "baseline" } });
    expect(results.manifest.configHash).toMatch(/^[0-9a-f]{64}$/);
    expect(results.manifest.gitCommit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect(results.manifest.packages["@uniswap/v3-sdk"]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(results.metrics.paths).toBe(6);
    expect(results.metrics.lending.badDebtVar99Usd.ci).toHaveLength(2);
    expect(results.metrics.amm.twapErrorMeanBps.value).toBeGreaterThan(0);
    // Another seed gives other numbers.
    expect(await cli("run", "baseline", "--seed", "2", "--paths", PATHS)).not.toBe(first);
  });

  test("replay of the trace reproduces it line by line and gives identical results", async () => {
    const trace = readFileSync(join(dir, "trace.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(trace[0]!).kind).toBe("manifest");
    expect(trace.filter((line) => JSON.parse(line).kind === "path")).toHaveLength(6);
    expect(await cli("replay", join(dir, "trace.jsonl"))).toBe(first);
  });

  test("replay refuses a tampered trace, naming the line", async () => {
    const lines = readFileSync(join(dir, "trace.jsonl"), "utf8").trim().split("\n");
    const at = lines.findIndex((line) => JSON.parse(line).kind === "path");
    lines[at] = lines[at]!.replace(/"digest":"[0-9a-f]{4}/, '"digest":"0000');
    writeFileSync(join(dir, "tampered.jsonl"), `${lines.join("\n")}\n`);
    const sink = io();
    expect(await main(["replay", join(dir, "tampered.jsonl")], sink)).toBe(1);
    expect(stderrText).toContain(`line ${at + 1} differs`);
  });

  test("1 shard and 4 shards merged: byte-identical", async () => {
    const files: string[] = [];
    for (let k = 0; k < 4; k++) {
      const file = join(dir, `shard-${k}.json`);
      await cli("run", "baseline", "--seed", "1", "--paths", PATHS, "--shard", `${k}/4`, "--out", file);
      files.push(file);
    }
    expect(JSON.parse(readFileSync(files[0]!, "utf8")).shard).toMatchObject({ index: 0, count: 4, from: 0, to: 1 });
    expect(await cli("merge", ...files.reverse())).toBe(first);
    // A missing shard is refused.
    const sink = io();
    expect(await main(["merge", ...files.slice(1)], sink)).toBe(1);
  });

  test("1 worker and 2 workers: byte-identical", async () => {
    expect(await cli("run", "baseline", "--seed", "1", "--paths", PATHS, "--workers", "2")).toBe(first);
  });

  test("sweep and report: one result per value, a markdown table per run, an offline HTML page whose charts drew every run", async () => {
    const sweep = await cli("sweep", "baseline", "--seed", "1", "--paths", "2", "--param", "lending.lltv", "--values", "0.625,0.77");
    const runs = JSON.parse(sweep);
    expect(runs.map((r: { manifest: { params: { lending: { lltv: number } } } }) => r.manifest.params.lending.lltv)).toEqual([0.625, 0.77]);
    writeFileSync(join(dir, "sweep.json"), sweep);
    const md = await cli("report", join(dir, "sweep.json"));
    expect(md.match(/^## baseline/gm)).toHaveLength(2);
    expect(md).toContain("| bad debt VaR99 (USD) |");
    // HTML: self-contained, every chart drew one bar and one interval rule per run.
    const html = await cli("report", join(dir, "sweep.json"), "--format", "html");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|src=|href="http/);
    const figures = html.split('<figure data-chart="').slice(1);
    expect(figures.map((f) => f.slice(0, f.indexOf('"')))).toEqual(["bad-debt-var99", "bad-debt-es99", "insolvency", "lp-pnl", "twap-error"]);
    for (const figure of figures) {
      const bars = figure.slice(figure.indexOf("mark-rect role-mark"), figure.indexOf("mark-rule role-mark"));
      const rules = figure.slice(figure.indexOf("mark-rule role-mark"), figure.indexOf("</figure>"));
      expect(bars.match(/<path /g) ?? [], figure.slice(0, 20)).toHaveLength(2);
      expect(rules.match(/<line /g) ?? [], figure.slice(0, 20)).toHaveLength(2);
    }
  });

  test("bad input: unknown scenario and bad shard exit 1 with the reason", async () => {
    expect(await main(["run", "nope", "--paths", "1"], io())).toBe(1);
    expect(stderrText).toContain("cannot read scenario");
    expect(await main(["run", "baseline", "--paths", "2", "--shard", "4/4"], io())).toBe(1);
    expect(stderrText).toContain("shard 4/4");
  });
});
