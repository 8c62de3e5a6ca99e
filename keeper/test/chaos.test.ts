/**
 * The keeper under faults, end to end: a real gateway process signs receipts while paying clients call it; the keeper
 * relays them through an RPC proxy that fails 30% of its calls (HTTP 502, timeouts, JSON-RPC -32603) and delays the
 * rest by up to 300 ms; mid-run a reorg on anvil drops the block holding one of the keeper's settlements. In the end
 * every batch (and so every receipt) is settled exactly once on chain, the keeper's state holds one finished work
 * item per batch with one nonce each, its cursor is on the gateway's last batch, reverted transactions are counted and
 * bounded, and the RPC errors and failovers are visible in /metrics.
 *
 * The proxy's seed is printed with any failure (and taken from CHAOS_SEED when set, to replay a schedule).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { parseUnits, type Address, type Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { inferenceLedgerAbi, ledgerAddresses, openSession, registerModel } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, rpc } from "@cogfi/sdk/node";
import { modelParams } from "../../sdk/test/fixtures.js";
import { startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { createSessionCredential } from "../../gateway/src/credential.js";
import { startKeeper, type RunningKeeper } from "../src/index.js";
import { KeeperStore } from "../src/state/store.js";
import { deploymentsDirFor, startGatewayProcess, type GatewayProcess } from "./gatewayProcess.js";
import { startRpcProxy, type RpcProxy } from "./rpcProxy.js";

const BUYER = 3;
const KEEPER_KEY = ANVIL_PRIVATE_KEYS[7]!;
const keeperAddress = privateKeyToAccount(KEEPER_KEY).address;
const MODEL = "chaos-model";

let chain: LedgerChain;
let gateway: GatewayProcess;
let proxy: RpcProxy;
let keeper: RunningKeeper | undefined;
let ledger: Address;
let modelId: bigint;
let ticker: NodeJS.Timeout | undefined;
let ticking = true;

type Status = { inFlight: Array<{ workKey: string; hash: Hash; status: string }>; jobs: Array<{ name: string; details?: Record<string, { cursor: number }> }> };

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(value)} (${proxy.describe()})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses(chain.reader).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(1), modelParams(MODEL)));
  await chain.fund(BUYER, parseUnits("1000", 6));
  // Batches of ~1.5 s of traffic: through a proxy that delays every call, each settlement costs the keeper seconds.
  gateway = await startGatewayProcess({ rpcUrl: chain.rpcUrl, deploymentsDir: deploymentsDirFor(chain.deployment), env: { COGFI_GATEWAY_BATCH_MAX_DELAY_MS: "1500" } });
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : undefined;
  proxy = await startRpcProxy({ target: chain.rpcUrl, seed, failRate: 0.3, maxDelayMs: 300, hangMs: 1_200 });
  // Blocks every 250 ms besides automine, so confirmations come; paused while the test stages its reorg.
  ticker = setInterval(() => {
    if (ticking) rpc(chain.rpcUrl, "evm_mine").catch(() => undefined);
  }, 250);
}, 180_000);
afterAll(async () => {
  clearInterval(ticker);
  await keeper?.stop();
  await gateway?.stop();
  await proxy?.stop();
  await chain?.stop();
});

describe("keeper under RPC faults and a reorg", () => {
  test("every receipt settled once, nothing counted twice in the keeper's state, faults visible in /metrics", async () => {
    console.info(`chaos: ${proxy.describe()} (replay with CHAOS_SEED=${proxy.seed})`);
    const startedAt = Date.now();
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string; cogfi: { gatewayId: string | null } }> };
    const gatewayId = BigInt(models.data.find((model) => model.id === MODEL)!.cogfi.gatewayId!);
    const { sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: parseUnits("500", 6), expiry: (await chain.now()) + 80_000n });
    const apiKey = await createSessionCredential(chain.accounts[BUYER]!, { chainId: 31337, ledger }, sessionId);

    const dataDir = mkdtempSync(resolve(tmpdir(), "cogfi-keeper-chaos-"));
    keeper = await startKeeper({
      rpcUrl: proxy.url,
      chainId: 31337,
      privateKey: KEEPER_KEY,
      deploymentsDir: deploymentsDirFor(chain.deployment),
      dataDir,
      httpPort: 0,
      gatewayUrls: [gateway.url],
      relay: { pollIntervalMs: 100 },
      liquidation: { enabled: false },
      tx: { confirmations: 3, pollIntervalMs: 50 },
      rpc: { timeoutMs: 1_000, retryCount: 3, retryDelayMs: 50 },
      logLevel: "silent",
    });
    const url = keeper.url;
    const status = async () => (await (await fetch(`${url}/status`)).json()) as Status;

    // Paying clients, throttled: receipts flow into batches while the keeper relays.
    let served = 0;
    let loading = true;
    const load = Promise.all(
      [0, 1].map(async (worker) => {
        for (let n = 0; loading; n++) {
          const response = await fetch(`${gateway.url}/v1/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
            body: JSON.stringify({ model: MODEL, messages: [{ role: "user", content: `chaos ${worker}-${n}` }], max_tokens: 50 }),
          });
          expect(response.status, await response.clone().text()).toBe(200);
          await response.text();
          served++;
          await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );

    // The reorg: blocks stop, the keeper's next settlement is mined (automine) and waits for its confirmations;
    // that block is replaced by an empty one. The transaction is gone from the chain and from the pool.
    await until(async () => served, (count) => count >= 10, "the first receipts");
    const loadedIn = Date.now() - startedAt;
    ticking = false;
    const mined = (await until(status, (s) => s.inFlight.some((tx) => tx.workKey.startsWith("settle:") && tx.status === "mined"), "a settlement mined, not yet confirmed"))
      .inFlight.find((tx) => tx.status === "mined")!;
    const receipt = await chain.reader.publicClient.getTransactionReceipt({ hash: mined.hash });
    const head = await chain.reader.publicClient.getBlockNumber({ cacheTime: 0 });
    // Not confirmed yet (3 blocks): else the keeper may have counted it done before the reorg (a stray block came).
    expect(head - receipt.blockNumber + 1n, "blocks since the settlement when the reorg is staged").toBeLessThan(3n);
    await rpc(chain.rpcUrl, "anvil_reorg", [Number(head - receipt.blockNumber + 1n), []]);
    await expect(chain.reader.publicClient.getTransactionReceipt({ hash: mined.hash }), "the reorg must drop the settlement's block").rejects.toThrow(/could not be found/);
    ticking = true;

    const reorgAt = Date.now();
    await new Promise((r) => setTimeout(r, 3_000));
    loading = false;
    await load;
    const batches = await gateway.batches();
    const lastCursor = Number(batches.at(-1)!.cursor);
    expect(batches.length, "batches signed").toBeGreaterThanOrEqual(3);

    // Everything settled in the end, through the faults.
    await until(
      status,
      (s) => s.jobs.find((job) => job.name === "usage-relay")?.details?.[gateway.url]?.cursor === lastCursor && s.inFlight.length === 0,
      "the keeper to relay every batch",
      60_000,
    );
    const relayedIn = Date.now() - reorgAt;
    const metricsText = await (await fetch(`${url}/metrics`)).text();
    await keeper.stop();
    keeper = undefined;

    // On chain: each batch settled exactly once, all by this keeper, every receipt counted.
    const settled = await chain.reader.publicClient.getContractEvents({ address: ledger, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock: 0n });
    expect(settled.map((log) => log.args.batchNumber!)).toEqual(batches.map((batch) => BigInt(batch.batchNumber)));
    expect(new Set(settled.map((log) => log.args.digest)).size).toBe(batches.length);
    expect(settled.every((log) => log.args.submitter === keeperAddress)).toBe(true);
    const receiptsOnChain = settled.reduce((sum, log) => sum + log.args.receipts!, 0n);
    expect(receiptsOnChain).toBe(BigInt(batches.reduce((sum, batch) => sum + batch.receipts.length, 0)));
    expect(Number(receiptsOnChain)).toBe(served);

    // The keeper's state: one finished work item per batch, one confirmed transaction each, one nonce per work
    // unless a reverted transaction made it sign again (counted below), the cursor on the last batch.
    const store = KeeperStore.open(resolve(dataDir, "keeper.sqlite"));
    try {
      const counts = store.workCounts();
      const reverted = counts.filter((row) => row.status !== "done");
      expect(reverted, JSON.stringify(counts)).toEqual([]);
      expect(counts).toEqual([{ kind: "settle", status: "done", count: batches.length }]);
      expect(store.openAttempts()).toEqual([]);
      const attempts = store.attemptCounts();
      expect(attempts.confirmed).toBe(batches.length);
      expect(store.getCursor("usage-relay", gateway.url)).toBe(String(lastCursor));
      const confirmedNonces: number[] = [];
      let resigned = 0;
      for (const batch of batches) {
        const workKey = `settle:31337:${ledger.toLowerCase()}:${batch.gatewayId}:${batch.batchNumber}`;
        const ofWork = store.attempts(workKey);
        expect(ofWork.filter((attempt) => attempt.status === "confirmed"), workKey).toHaveLength(1);
        confirmedNonces.push(ofWork.find((attempt) => attempt.status === "confirmed")!.nonce);
        resigned += new Set(ofWork.map((attempt) => attempt.nonce)).size - 1;
      }
      expect(new Set(confirmedNonces).size).toBe(batches.length);
      // Prometheus: reverted settlements counted and bounded; the re-signings are no more than the reverts and drops.
      const families = new Map(parsePrometheusTextFormat(metricsText).map((family) => [family.name, family]));
      const sample = (name: string, labels: Record<string, string>) =>
        (families.get(name)?.metrics ?? [])
          .filter((metric) => Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value))
          .reduce((sum, metric) => sum + Number(metric.value), 0);
      const revertedTx = sample("cogfi_keeper_transactions_total", { kind: "settle", event: "reverted" });
      const droppedTx = sample("cogfi_keeper_transactions_total", { kind: "settle", event: "dropped" });
      expect(revertedTx, "reverted settlements").toBeLessThanOrEqual(2);
      expect(resigned).toBeLessThanOrEqual(revertedTx + droppedTx);
      expect(sample("cogfi_keeper_transactions_total", { kind: "settle", event: "reorged" }), "the reorg seen").toBeGreaterThanOrEqual(1);
      expect(sample("cogfi_keeper_settlements_total", { outcome: "settled" })).toBe(batches.length);
      // The faults, as the keeper saw them.
      const errors = families.get("cogfi_keeper_rpc_errors_total")!;
      expect(errors.type).toBe("COUNTER");
      const kinds = new Set(errors.metrics.map((metric) => metric.labels!.kind));
      for (const kind of ["http_502", "timeout", "rpc_-32603"]) expect(kinds, `${kind} in ${[...kinds].join(",")}`).toContain(kind);
      const stats = proxy.stats();
      const faults = stats.faults.http502 + stats.faults.timeout + stats.faults.rpc32603;
      expect(faults / stats.calls, proxy.describe()).toBeGreaterThan(0.15);
      expect(faults / stats.calls, proxy.describe()).toBeLessThan(0.45);
      // Every fault is an error sample of its kind (only the keeper calls through the proxy; a few calls may still
      // have been in flight when it stopped).
      const seen = ["http_502", "timeout", "rpc_-32603"].reduce((sum, kind) => sum + sample("cogfi_keeper_rpc_errors_total", { kind }), 0);
      // (A loaded machine may also time out a call the proxy passed, or a 502 sent after forwarding: a small margin.)
      expect(Math.abs(seen - faults), `${seen} fault errors seen by the keeper`).toBeLessThanOrEqual(5);
      console.info(
        `chaos: ${batches.length} batches, ${served} receipts; ${proxy.describe()}; reverted=${revertedTx} resigned=${resigned}; ` +
          `first receipts ${loadedIn} ms, reorg staged ${reorgAt - startedAt - loadedIn} ms, all relayed ${relayedIn} ms after`,
      );
    } finally {
      store.close();
    }
  }, 150_000);
});
