/**
 * Work before trust is bounded: a huge single-word prompt (the tokenizer's worst case) sent with a credential any
 * wallet can sign must not stall the gateway for anyone else. The gateway runs in its own process (the benchmark's
 * server: in-memory chain, one funded session) so a blocked event loop shows as a timeout here rather than freezing
 * the test itself.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "@cogfi/sdk/node";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSessionCredential } from "../src/credential.js";
import { fakeDeployment } from "./helpers.js";

/** Far above an honest request's normal latency (a few ms): a stall, not jitter. */
const PROMPT_MS = 2_000;
const BODY_LIMIT = 1_048_576;
const domain = { chainId: fakeDeployment.chainId, ledger: fakeDeployment.contracts.InferenceLedger! };

let child: ChildProcess;
let url: string;
let apiKey: string;

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", "gateway/bench/server.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, BENCH_SERVER: JSON.stringify({ durability: "none", sign: false }) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error("the gateway process exited before listening");
  ({ url, apiKey } = JSON.parse(first.value) as { url: string; apiKey: string });
});
afterAll(() => {
  child?.kill("SIGKILL");
});

/** A chat body of exactly `bytes` bytes whose prompt is one word. */
function singleWordBody(bytes: number): string {
  const shell = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: "" }], max_tokens: 16 });
  return shell.replace('"content":""', `"content":"${"a".repeat(bytes - shell.length)}"`);
}

async function timed(input: string, init: RequestInit = {}): Promise<{ status: number; ms: number }> {
  const startedAt = performance.now();
  const response = await fetch(input, { ...init, signal: AbortSignal.timeout(PROMPT_MS) });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - startedAt };
}

const honestBody = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: "hello" }], max_tokens: 16 });

async function underAttack(attackKey: string): Promise<{ attack: Promise<number>; honest: { status: number; ms: number }; health: { status: number; ms: number } }> {
  const body = singleWordBody(BODY_LIMIT);
  expect(Buffer.byteLength(body)).toBe(BODY_LIMIT);
  const attack = fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${attackKey}` },
    body,
  }).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });
  // Let the body arrive and the gateway start on it.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const [honest, health] = await Promise.all([
    timed(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` }, body: honestBody }),
    timed(`${url}/health`),
  ]);
  return { attack, honest, health };
}

describe("a huge single-word prompt does not freeze the gateway", () => {
  test("with a forged credential (a session that does not exist): 401, and everyone else is served promptly", async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    const forged = await createSessionCredential(stranger, domain, 999_999n);
    const { attack, honest, health } = await underAttack(forged);
    expect(health.status).toBe(200);
    expect(honest.status).toBe(200);
    expect(await attack).toBe(401);
  });

  test("with a credential signed by a stranger for the funded session: 401, nothing counted", async () => {
    const stranger = privateKeyToAccount(generatePrivateKey());
    const forged = await createSessionCredential(stranger, domain, 1n);
    const { attack, honest, health } = await underAttack(forged);
    expect(health.status).toBe(200);
    expect(honest.status).toBe(200);
    expect(await attack).toBe(401);
  });

  test("with the funded session's own credential: served (or refused) without stalling anyone", async () => {
    const { attack, honest, health } = await underAttack(apiKey);
    expect(health.status).toBe(200);
    expect(honest.status).toBe(200);
    expect(await attack).toBe(200);
  });
});
