import { resolve } from "node:path";
import { parseGwei } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createCogFiClient } from "@cogfi/sdk";
import { loadDeployment } from "@cogfi/sdk/node";
import { createLogger, listenHttp, type Logger } from "@cogfi/sdk/service";
import { KeeperConfigError, parseKeeperConfig, type KeeperConfigInput } from "./config.js";
import type { Job } from "./jobs/job.js";
import { LiquidationJob } from "./jobs/liquidation.js";
import { OracleUpkeepJob } from "./jobs/oracleUpkeep.js";
import { InsuranceUpkeepJob } from "./jobs/insuranceUpkeep.js";
import { RiskJob } from "./jobs/risk.js";
import { ReceiptRelayJob } from "./jobs/receiptRelay.js";
import { keeperHealth } from "./health.js";
import { createKeeperMetrics, type KeeperMetrics } from "./metrics.js";
import { KeeperStore } from "./state/store.js";
import { TxSender, type TxSenderEvents } from "./tx/sender.js";
import { keeperTransport } from "./rpc.js";
import { JobRunner } from "./runner.js";
import { createKeeperApp } from "./server.js";

export * from "./config.js";
export type { Job, JobContext } from "./jobs/job.js";
export { BatchRelayError, ReceiptRelayJob, deterministicReason, type RelayOutcome } from "./jobs/receiptRelay.js";
export { LiquidationJob, type LiquidationOptions, type LiquidationOutcome } from "./jobs/liquidation.js";
export { KeeperStore, type RetryState, type TxAttempt, type WorkItem, type WorkStatus } from "./state/store.js";
export { OracleUpkeepJob, type OracleUpkeepOptions, type StaleFeed } from "./jobs/oracleUpkeep.js";
export { InsuranceUpkeepJob, type InsuranceUpkeepOptions } from "./jobs/insuranceUpkeep.js";
export { RiskJob, type RiskOptions, type RiskReport } from "./jobs/risk.js";
export { TxSender, TxDroppedError, type DeepReorg, type TxOutcome, type TxRequest, type TxSenderOptions } from "./tx/sender.js";

export type RunningKeeper = {
  url: string;
  runner: JobRunner;
  stop(): Promise<void>;
};

/**
 * Starts the keeper: validates its config, starts its jobs and its HTTP API.
 * @example
 * const keeper = await startKeeper({ rpcUrl, chainId: 31337, privateKey, gatewayUrls: [gateway.url] });
 * await keeper.stop();
 */
export async function startKeeper(
  input: KeeperConfigInput,
  options: {
    jobs?: (defaults: Job[]) => Job[];
    logger?: Logger;
    /** false: no HTTP API and no timers, for `cogfi-keeper once` (run passes with `runner.runOnce`). */
    serve?: boolean;
  } = {},
): Promise<RunningKeeper> {
  const config = parseKeeperConfig(input);
  const log = options.logger ?? createLogger({ service: "keeper", level: config.logLevel });
  const deployment = loadDeployment(config.chainId, config.deploymentsDir);
  const account = privateKeyToAccount(config.privateKey as `0x${string}`);
  const metrics = createKeeperMetrics();
  const transport = keeperTransport([config.rpcUrl, ...config.fallbackRpcUrls], metrics, config.rpc);
  const client = createCogFiClient({ rpcUrl: config.rpcUrl, deployment, account, transport });
  const store = KeeperStore.open(config.dataDir ? resolve(config.dataDir, "keeper.sqlite") : ":memory:");
  if (!config.dataDir) log.warn("no dataDir: the keeper's state is in memory and a restart re-reads every batch");
  const sender = new TxSender(
    client.publicClient,
    account,
    config.chainId,
    store,
    log.child({ component: "tx" }),
    {
      ...config.tx,
      maxFeePerGas: config.tx.maxFeePerGasGwei === undefined ? undefined : parseGwei(config.tx.maxFeePerGasGwei),
    },
    senderMetrics(metrics),
  );
  const rebroadcast = await sender.rebroadcastOpen();
  if (rebroadcast > 0) log.info({ transactions: rebroadcast }, "transactions recorded before a restart sent again");
  // Followed in the background: jobs start at once; a job meeting the same work resumes the same transaction.
  const shutdown = new AbortController();
  const resumed = sender.resumeOpen(shutdown.signal).then((count) => {
    if (count > 0) log.info({ work: count }, "work in flight before the restart followed to its end");
  });

  const defaults: Job[] = [];
  let relay: ReceiptRelayJob | undefined;
  if (config.gatewayUrls.length > 0) {
    defaults.push(
      (relay = new ReceiptRelayJob({
        gatewayUrls: config.gatewayUrls,
        intervalMs: config.relay.pollIntervalMs,
        fetchLimit: config.relay.fetchLimit,
        maxResponseBytes: config.relay.maxResponseBytes,
        requestTimeoutMs: config.relay.requestTimeoutMs,
        maxInFlight: config.relay.maxInFlightPerGateway,
        legacyCursorFile: config.dataDir ? resolve(config.dataDir, "relay-cursors.json") : undefined,
        maxAttempts: config.relay.maxAttempts,
        retryBackoffMs: config.relay.retryBackoffMs,
        maxRetryBackoffMs: config.relay.maxRetryBackoffMs,
      })),
    );
  }
  if (config.liquidation.enabled && deployment.contracts.LendingMarket && deployment.contracts.FlashLiquidator) {
    defaults.push(new LiquidationJob(config.liquidation));
  }
  let oracleUpkeep: OracleUpkeepJob | undefined;
  if (config.oracleUpkeep.enabled) {
    defaults.push(
      (oracleUpkeep = new OracleUpkeepJob({
        ...config.oracleUpkeep,
        twapWindows: config.oracleUpkeep.twapWindows.map((window) => ({ ...window, pool: window.pool as `0x${string}` })),
      })),
    );
  }
  if (config.insuranceUpkeep.enabled && deployment.contracts.InsurancePool) defaults.push(new InsuranceUpkeepJob(config.insuranceUpkeep));
  let risk: RiskJob | undefined;
  if (config.risk.enabled) defaults.push((risk = new RiskJob(config.risk)));
  const jobs = options.jobs ? options.jobs(defaults) : defaults;
  const runner = new JobRunner(jobs, { client, config, metrics, store, sender }, log);
  let stopping = false;
  const app = createKeeperApp(
    runner,
    metrics,
    { chainId: config.chainId, account: account.address, gateways: config.gatewayUrls },
    {
      logger: log,
      ready: () => !stopping,
      health: () =>
        keeperHealth({
          client,
          account: account.address,
          gatewayUrls: config.gatewayUrls,
          oldestUnsettledSignedAt: () => relay?.oldestUnsettledSignedAt(),
          // Only when the job runs (a test's own job list may leave it out).
          staleFeeds: () => (oracleUpkeep && jobs.includes(oracleUpkeep) ? oracleUpkeep.staleFeeds() : []),
        }),
      risk: () => (risk && jobs.includes(risk) ? risk.latest() : undefined),
      // Transactions by status, and those in flight (bigints as decimal strings).
      state: () => ({
        transactions: store.attemptCounts(),
        inFlight: store.openAttempts().map(({ workKey, hash, nonce, status, maxFeePerGas }) => ({ workKey, hash, nonce, status, maxFeePerGas: maxFeePerGas.toString() })),
        // Work failing in a way retrying at once will not fix, and work given up on (dead letters).
        retrying: store.retrying(),
        deadLetters: store.deadLetters(),
      }),
    },
  );
  if (options.serve === false) {
    log.info({ jobs: jobs.map((job) => job.name), account: account.address }, "keeper ready (no HTTP API, no timers)");
    return {
      url: "",
      runner,
      async stop() {
        shutdown.abort();
        await runner.stop();
        await resumed;
        store.close();
      },
    };
  }
  const server = await listenHttp(app, { host: config.httpHost, port: config.httpPort }).catch((cause: unknown) => {
    store.close();
    throw new KeeperConfigError(`cannot listen on ${config.httpHost}:${config.httpPort}`, { cause });
  });
  const { url } = server;
  runner.start();
  log.info({ url, jobs: jobs.map((job) => job.name), account: account.address }, "keeper started");

  return {
    url,
    runner,
    async stop() {
      stopping = true;
      shutdown.abort();
      await runner.stop();
      await resumed;
      await server.stop(config.shutdownGraceMs);
      store.close();
      log.info("keeper stopped");
    },
  };
}

/** The sender's events as Prometheus counters. */
export function senderMetrics(metrics: KeeperMetrics): TxSenderEvents {
  return {
    sent: (kind) => metrics.transactions.inc({ kind, event: "sent" }),
    bumped: (kind) => metrics.transactions.inc({ kind, event: "bumped" }),
    dropped: (kind) => metrics.transactions.inc({ kind, event: "dropped" }),
    reorged: (kind) => metrics.transactions.inc({ kind, event: "reorged" }),
    deepReorg: (kind, outcome) => metrics.deepReorgs.inc({ kind, outcome }),
    confirmed: (kind, status) => metrics.transactions.inc({ kind, event: status === "success" ? "confirmed" : "reverted" }),
  };
}
