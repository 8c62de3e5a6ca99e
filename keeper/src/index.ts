import { privateKeyToAccount } from "viem/accounts";
import { createCogFiClient } from "@cogfi/sdk";
import { loadDeployment } from "@cogfi/sdk/node";
import { createLogger, listenHttp, type Logger } from "@cogfi/sdk/service";
import { KeeperConfigError, parseKeeperConfig, type KeeperConfigInput } from "./config.js";
import type { Job } from "./jobs/job.js";
import { ReceiptRelayJob } from "./jobs/receiptRelay.js";
import { createKeeperMetrics } from "./metrics.js";
import { JobRunner } from "./runner.js";
import { createKeeperApp } from "./server.js";

export * from "./config.js";
export type { Job, JobContext } from "./jobs/job.js";
export { ReceiptRelayJob, type RelayOutcome } from "./jobs/receiptRelay.js";

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
  options: { jobs?: (defaults: Job[]) => Job[]; logger?: Logger } = {},
): Promise<RunningKeeper> {
  const config = parseKeeperConfig(input);
  const log = options.logger ?? createLogger({ service: "keeper", level: config.logLevel });
  const deployment = loadDeployment(config.chainId, config.deploymentsDir);
  const account = privateKeyToAccount(config.privateKey as `0x${string}`);
  const client = createCogFiClient({ rpcUrl: config.rpcUrl, deployment, account });
  const metrics = createKeeperMetrics();

  const defaults: Job[] = [];
  if (config.gatewayUrls.length > 0) {
    defaults.push(
      new ReceiptRelayJob({
        gatewayUrls: config.gatewayUrls,
        intervalMs: config.relay.pollIntervalMs,
        fetchLimit: config.relay.fetchLimit,
        cursorFile: config.dataDir ? `${config.dataDir}/relay-cursors.json` : undefined,
      }),
    );
  }
  const jobs = options.jobs ? options.jobs(defaults) : defaults;
  const runner = new JobRunner(jobs, { client, config, metrics }, log);
  let stopping = false;
  const app = createKeeperApp(
    runner,
    metrics,
    { chainId: config.chainId, account: account.address, gateways: config.gatewayUrls },
    { logger: log, ready: () => !stopping },
  );
  const server = await listenHttp(app, { host: config.httpHost, port: config.httpPort }).catch((cause: unknown) => {
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
      await runner.stop();
      await server.stop(config.shutdownGraceMs);
      log.info("keeper stopped");
    },
  };
}
