/**
 * Adversarial benchmark (not a test): does a flood of the tokenizer's worst case — 1 MiB single-word prompts —
 * slow down honest traffic? The gateway runs in its own process (bench/server.ts: in-memory chain, one funded
 * session, receipts signed and fsynced) and each phase measures, for `duration` seconds,
 *   - honest requests at a steady `rate` (open loop: latency from each request's scheduled time), and
 *   - `GET /health` probed every 20 ms,
 * in three phases: no attack; `clients` attackers sending 1 MiB single-word bodies back to back with forged
 * credentials (a fresh stranger's signature for the funded session each time, so every one costs a signature
 * recovery); the same with the funded session's valid credential (the buyer pays for every one of them).
 * The attackers run in a process of their own, so the honest load generator's clock is not starved by them.
 *
 *   npx tsx gateway/bench/attack.ts [--duration 5] [--rate 200] [--clients 20] [--body-bytes 1048576]
 */
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { REPO_ROOT } from "@cogfi/sdk/node";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { createSessionCredential } from "../src/credential.js";
import { fakeDeployment } from "../test/helpers.js";
import { quantile, runOpenLoop, type LoadResult } from "./load.js";

const { values: flags } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    rate: { type: "string", default: "200" },
    clients: { type: "string", default: "20" },
    "body-bytes": { type: "string", default: "1048576" },
    // Internal: run as the attacking process (`forged` or `valid`) against --url with --api-key.
    attacker: { type: "string" },
    url: { type: "string" },
    "api-key": { type: "string" },
  },
});
const durationMs = Number(flags.duration) * 1_000;
const rate = Number(flags.rate);
const clients = Number(flags.clients);
const bodyBytes = Number(flags["body-bytes"]);
const domain = { chainId: fakeDeployment.chainId, ledger: fakeDeployment.contracts.InferenceLedger! };

/** A chat body of exactly `bytes` bytes whose prompt is one word. */
function singleWordBody(bytes: number): Buffer {
  const shell = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: "" }], max_tokens: 16 });
  return Buffer.from(shell.replace('"content":""', `"content":"${"a".repeat(bytes - shell.length)}"`));
}

/** POSTs `body` and resolves with the status once the response ended (0 on a connection error). */
function send(agent: Agent, url: URL, apiKey: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: "/v1/chat/completions",
        method: "POST",
        headers: { "content-type": "application/json", "content-length": body.length, authorization: `Bearer ${apiKey}` },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

/** `clients` loops sending the attack body back to back until `stop` resolves; counts responses by status. */
async function attackLoops(url: URL, keys: () => string, body: Buffer, stop: Promise<void>): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const statuses = new Map<number, number>();
  let stopped = false;
  void stop.then(() => (stopped = true));
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!stopped) {
        const status = await send(agent, url, keys(), body);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  agent.destroy();
  return statuses;
}

/** GET /health every 20 ms until `stop` resolves; latencies in ms, ascending. */
async function probeHealth(url: string, stop: Promise<void>): Promise<Float64Array> {
  const latencies: number[] = [];
  let stopped = false;
  void stop.then(() => (stopped = true));
  while (!stopped) {
    const startedAt = performance.now();
    const response = await fetch(`${url}/health`);
    await response.arrayBuffer();
    latencies.push(performance.now() - startedAt);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Float64Array.from(latencies).sort();
}

/** The attacking process: attacks until SIGTERM, then prints the responses by status as one JSON line. */
async function attacker(kind: string, url: string, apiKey: string): Promise<void> {
  const forged = await Promise.all(Array.from({ length: 256 }, () => createSessionCredential(privateKeyToAccount(generatePrivateKey()), domain, 1n)));
  let next = 0;
  const keys = kind === "forged" ? () => forged[next++ % forged.length]! : () => apiKey;
  const stop = new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
  process.stdout.write("ready\n");
  const statuses = await attackLoops(new URL(url), keys, singleWordBody(bodyBytes), stop);
  process.stdout.write(`${JSON.stringify(Object.fromEntries(statuses))}\n`);
}

/** Starts the attacking process; resolves once it attacks, with a function that stops it and returns its counts. */
async function startAttack(kind: "forged" | "valid", url: string, apiKey: string): Promise<() => Promise<Record<string, number>>> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "gateway/bench/attack.ts", "--attacker", kind, "--url", url, "--api-key", apiKey, "--clients", String(clients), "--body-bytes", String(bodyBytes)],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  if ((await lines.next()).done) throw new Error("the attacker exited before attacking");
  return async () => {
    child.kill("SIGTERM");
    const result = await lines.next();
    return result.done ? {} : (JSON.parse(result.value) as Record<string, number>);
  };
}

type Phase = { name: string; honest: LoadResult; health: Float64Array; attacks?: Record<string, number> };

async function main(): Promise<void> {
  if (flags.attacker) return attacker(flags.attacker, flags.url!, flags["api-key"]!);
  console.log(`gateway attack benchmark: ${cpus().length} cpu(s) ${cpus()[0]?.model ?? ""}, load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  console.log(`honest: ${rate} req/s open loop; attack: ${clients} clients, ${bodyBytes}-byte single-word bodies; ${durationMs / 1_000} s per phase\n`);
  const child = spawn(process.execPath, ["--import", "tsx", "gateway/bench/server.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_SERVER: JSON.stringify({ durability: "fsync", sign: true }) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error("the bench server exited before listening");
  const { url, apiKey } = JSON.parse(first.value) as { url: string; apiKey: string };
  const honest = {
    url: `${url}/v1/chat/completions`,
    headers: { authorization: `Bearer ${apiKey}` },
    body: (i: number) => JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: `Honest request ${i}: say something.` }], max_tokens: 64 }),
  };

  await runOpenLoop({ ...honest, rate, durationMs: 1_000 }); // warm up
  const phases: Phase[] = [];
  const run = async (name: string, kind?: "forged" | "valid"): Promise<void> => {
    const stopAttack = kind ? await startAttack(kind, url, apiKey) : undefined;
    if (stopAttack) await new Promise((resolve) => setTimeout(resolve, 500)); // let the attack reach full flow
    let finish!: () => void;
    const stop = new Promise<void>((resolve) => (finish = resolve));
    const health = probeHealth(url, stop);
    const result = await runOpenLoop({ ...honest, rate, durationMs });
    finish();
    phases.push({ name, honest: result, health: await health, attacks: await stopAttack?.() });
  };
  await run("no attack");
  await run("forged credentials", "forged");
  await run("valid credential", "valid");
  child.kill("SIGTERM");
  await lines.next();

  for (const { name, honest: h, health, attacks } of phases) {
    const served = attacks ? Object.entries(attacks).map(([status, n]) => `${n}×${status}`).join(" ") : "-";
    console.log(
      `${name.padEnd(20)} honest p50 ${h.p50Ms.toFixed(1).padStart(7)} ms  p99 ${h.p99Ms.toFixed(1).padStart(7)} ms  max ${h.maxMs.toFixed(1).padStart(7)} ms  errors ${h.errors}` +
        `  | /health p50 ${quantile(health, 0.5).toFixed(1).padStart(6)} ms  p99 ${quantile(health, 0.99).toFixed(1).padStart(6)} ms  max ${(health.at(-1) ?? Number.NaN).toFixed(1).padStart(6)} ms` +
        `  | attack responses: ${served}`,
    );
    if (h.firstError) console.log(`  first honest error: ${h.firstError}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
