/**
 * The batch-scheduler files of simulations/deploy/ (a Kubernetes Indexed Job plus its merge Job, a Slurm array plus
 * its merge) are consistent and work: the YAML parses to what Kubernetes needs (Indexed completion, SHARDS =
 * completions, one shared RWX claim mounted at RESULTS by both Jobs); then each pod's and array task's own script is
 * run under sh / bash, for every index, with `npm` replaced by a recorder, and the commands it recorded are run
 * through the CLI in-process (fewer paths, one worker: neither changes a byte, cli.test.ts shows it). The merged
 * results must equal the same run on one machine, byte for byte, and the Kubernetes and Slurm files describe the
 * same run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { loadAll } from "js-yaml";
import { beforeAll, describe, expect, test } from "vitest";
import { main } from "../src/cli.js";

const DEPLOY = join(import.meta.dirname, "..", "deploy");
/** Paths actually simulated here instead of the files' 100,000 (two per shard). */
const PATHS_HERE = 32;

type Recorded = { cwd: string; argv: string[] };
let fakeBin: string;

beforeAll(() => {
  // `npm` for the scripts: records its argv and cwd, and writes them to the --out file (so a rename after it works
  // and shows which command produced which file).
  fakeBin = mkdtempSync(join(tmpdir(), "cogfi-fake-npm-"));
  writeFileSync(
    join(fakeBin, "npm"),
    [
      "#!/usr/bin/env node",
      'const fs = require("node:fs");',
      "const record = JSON.stringify({ cwd: process.cwd(), argv: process.argv.slice(2) });",
      'fs.appendFileSync(process.env.FAKE_NPM_LOG, record + "\\n");',
      'const at = process.argv.indexOf("--out");',
      "if (at > 0) fs.writeFileSync(process.argv[at + 1], record);",
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
});

/** Runs a scheduler's script once under `shell` with `env`; returns the npm commands it ran. */
function runScript(shell: "sh" | "bash", script: string, env: Record<string, string>): Recorded[] {
  const log = join(mkdtempSync(join(tmpdir(), "cogfi-npm-log-")), "npm.jsonl");
  writeFileSync(log, "");
  const result = spawnSync(shell, ["-c", script], { encoding: "utf8", env: { PATH: `${fakeBin}:${process.env.PATH}`, FAKE_NPM_LOG: log, ...env } });
  expect(result.status, `${shell} script failed: ${result.stderr}`).toBe(0);
  return readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Recorded);
}

/** `npm run sim -- <cli args>` -> the CLI's args (relative files resolved against the script's cwd). */
function cliArgs({ cwd, argv }: Recorded): string[] {
  expect(argv.slice(0, 3)).toEqual(["run", "sim", "--"]);
  return argv.slice(3).map((arg) => (/\.(json|html|tmp)$/.test(arg) && !isAbsolute(arg) ? resolve(cwd, arg) : arg));
}

const option = (args: string[], name: string) => {
  const at = args.indexOf(name);
  expect(at, `${name} in ${args.join(" ")}`).toBeGreaterThan(0);
  return args[at + 1]!;
};
const withOption = (args: string[], name: string, value: string) => args.map((arg, i) => (args[i - 1] === name ? value : arg));
const withoutOption = (args: string[], name: string) => args.filter((_, i) => args[i] !== name && args[i - 1] !== name);

async function cli(args: string[]): Promise<string> {
  const out: string[] = [];
  let errors = "";
  const stderr = new PassThrough();
  stderr.on("data", (chunk) => (errors += chunk));
  const code = await main(args, { stdout: (text) => out.push(text), stderr });
  expect(code, `cogfi-sim ${args.join(" ")} failed: ${errors}`).toBe(0);
  return out.join("");
}

/**
 * Runs every shard's recorded command through the CLI (writing where the script renamed its output), then the
 * merge script's commands; returns the merged results and the run's argument list (without shard, out, workers).
 */
async function shardsThenMerge(shards: { recorded: Recorded; index: number; file: string }[], count: number, merge: () => Recorded[]) {
  let runArgs: string[] | undefined;
  for (const { recorded, index, file } of shards) {
    const args = cliArgs(recorded);
    expect(args[0]).toBe("run");
    expect(option(args, "--shard"), "the --shard of index k").toBe(`${index}/${count}`);
    // The rename took this shard's own output to its final name.
    expect(JSON.parse(readFileSync(file, "utf8")), `${file} holds shard ${index}'s output`).toEqual(recorded);
    const common = withoutOption(withoutOption(withoutOption(args, "--shard"), "--out"), "--workers");
    runArgs ??= common;
    expect(common, "every shard runs the same run").toEqual(runArgs);
    await cli([...withOption(withOption(args, "--paths", String(PATHS_HERE)), "--workers", "1").map((a, i, all) => (all[i - 1] === "--out" ? file : a))]);
  }
  const [mergeCmd, reportCmd, ...rest] = merge();
  expect(rest).toEqual([]);
  const mergeArgs = cliArgs(mergeCmd!);
  expect(mergeArgs[0]).toBe("merge");
  const inputs = mergeArgs.slice(1, mergeArgs.indexOf("--out"));
  expect([...inputs].sort(), "merge reads every shard file, each once").toEqual(shards.map((s) => s.file).sort());
  await cli(mergeArgs);
  const results = readFileSync(option(mergeArgs, "--out"), "utf8");

  const reportArgs = cliArgs(reportCmd!);
  expect(reportArgs.slice(0, 2)).toEqual(["report", option(mergeArgs, "--out")]);
  expect(option(reportArgs, "--format")).toBe("html");
  await cli(reportArgs);
  expect(readFileSync(option(reportArgs, "--out"), "utf8")).toMatch(/^<!doctype html>/);
  return { results, runArgs: runArgs! };
}

type Container = { image: string; command: string[]; env?: { name: string; value: string }[]; volumeMounts: { name: string; mountPath: string }[] };
type PodSpec = { restartPolicy: string; containers: Container[]; volumes: { name: string; persistentVolumeClaim?: { claimName: string } }[] };
type Job = { apiVersion: string; kind: "Job"; metadata: { name: string }; spec: { completionMode?: string; completions: number; parallelism?: number; template: { spec: PodSpec } } };
type Claim = { apiVersion: string; kind: "PersistentVolumeClaim"; metadata: { name: string }; spec: { accessModes: string[] } };

const load = (file: string) => loadAll(readFileSync(join(DEPLOY, file), "utf8")) as (Job | Claim)[];
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
/** The one container's sh -c script, and the path where the claim is mounted. */
function podOf(job: Job, claim: Claim) {
  const pod = job.spec.template.spec;
  expect(pod.restartPolicy).toBe("Never");
  expect(pod.containers).toHaveLength(1);
  const container = pod.containers[0]!;
  expect(container.command.slice(0, 2)).toEqual(["sh", "-c"]);
  expect(container.command).toHaveLength(3);
  const volume = pod.volumes.find((v) => v.persistentVolumeClaim?.claimName === claim.metadata.name);
  expect(volume, `${job.metadata.name} mounts the claim ${claim.metadata.name}`).toBeDefined();
  const mount = container.volumeMounts.find((m) => m.name === volume!.name);
  expect(mount).toBeDefined();
  return { script: container.command[2]!, env: envOf(container), mountPath: mount!.mountPath, image: container.image };
}

let k8s: { results: string; runArgs: string[] };

describe("simulations/deploy", () => {
  test("Kubernetes: an Indexed Job of SHARDS = completions pods, each `--shard k/n` into the shared claim, then one merge Job: byte-identical to one machine", async () => {
    const docs = load("k8s-job.yaml");
    const claim = docs.find((d): d is Claim => d.kind === "PersistentVolumeClaim")!;
    const job = docs.find((d): d is Job => d.kind === "Job")!;
    const [mergeJob, ...extra] = load("k8s-merge-job.yaml") as Job[];
    expect(extra).toEqual([]);
    expect(claim.apiVersion).toBe("v1");
    expect(claim.spec.accessModes, "pods on several nodes write the claim").toEqual(["ReadWriteMany"]);
    for (const j of [job, mergeJob!]) expect([j.apiVersion, j.kind]).toEqual(["batch/v1", "Job"]);
    expect(job.spec.completionMode).toBe("Indexed");
    const n = job.spec.completions;
    expect(Number.isInteger(n) && n > 1).toBe(true);
    expect(job.spec.parallelism).toBeGreaterThanOrEqual(1);
    expect(job.spec.parallelism).toBeLessThanOrEqual(n);

    const pod = podOf(job, claim);
    const merger = podOf(mergeJob!, claim);
    expect(pod.env.SHARDS, "SHARDS = completions").toBe(String(n));
    expect(pod.env.RESULTS, "RESULTS is where the claim is mounted").toBe(pod.mountPath);
    expect(merger.env.RESULTS).toBe(merger.mountPath);
    expect(merger.env.RUN, "the merge Job reads the shards' RUN").toBe(pod.env.RUN);
    expect(merger.image).toBe(pod.image);
    expect(pod.script).toContain('--shard "$JOB_COMPLETION_INDEX/$SHARDS"');

    // Every pod's script, for k = 0..n-1, with the claim at a temporary directory.
    const results = mkdtempSync(join(tmpdir(), "cogfi-k8s-"));
    const shards = [];
    for (let k = 0; k < n; k++) {
      const recorded = runScript("sh", pod.script, { ...pod.env, RESULTS: results, JOB_COMPLETION_INDEX: String(k) });
      expect(recorded).toHaveLength(1);
      shards.push({ recorded: recorded[0]!, index: k, file: join(results, pod.env.RUN!, `shard-${k}.json`) });
    }
    expect(readdirSync(join(results, pod.env.RUN!)).filter((f) => f.endsWith(".tmp")), "no temporary file left").toEqual([]);
    k8s = await shardsThenMerge(shards, n, () => runScript("sh", merger.script, { ...merger.env, RESULTS: results }));

    const oneMachine = await cli([...withOption(k8s.runArgs, "--paths", String(PATHS_HERE))]);
    expect(k8s.results).toBe(oneMachine);
    expect(JSON.parse(k8s.results).metrics.paths).toBe(PATHS_HERE);
  }, 180_000);

  test("Slurm: an array of 0..n-1 tasks, each `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`, then the merge: the same bytes as the Kubernetes run", async () => {
    const shardsScript = readFileSync(join(DEPLOY, "slurm-shards.sbatch"), "utf8");
    const mergeScript = readFileSync(join(DEPLOY, "slurm-merge.sbatch"), "utf8");
    const array = /^#SBATCH --array=0-(\d+)(%\d+)?$/m.exec(shardsScript);
    expect(array, "#SBATCH --array=0-<n-1>").not.toBeNull();
    const n = Number(array![1]) + 1;
    const cpus = /^#SBATCH --cpus-per-task=(\d+)$/m.exec(shardsScript)?.[1];
    expect(cpus).toBeDefined();
    expect(shardsScript).toContain('--shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"');

    const submitDir = mkdtempSync(join(tmpdir(), "cogfi-slurm-"));
    const shards = [];
    for (let k = 0; k < n; k++) {
      const env = { SLURM_SUBMIT_DIR: submitDir, SLURM_ARRAY_TASK_ID: String(k), SLURM_ARRAY_TASK_COUNT: String(n), SLURM_CPUS_PER_TASK: cpus! };
      const recorded = runScript("bash", shardsScript, env);
      expect(recorded).toHaveLength(1);
      expect(option(recorded[0]!.argv, "--workers"), "--workers = the CPUs Slurm gave the task").toBe(cpus);
      const out = resolve(submitDir, option(recorded[0]!.argv, "--out"));
      shards.push({ recorded: recorded[0]!, index: k, file: out.replace(/\.shard-(\d+)\.tmp$/, "shard-$1.json") });
    }
    for (const s of shards) expect(existsSync(s.file), s.file).toBe(true);
    const slurm = await shardsThenMerge(shards, n, () => runScript("bash", mergeScript, { SLURM_SUBMIT_DIR: submitDir }));

    expect(k8s, "the Kubernetes test ran first").toBeDefined();
    expect(slurm.runArgs, "Slurm and Kubernetes run the same run").toEqual(k8s.runArgs);
    expect(slurm.results).toBe(k8s.results);
  }, 180_000);
});
