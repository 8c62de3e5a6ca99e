/**
 * The `cogfi-keeper` command line as an operator runs it (a real process), and what survives `kill -9`: a keeper killed
 * with its settlement in flight, restarted on the same state folder, finishes that very transaction; every batch is
 * settled once and the keeper's key sends exactly one transaction per batch.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { keccak256, parseUnits, toHex, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  getSettledBatches,
  inferenceLedgerAbi,
  ledgerAddresses,
  openSession,
  packPricing,
  registerModel,
  signUsageBatch,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, REPO_ROOT, TEST_STATE_DIR, rpc } from "@cogfi/sdk/node";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { demoPricing, modelParams } from "../../sdk/test/fixtures.js";
import { KeeperStore } from "../src/state/store.js";
import { startFakeGateway, type FakeGateway } from "./fakeGateway.js";
import { KeeperProcesses } from "./keeperProcess.js";

const CLI = resolve(REPO_ROOT, "keeper/bin/cogfi-keeper.mjs");
const OWNER = 1;
const BUYER = 3;
const KEEPER_KEY = ANVIL_PRIVATE_KEYS[6]!;
const keeperAddress = privateKeyToAccount(KEEPER_KEY).address;

let chain: LedgerChain;
let gateway: FakeGateway;
let ledger: Address;
let modelId: bigint;
let gatewayId: bigint;
let sessionId: bigint;
let sequence = 1n;
const enclave = enclaveAccount(61);
const keepers = new KeeperProcesses();

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs the CLI to completion. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => done({ code, stdout, stderr }));
  });
}

/** Starts `cogfi-keeper run` on `dataDir`; resolves with the process and its HTTP API's URL once it listens. */
function startKeeperProcess(dataDir: string) {
  return keepers.start(
    ["run", "--rpc-url", chain.rpcUrl, "--chain-id", "31337", "--deployments-dir", TEST_STATE_DIR, "--data-dir", dataDir, "--port", "0", "-g", gateway.url],
    { COGFI_KEEPER_PRIVATE_KEY: KEEPER_KEY, COGFI_RELAY_POLL_MS: "100", COGFI_KEEPER_TX_POLL_MS: "50", COGFI_LOG_LEVEL: "info" },
  );
}

const kill9 = (child: ChildProcess) => keepers.kill9(child);

type Status = { inFlight: Array<{ workKey: string; hash: string; status: string }>; jobs: Array<{ name: string; details?: Record<string, { cursor: number }> }> };

async function status(url: string): Promise<Status> {
  return (await (await fetch(`${url}/status`)).json()) as Status;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signedBatch(batchNumber: bigint): Promise<SignedUsageBatch> {
  const receipts = [0, 1].map(() => {
    const seq = sequence++;
    return { sessionId, sequence: seq, inputTokens: 500n, outputTokens: 100n, reasoningTokens: 900n, requestHash: keccak256(toHex(`cli-${seq}`)) };
  });
  const { batch } = await signUsageBatch({
    account: enclave,
    gatewayId,
    chainId: 31337,
    ledger,
    modelId,
    batchNumber,
    servedPricing: packPricing(demoPricing),
    receipts,
  });
  return batch;
}

async function settledBatchNumbers(): Promise<bigint[]> {
  const logs = await chain.reader.publicClient.getContractEvents({ address: ledger, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock: 0n });
  return logs.map((log) => log.args.batchNumber!);
}

const keeperNonce = () => chain.reader.publicClient.getTransactionCount({ address: keeperAddress, blockTag: "latest" });
const automine = (on: boolean) => rpc(chain.rpcUrl, "evm_setAutomine", [on]);

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  gateway = await startFakeGateway(ledger);
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("cli")));
  ({ gatewayId } = await chain.registerDevEnclave(modelId, enclave));
  await chain.fund(BUYER, parseUnits("50", 6));
  ({ sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: parseUnits("50", 6), expiry: (await chain.now()) + 86_400n }));
});
afterAll(async () => {
  keepers.killAll();
  await gateway?.stop();
  await chain?.stop();
});

describe("cogfi-keeper", () => {
  test("--help explains every command; run --help every option and variable", async () => {
    const top = await cli(["--help"]);
    expect(top.code).toBe(0);
    for (const command of ["run", "once", "status"]) expect(top.stdout).toContain(command);
    const run = await cli(["run", "--help"]);
    for (const option of ["--config", "--rpc-url", "--chain-id", "--data-dir", "--port", "--gateway", "--confirmations", "--finality-depth", "--log-level"]) {
      expect(run.stdout).toContain(option);
    }
    for (const variable of ["COGFI_KEEPER_PRIVATE_KEY", "COGFI_KEEPER_BUMP_AFTER_MS", "COGFI_KEEPER_MAX_FEE_GWEI"]) expect(run.stdout).toContain(variable);
  });

  test("an invalid configuration is refused before anything starts, listing each field, never the key", async () => {
    const secret = `0x${"ab".repeat(31)}`;
    const run = await cli(["run", "--rpc-url", "not-a-url", "--chain-id", "31337", "--port", "70000"], { COGFI_KEEPER_PRIVATE_KEY: secret });
    expect(run.code).toBe(1);
    for (const field of ["rpcUrl", "httpPort", "privateKey"]) expect(run.stderr).toContain(field);
    expect(run.stderr + run.stdout).not.toContain(secret.slice(2));
  });

  test("killed with a settlement in flight (-9), restarted: the same transaction settles it, once", async () => {
    const dataDir = mkdtempSync(resolve(tmpdir(), "cogfi-keeper-cli-"));
    const nonceBefore = await keeperNonce();
    const first = await signedBatch((await getSettledBatches(chain.reader, { gatewayId })) + 1n);
    gateway.served.push(first);

    // Blocks stop: the keeper signs, records and broadcasts, then waits; it dies there.
    await automine(false);
    let keeper = await startKeeperProcess(dataDir);
    const inFlight = (await until(() => status(keeper.url), (s) => s.inFlight.some((tx) => tx.status === "sent"), "a settlement in flight")).inFlight;
    await kill9(keeper.child);
    expect(inFlight).toHaveLength(1);

    // While it is down the transaction is mined.
    await rpc(chain.rpcUrl, "evm_mine");
    await automine(true);
    expect(await settledBatchNumbers()).toEqual([first.batchNumber]);

    // The restart finds the recorded transaction, confirms it and moves on: nothing signed again.
    keeper = await startKeeperProcess(dataDir);
    await until(() => status(keeper.url), (s) => s.jobs[0]?.details?.[gateway.url]?.cursor === 0, "the cursor to pass the first batch");
    expect((await status(keeper.url)).inFlight).toEqual([]);
    expect(await keeperNonce()).toBe(nonceBefore + 1);

    // A second batch, killed in flight again, restarted while its transaction still waits in the pool.
    const second = await signedBatch(first.batchNumber + 1n);
    await automine(false);
    gateway.served.push(second);
    await until(() => status(keeper.url), (s) => s.inFlight.some((tx) => tx.status === "sent"), "the second settlement in flight");
    await kill9(keeper.child);
    keeper = await startKeeperProcess(dataDir);
    await new Promise((r) => setTimeout(r, 500));
    await rpc(chain.rpcUrl, "evm_mine");
    await automine(true);
    await until(() => status(keeper.url), (s) => s.jobs[0]?.details?.[gateway.url]?.cursor === 1, "the cursor to pass the second batch");

    expect(await settledBatchNumbers()).toEqual([first.batchNumber, second.batchNumber]);
    expect(await keeperNonce()).toBe(nonceBefore + 2);
    await kill9(keeper.child);

    // The stopped keeper's state: two settlements done, each with one transaction.
    const store = KeeperStore.open(resolve(dataDir, "keeper.sqlite"));
    expect(store.workCounts()).toEqual([{ kind: "settle", status: "done", count: 2 }]);
    expect(store.attemptCounts()).toMatchObject({ confirmed: 2, signed: 0, sent: 0, mined: 0, dropped: 0 });
    store.close();
    const printed = await cli(["status", "--data-dir", dataDir]);
    expect(printed.code).toBe(0);
    const summary = JSON.parse(printed.stdout) as { cursors: Array<{ job: string; key: string; value: string }>; inFlight: unknown[] };
    expect(summary.inFlight).toEqual([]);
    expect(summary.cursors).toContainEqual(expect.objectContaining({ job: "usage-relay", key: gateway.url, value: "1" }));
  });

  test("killed (-9) with several pipelined settlements in flight, restarted: the same transactions settle them in one block, once each", async () => {
    const dataDir = mkdtempSync(resolve(tmpdir(), "cogfi-keeper-pipe-"));
    const nonceBefore = await keeperNonce();
    const settledBefore = await getSettledBatches(chain.reader, { gatewayId });
    const cursorBefore = gateway.served.length - 1;
    const count = 4;
    const batches: SignedUsageBatch[] = [];
    for (let i = 1; i <= count; i++) batches.push(await signedBatch(settledBefore + BigInt(i)));

    // Blocks stop; the keeper (a new state folder, so it starts from the gateway's first batch: the settled ones are
    // skipped by the ledger's counter) sends the whole backlog, one nonce each, and dies with all of it in the pool.
    await automine(false);
    gateway.served.push(...batches);
    let keeper = await startKeeperProcess(dataDir);
    const inFlight = (await until(() => status(keeper.url), (s) => s.inFlight.filter((tx) => tx.status === "sent").length === count, "the backlog in flight")).inFlight;
    await kill9(keeper.child);
    expect(inFlight.map((tx) => tx.workKey).sort()).toEqual(batches.map((b) => `settle:31337:${ledger.toLowerCase()}:${gatewayId}:${b.batchNumber}`).sort());
    const killed = KeeperStore.open(resolve(dataDir, "keeper.sqlite"));
    const cursorAtKill = killed.getCursor("usage-relay", gateway.url);
    const nonces = batches.map((b) => killed.attempts(`settle:31337:${ledger.toLowerCase()}:${gatewayId}:${b.batchNumber}`).map((attempt) => attempt.nonce));
    killed.close();
    // The cursor covers only what is confirmed (the batches settled earlier), not the pool.
    expect(Number(cursorAtKill)).toBe(cursorBefore);
    expect(nonces).toEqual(batches.map((_, i) => [nonceBefore + i]));

    // Restarted while they still wait in the pool: it resumes them, signs nothing new; one block settles them all.
    keeper = await startKeeperProcess(dataDir);
    await new Promise((r) => setTimeout(r, 500));
    await rpc(chain.rpcUrl, "evm_mine");
    await automine(true);
    await until(() => status(keeper.url), (s) => s.jobs[0]?.details?.[gateway.url]?.cursor === cursorBefore + count, "the cursor to pass the backlog");
    await kill9(keeper.child);

    const logs = await chain.reader.publicClient.getContractEvents({ address: ledger, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock: 0n });
    const recent = logs.slice(-count);
    expect(recent.map((log) => log.args.batchNumber)).toEqual(batches.map((b) => b.batchNumber));
    expect(new Set(recent.map((log) => log.blockNumber)).size).toBe(1);
    expect(await settledBatchNumbers()).toEqual(logs.map((_, i) => BigInt(i + 1)));
    expect(await keeperNonce()).toBe(nonceBefore + count);
    const store = KeeperStore.open(resolve(dataDir, "keeper.sqlite"));
    expect(store.workCounts()).toEqual([{ kind: "settle", status: "done", count }]);
    expect(store.attemptCounts()).toMatchObject({ confirmed: count, signed: 0, sent: 0, mined: 0, dropped: 0 });
    expect(store.getCursor("usage-relay", gateway.url)).toBe(String(cursorBefore + count));
    store.close();
  });
});
