/**
 * Crash safety: the gateway runs as a child process (`gateway/src/main.ts`), is loaded with plain and streaming
 * requests, killed with SIGKILL mid-load, and restarted on the same data dir. Every response a client received
 * in full must have exactly one receipt, no receipt may appear twice, and each session's sequences must strictly
 * increase across the restart.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseUnits } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ledgerAddresses, openSession, registerModel, type BatchJson } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, REPO_ROOT } from "@cogfi/sdk/node";
import { modelParams } from "../../sdk/test/fixtures.js";
import { startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { createSessionCredential } from "../src/credential.js";
import { tempDir } from "./helpers.js";

const BUYER = 3;
let chain: LedgerChain;
let deploymentsDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  chain = await startLedgerChain();
  deploymentsDir = tempDir("cogfi-deployments-");
  writeFileSync(join(deploymentsDir, "31337.json"), JSON.stringify(chain.deployment));
}, 120_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await chain?.stop();
});

/** Starts `main.ts` and resolves with its URL once it listens. */
async function startChild(dataDir: string): Promise<{ child: ChildProcess; url: string; logs: Record<string, unknown>[] }> {
  // node itself (not the tsx wrapper, which would survive as a parent while its child keeps running): SIGKILL
  // must hit the gateway process.
  const child = spawn(process.execPath, ["--import", "tsx", "gateway/src/main.ts", "--port", "0"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      COGFI_RPC_URL: chain.rpcUrl,
      COGFI_CHAIN_ID: "31337",
      COGFI_DEPLOYMENTS_DIR: deploymentsDir,
      COGFI_GATEWAY_DATA_DIR: dataDir,
      COGFI_GATEWAY_HEAD_MAX_AGE_MS: "100",
      COGFI_GATEWAY_BATCH_MAX_DELAY_MS: "25",
      // Small segments: the kill lands among rolls, and the restart reads a run of segments.
      COGFI_GATEWAY_SEGMENT_MAX_RECORDS: "40",
      COGFI_GATEWAY_REGISTRAR_KEY: ANVIL_PRIVATE_KEYS[0],
      COGFI_LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  const logs: Record<string, unknown>[] = [];
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${stderr}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        logs.push(entry);
        if (entry.msg === "gateway listening" && entry.url) {
          clearTimeout(timer);
          resolveUrl(entry.url);
        }
      } catch {
        // not a log line
      }
    });
  });
  return { child, url, logs };
}

type Completed = { id: string; sessionId: string };

/** Sends one request; resolves with the response id if the client received the whole response, else undefined. */
async function request(url: string, apiKey: string, sessionId: string, stream: boolean, n: number): Promise<Completed | undefined> {
  try {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ model: "crash-model", messages: [{ role: "user", content: `request ${n}` }], max_tokens: 400, stream }),
    });
    if (response.status !== 200) return undefined;
    const text = await response.text();
    if (!stream) return { id: (JSON.parse(text) as { id: string }).id, sessionId };
    if (!text.includes("data: [DONE]")) return undefined; // the stream was cut: the response did not complete
    const first = text.split("\n").find((line) => line.startsWith("data: {"))!;
    return { id: (JSON.parse(first.slice(6)) as { id: string }).id, sessionId };
  } catch {
    return undefined; // connection reset by the kill
  }
}

async function receiptsOf(url: string): Promise<BatchJson[]> {
  // Wait until every receipt is signed (recovered ones included). The signer runs at a low priority (nice 10), so on
  // a machine busy with other suites this takes seconds: wait generously, and say so if it never happens.
  const deadline = Date.now() + 90_000;
  let pending = -1;
  while (Date.now() < deadline) {
    pending = ((await (await fetch(`${url}/health`)).json()) as { receiptsPending: number }).receiptsPending;
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(pending, "receipts still waiting to be signed after 90 s").toBe(0);
  const batches: BatchJson[] = [];
  let cursor = "-1";
  for (;;) {
    const page = (await (await fetch(`${url}/v1/receipts?after=${cursor}&limit=500`)).json()) as { data: BatchJson[]; next_cursor: string; has_more: boolean };
    batches.push(...page.data);
    cursor = page.next_cursor;
    if (!page.has_more) return batches;
  }
}

test("kill -9 under load, restart: every completed response has exactly one receipt", async () => {
  const { modelId } = await registerModel(chain.client(1), modelParams("crash-model"));
  await chain.fund(BUYER, parseUnits("1000", 6));
  const ledger = ledgerAddresses({ deployment: chain.deployment }).inferenceLedger;
  const sessions: { sessionId: string; apiKey: string }[] = [];
  const dataDir = tempDir();
  const completed: Completed[] = [];
  let interrupted = 0;
  const load = async (url: string, until: () => boolean) => {
    let n = 0;
    await Promise.all(
      Array.from({ length: 24 }, async (_, worker) => {
        while (!until()) {
          const session = sessions[(worker + n) % sessions.length]!;
          const done = await request(url, session.apiKey, session.sessionId, (worker + n) % 2 === 0, n++);
          if (done) completed.push(done);
          else interrupted++;
        }
      }),
    );
  };

  // Run 1: load, then SIGKILL while requests are in flight.
  const first = await startChild(dataDir);
  // Sessions are opened with the gateway's id for the model, which it publishes once its key is registered.
  const models = (await (await fetch(`${first.url}/v1/models`)).json()) as { data: { cogfi: { modelId: string; gatewayId: string | null } }[] };
  const gatewayId = BigInt(models.data.find((m) => m.cogfi.modelId === modelId.toString())!.cogfi.gatewayId!);
  for (let i = 0; i < 3; i++) {
    const { sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: parseUnits("100", 6), expiry: (await chain.now()) + 80_000n });
    sessions.push({ sessionId: sessionId.toString(), apiKey: await createSessionCredential(chain.accounts[BUYER]!, { chainId: 31337, ledger }, sessionId) });
  }
  let killed = false;
  const loading = load(first.url, () => killed);
  while (completed.length < 300) await new Promise((r) => setTimeout(r, 10));
  first.child.kill("SIGKILL");
  killed = true;
  await loading;
  const beforeCrash = completed.length;

  // Run 2: restart on the same data dir, a little more load, then read every receipt.
  const second = await startChild(dataDir);
  let stop = false;
  const more = load(second.url, () => stop);
  while (completed.length < beforeCrash + 100) await new Promise((r) => setTimeout(r, 10));
  stop = true;
  await more;
  const batches = await receiptsOf(second.url);
  second.child.kill("SIGTERM");

  const items = batches.flatMap((batch) => batch.items);
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.responseId, (counts.get(item.responseId) ?? 0) + 1);
  // None twice.
  expect([...counts.values()].filter((count) => count > 1)).toEqual([]);
  // Every completed response has its receipt.
  const missing = completed.filter((c) => !counts.has(c.id));
  expect(missing, `${missing.length} of ${completed.length} completed responses have no receipt`).toEqual([]);
  // The gateway's batches are numbered 1, 2, 3... in signing order, across the restart: none reused, none skipped.
  expect(batches.map((batch) => batch.batchNumber)).toEqual(batches.map((_, i) => String(i + 1)));
  // Each session's sequences strictly increase in batch order, across the restart.
  for (const { sessionId } of sessions) {
    const sequences = items.filter((item) => item.sessionId === sessionId).map((item) => BigInt(item.sequence));
    for (let i = 1; i < sequences.length; i++) expect(sequences[i]! > sequences[i - 1]!).toBe(true);
  }
  // The kill cut requests in flight, and the restart recovered receipts the first run had not signed yet.
  expect(interrupted).toBeGreaterThan(0);
  const recovered = second.logs.find((entry) => entry.msg === "receipt log recovered") as { receipts: number; unbatched: number; segments: number };
  expect(recovered.receipts).toBeGreaterThanOrEqual(beforeCrash);
  expect(recovered.segments).toBeGreaterThan(5); // the log rolled many times under the load the kill cut
  expect(items.length).toBeGreaterThanOrEqual(completed.length);
  expect(completed.length).toBeGreaterThanOrEqual(400);
}, 300_000);
