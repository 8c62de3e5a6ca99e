/**
 * Keeper latency bench (not a test): from a receipt signed by the gateway to its settlement on chain.
 *
 *   npm run bench:keeper:latency -- [--rate 200] [--duration 60] [--poll-ms <keeper relay.pollIntervalMs>]
 *                                   [--max-in-flight <keeper relay.maxInFlightPerGateway>]
 *                                   [--batch-delay-ms <gateway receipts.batchMaxDelayMs>] [--batch-receipts <its batchMaxReceipts>]
 *
 * A private anvil loaded with the suite mines a block every second (interval mining, as `anvil --block-time 1`);
 * the real gateway (simulated backend, its own enclave registered on chain, its default batching unless told)
 * serves one funded session; the keeper (its default config unless `--poll-ms` / `--max-in-flight`) relays the
 * gateway's signed batches. An open loop sends `rate` chat requests a second for `duration` seconds; then the bench
 * waits until every signed batch is settled.
 *
 * Per receipt (each batch's receipts weigh equally), from the batch's `signedAt`:
 *   - blocks: block of its `UsageSettled` event minus the chain's head at signing (sampled every 50 ms);
 *   - ms: when the bench first saw the settlement (polled every 100 ms) minus `signedAt`.
 * Prints p50 / p95 / p99 of both, the request throughput and the receipts settled per second.
 *
 * The ledger settles one gateway's batches strictly in order. The relay pipelines them (up to
 * `relay.maxInFlightPerGateway` settlements in flight, in nonce order), so a backlog settles in one block: with the
 * gateway's defaults (256 receipts / 1 s, a batch about every 1.2 s at 200 requests/s) p95 is 2 blocks, measured.
 * `--max-in-flight 1` is the relay of old, one settlement at a time: a settlement every other block, slower than
 * the batches come, so a backlog does not drain (p95 5 blocks in the run of the README, 11 in an earlier one). Receipts also wait up to
 * `batchMaxDelayMs` before they are signed (not counted here).
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseUnits, type Address } from "viem";
import { inferenceLedgerAbi, ledgerAddresses, openSession, registerModel } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, rpc, startTestChain, TEST_STATE_DIR } from "@cogfi/sdk/node";
import { createSessionCredential } from "../../gateway/src/credential.js";
import { startGateway } from "../../gateway/src/gateway.js";
import { runOpenLoop } from "../../gateway/bench/load.js";
import { modelParams } from "../../sdk/test/fixtures.js";
import { startKeeper } from "../src/index.js";

const { values: flags } = parseArgs({
  options: {
    rate: { type: "string", default: "200" },
    duration: { type: "string", default: "60" },
    "poll-ms": { type: "string" },
    /** The keeper's relay.maxInFlightPerGateway (default: the keeper's own, 8). */
    "max-in-flight": { type: "string" },
    /** The gateway's receipts.batchMaxDelayMs ("default": the gateway's own, 1,000). */
    "batch-delay-ms": { type: "string", default: "default" },
    /** The gateway's receipts.batchMaxReceipts ("default": the gateway's own, 256). */
    "batch-receipts": { type: "string", default: "default" },
  },
});
const rate = Number(flags.rate);
const durationMs = Number(flags.duration) * 1_000;
const MODEL = "latency-bench";
const BUYER = 3;
const KEEPER_KEY = ANVIL_PRIVATE_KEYS[9];

const quantile = (sorted: readonly number[], q: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);

const chain = await startTestChain();
const stops: Array<() => Promise<void>> = [() => chain.stop()];
try {
  // Setup with automine, then one block a second.
  await registerModel(chain.client(1), modelParams(MODEL));
  await chain.fund(BUYER, parseUnits("1000000", 6));
  const gateway = await startGateway({
    dataDir: mkdtempSync(join(tmpdir(), "cogfi-latency-gw-")),
    http: { port: 0 },
    chain: { rpcUrl: chain.rpcUrl, deployment: chain.deployment },
    models: [MODEL],
    receipts: {
      ...(flags["batch-delay-ms"] !== "default" ? { batchMaxDelayMs: Number(flags["batch-delay-ms"]) } : {}),
      ...(flags["batch-receipts"] !== "default" ? { batchMaxReceipts: Number(flags["batch-receipts"]) } : {}),
    },
    enclave: { registrarKey: ANVIL_PRIVATE_KEYS[0] },
    backend: { kind: "simulated" },
    logLevel: "warn",
  });
  stops.unshift(() => gateway.stop());
  const models = ((await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string; cogfi: { gatewayId: string | null; modelId: string } }> }).data;
  const entry = models.find((m) => m.id === MODEL);
  if (!entry?.cogfi.gatewayId) throw new Error(`the gateway lists no gateway id for ${MODEL}`);
  const gatewayId = BigInt(entry.cogfi.gatewayId);
  const buyer = chain.client(BUYER);
  const now = (await chain.reader.publicClient.getBlock()).timestamp;
  const { sessionId } = await openSession(buyer, { modelId: BigInt(entry.cogfi.modelId), gatewayId, budget: parseUnits("1000000", 6), expiry: now + 86_400n });
  const ledger = ledgerAddresses(chain.reader).inferenceLedger;
  const apiKey = await createSessionCredential(chain.accounts[BUYER]!, { chainId: chain.deployment.chainId, ledger }, sessionId);

  await rpc(chain.rpcUrl, "evm_setAutomine", [false]);
  await rpc(chain.rpcUrl, "evm_setIntervalMining", [1]);

  const keeper = await startKeeper(
    {
      rpcUrl: chain.rpcUrl,
      chainId: chain.deployment.chainId,
      privateKey: KEEPER_KEY,
      deploymentsDir: TEST_STATE_DIR,
      dataDir: mkdtempSync(join(tmpdir(), "cogfi-latency-keeper-")),
      httpPort: 0,
      gatewayUrls: [gateway.url],
      logLevel: "warn",
      relay: {
        ...(flags["poll-ms"] ? { pollIntervalMs: Number(flags["poll-ms"]) } : {}),
        ...(flags["max-in-flight"] ? { maxInFlightPerGateway: Number(flags["max-in-flight"]) } : {}),
      },
      liquidation: { enabled: false },
      oracleUpkeep: { enabled: false },
      insuranceUpkeep: { enabled: false },
      risk: { enabled: false },
    },
    { jobs: (defaults) => defaults.filter((job) => job.name === "usage-relay") },
  );
  stops.unshift(() => keeper.stop());

  // The chain's head over wall time, and when each batch's settlement was first seen.
  const heads: Array<{ ms: number; block: bigint }> = [];
  const seenSettled = new Map<bigint, { ms: number; block: bigint }>();
  let watching = true;
  let fromBlock = await chain.reader.publicClient.getBlockNumber({ cacheTime: 0 });
  const watchHeads = (async () => {
    while (watching) {
      heads.push({ ms: Date.now(), block: await chain.reader.publicClient.getBlockNumber({ cacheTime: 0 }) });
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  const watchSettlements = (async () => {
    while (watching) {
      const head = await chain.reader.publicClient.getBlockNumber({ cacheTime: 0 });
      if (head >= fromBlock) {
        const logs = await chain.reader.publicClient.getContractEvents({ address: ledger as Address, abi: inferenceLedgerAbi, eventName: "UsageSettled", args: { gatewayId }, fromBlock, toBlock: head });
        const ms = Date.now();
        for (const log of logs) if (!seenSettled.has(log.args.batchNumber!)) seenSettled.set(log.args.batchNumber!, { ms, block: log.blockNumber });
        fromBlock = head + 1n;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();

  const load = await runOpenLoop({
    url: `${gateway.url}/v1/chat/completions`,
    headers: { authorization: `Bearer ${apiKey}` },
    body: (i) => JSON.stringify({ model: MODEL, messages: [{ role: "user", content: `latency ${i}` }], max_tokens: 256 }),
    rate,
    durationMs,
  });
  await gateway.flushReceipts();
  // Every batch the gateway signed, with its signing time and size.
  const batches: Array<{ batchNumber: bigint; signedAt: number; receipts: number }> = [];
  for (let after = "-1"; ; ) {
    const page = (await (await fetch(`${gateway.url}/v1/receipts?after=${after}&limit=100`)).json()) as {
      data: Array<{ batchNumber: string; signedAt: number; items: unknown[] }>;
      next_cursor: string;
      has_more: boolean;
    };
    for (const batch of page.data) batches.push({ batchNumber: BigInt(batch.batchNumber), signedAt: batch.signedAt, receipts: batch.items.length });
    if (!page.has_more || page.data.length === 0) break;
    after = page.next_cursor;
  }
  const deadline = Date.now() + 120_000;
  while (batches.some((batch) => !seenSettled.has(batch.batchNumber))) {
    if (Date.now() > deadline) throw new Error(`${batches.filter((b) => !seenSettled.has(b.batchNumber)).length} batches not settled 120 s after the load`);
    await new Promise((r) => setTimeout(r, 200));
  }
  watching = false;
  await Promise.all([watchHeads, watchSettlements]);

  const blocks: number[] = [];
  const millis: number[] = [];
  let receipts = 0;
  for (const batch of batches) {
    const settled = seenSettled.get(batch.batchNumber)!;
    const atSigning = [...heads].reverse().find((h) => h.ms <= batch.signedAt)?.block ?? heads[0]!.block;
    for (let i = 0; i < batch.receipts; i++) {
      blocks.push(Number(settled.block - atSigning));
      millis.push(settled.ms - batch.signedAt);
    }
    receipts += batch.receipts;
  }
  blocks.sort((a, b) => a - b);
  millis.sort((a, b) => a - b);
  const firstSigned = Math.min(...batches.map((b) => b.signedAt));
  const lastSettled = Math.max(...[...seenSettled.values()].map((s) => s.ms));
  const summary = {
    rate,
    durationS: durationMs / 1_000,
    requests: load.requests,
    errors: load.errors,
    firstError: load.firstError,
    requestsPerSecond: Number(load.rps.toFixed(1)),
    requestP99Ms: Number(load.p99Ms.toFixed(1)),
    batches: batches.length,
    receipts,
    receiptsSettledPerSecond: Number((receipts / ((lastSettled - firstSigned) / 1_000)).toFixed(1)),
    blocks: { p50: quantile(blocks, 0.5), p95: quantile(blocks, 0.95), p99: quantile(blocks, 0.99), max: blocks.at(-1) },
    ms: { p50: quantile(millis, 0.5), p95: quantile(millis, 0.95), p99: quantile(millis, 0.99), max: millis.at(-1) },
    pollIntervalMs: flags["poll-ms"] ? Number(flags["poll-ms"]) : "default",
    maxInFlightPerGateway: flags["max-in-flight"] ? Number(flags["max-in-flight"]) : "default",
    batchMaxDelayMs: flags["batch-delay-ms"],
    batchMaxReceipts: flags["batch-receipts"],
    loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
    target: "p95 <= 3 blocks",
    met: quantile(blocks, 0.95) <= 3,
  };
  console.log(JSON.stringify(summary, null, 2));
} finally {
  for (const stop of stops) await stop().catch((error: unknown) => console.error("stop failed", error));
}
