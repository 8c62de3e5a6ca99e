/**
 * `cogfi-keeper`: the keeper's command line.
 *
 *   cogfi-keeper run            start the jobs and the HTTP API until SIGINT / SIGTERM
 *   cogfi-keeper once <job>     run one pass of one job and exit (0 when the pass succeeded)
 *   cogfi-keeper status         print a running keeper's /status, or the state file's summary
 *
 * Configuration is merged from (lowest first) a JSON file (`--config`), `COGFI_*` environment variables (listed in
 * `--help`) and flags, and validated before anything starts; an invalid field is reported with its path, a secret
 * never printed.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, mergeConfigSources, pruneConfigLayer, type ConfigLayer } from "@cogfi/sdk/service";
import { KeeperConfigError, keeperEnvLayer, type KeeperConfigInput } from "./config.js";
import { startKeeper } from "./index.js";
import { KeeperStore } from "./state/store.js";

const ENV_HELP = `
Environment (overridden by flags, override the --config file):
  COGFI_RPC_URL                 JSON-RPC endpoint
  COGFI_FALLBACK_RPC_URLS       comma-separated endpoints of the same chain, tried in order when it fails
  COGFI_CHAIN_ID                chain id (the deployment is read from <deployments>/<chainId>.json)
  COGFI_KEEPER_PRIVATE_KEY      key that signs the keeper's transactions (never logged)
  COGFI_DEPLOYMENTS_DIR         folder of <chainId>.json address books
  COGFI_KEEPER_DATA_DIR         folder of the state file keeper.sqlite
  COGFI_KEEPER_PORT / _HOST     HTTP API address (default 127.0.0.1:8788)
  COGFI_GATEWAY_URLS            comma-separated gateways to relay receipts from
  COGFI_RELAY_POLL_MS           gateway polling interval (default 500)
  COGFI_RELAY_FETCH_LIMIT       batches per gateway request (default 100)
  COGFI_RELAY_MAX_RESPONSE_BYTES  largest receipts page read from a gateway (default 33554432)
  COGFI_RELAY_REQUEST_TIMEOUT_MS  deadline of one receipts request, body included (default 30000)
  COGFI_RELAY_MAX_IN_FLIGHT     settlements of one gateway sent before the first is mined, in nonce order (default 8)
  COGFI_RELAY_MAX_ATTEMPTS      failures of a batch (a revert, an expired key) before it is dead-lettered (default 6)
  COGFI_RELAY_RETRY_BACKOFF_MS  wait after a second such failure, doubling each time (default 5000)
  COGFI_KEEPER_CONFIRMATIONS    blocks before a transaction counts as done (default 1)
  COGFI_KEEPER_FINALITY_DEPTH   blocks after which confirmed work is not re-checked for reorgs (default 64)
  COGFI_KEEPER_TX_POLL_MS       how often a transaction in flight is checked (default 250)
  COGFI_KEEPER_BUMP_AFTER_MS    re-price a transaction not mined after this long (default 30000)
  COGFI_KEEPER_BUMP_PERCENT     fee increase per re-pricing, >= 10 (default 15)
  COGFI_KEEPER_MAX_FEE_GWEI     ceiling on maxFeePerGas (default none)
  COGFI_KEEPER_RPC_TIMEOUT_MS   per RPC request and endpoint (default 10000)
  COGFI_KEEPER_RPC_RETRIES      rounds over every RPC endpoint after a failure (default 3)
  COGFI_LIQUIDATION_INTERVAL_MS         passes over the watched positions (default 5000)
  COGFI_LIQUIDATION_PROFIT_BUFFER_BPS   margin over gas a liquidation must clear (default 2000 = 20%)
  COGFI_NATIVE_TOKEN_PRICE_USD          values gas in the loan token (default 3000)
  COGFI_LIQUIDATION_FROM_BLOCK          first block scanned for borrowers (default 0)
  COGFI_ORACLE_UPKEEP_INTERVAL_MS       oracle upkeep passes: rings, cost-feed rounds, stale feeds (default 60000)
  COGFI_ORACLE_UPKEEP_SLOTS_PER_TX      new observation slots per transaction, at most (default 1000)
  COGFI_STABLECOIN_FEED_MAX_AGE_SECONDS the stablecoin/USD feed is stale past this age (default 86400)
  COGFI_INSURANCE_UPKEEP_INTERVAL_MS    insurance upkeep passes: release policies, complete withdrawals (default 60000)
  COGFI_INSURANCE_UPKEEP_FROM_BLOCK     first block scanned for policies and withdrawal requests (default 0)
  COGFI_RISK_ENABLED                    true | false: risk simulations on chain state (default on; off when NODE_ENV=test)
  COGFI_RISK_INTERVAL_MS                between risk runs (default 3600000: hourly); report at /risk and /risk.html
  COGFI_RISK_PATHS                      Monte Carlo paths per run (default 50)
  COGFI_RISK_SCENARIO                   simulations scenario the chain state overrides (default baseline)
  COGFI_LOG_LEVEL               trace | debug | info | warn | error | fatal | silent
`;

type ServiceOptions = {
  config?: string;
  rpcUrl?: string;
  fallbackRpcUrl?: string[];
  chainId?: string;
  dataDir?: string;
  deploymentsDir?: string;
  port?: string;
  host?: string;
  gateway?: string[];
  confirmations?: string;
  finalityDepth?: string;
  logLevel?: string;
};

/** The flags of `run` and `once`, each with what it sets. */
function withServiceOptions(command: Command): Command {
  return command
    .option("-c, --config <file>", "JSON configuration file (the lowest layer)")
    .option("--rpc-url <url>", "JSON-RPC endpoint")
    .option("--fallback-rpc-url <url...>", "endpoint of the same chain to fail over to (repeatable, in order)")
    .option("--chain-id <id>", "chain id; selects <deployments>/<chainId>.json")
    .option("--data-dir <dir>", "folder of the state file keeper.sqlite (cursors, transactions); omit for memory only")
    .option("--deployments-dir <dir>", "folder of <chainId>.json address books")
    .option("-p, --port <port>", "HTTP API port (0 picks a free one)")
    .option("--host <host>", "HTTP API interface")
    .option("-g, --gateway <url...>", "gateway to relay signed receipts from (repeatable)")
    .option("--confirmations <blocks>", "blocks a transaction must be under before its work counts as done")
    .option("--finality-depth <blocks>", "blocks after which confirmed work is final; until then a deeper reorg reopens it (>= confirmations)")
    .addOption(new Option("--log-level <level>", "log level").choices(["trace", "debug", "info", "warn", "error", "fatal", "silent"]))
    .addHelpText("after", ENV_HELP);
}

/** Merges file < env < flags into the keeper's config input (validated by startKeeper). */
function configInput(options: ServiceOptions): KeeperConfigInput {
  const flags: ConfigLayer = pruneConfigLayer({
    rpcUrl: options.rpcUrl,
    fallbackRpcUrls: options.fallbackRpcUrl,
    chainId: options.chainId,
    dataDir: options.dataDir,
    deploymentsDir: options.deploymentsDir,
    httpPort: options.port,
    httpHost: options.host,
    gatewayUrls: options.gateway,
    tx: { confirmations: options.confirmations, finalityDepth: options.finalityDepth },
    logLevel: options.logLevel,
  });
  return mergeConfigSources({ file: options.config, env: keeperEnvLayer(), flags }, KeeperConfigError) as KeeperConfigInput;
}

export function keeperProgram(): Command {
  const program = new Command("cogfi-keeper")
    .description("CogFi keeper: relays attested usage to the InferenceLedger and keeps the protocol current")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  withServiceOptions(program.command("run").description("run every configured job and the HTTP API until SIGINT / SIGTERM")).action(
    async (options: ServiceOptions) => {
      const keeper = await startKeeper(configInput(options));
      const stop = async () => {
        await keeper.stop();
        process.exit(0);
      };
      process.once("SIGINT", () => void stop());
      process.once("SIGTERM", () => void stop());
    },
  );

  withServiceOptions(
    program
      .command("once")
      .argument("<job>", "the job to run once (usage-relay, liquidation, oracle-upkeep, insurance-upkeep, risk)")
      .description("run one pass of one job, wait for its transactions, and exit"),
  ).action(async (job: string, options: ServiceOptions) => {
    const keeper = await startKeeper(configInput(options), { serve: false });
    try {
      const names = keeper.runner.status().map((state) => state.name);
      if (!names.includes(job)) throw new InvalidArgumentError(`unknown job "${job}"; configured: ${names.join(", ") || "none"}`);
      await keeper.runner.runOnce(job);
      const state = keeper.runner.status().find((s) => s.name === job)!;
      console.log(JSON.stringify({ job, failures: state.failures, lastError: state.lastError, details: state.details }, jsonBigint, 2));
      process.exitCode = state.failures > 0 ? 1 : 0;
    } finally {
      await keeper.stop();
    }
  });

  program
    .command("status")
    .description("print a running keeper's /status; with --data-dir and no keeper running, the state file's summary")
    .option("--url <url>", "the keeper's HTTP API", "http://127.0.0.1:8788")
    .option("--data-dir <dir>", "read the state file in this folder instead (the keeper must be stopped: it locks the file)")
    .action(async (options: { url: string; dataDir?: string }) => {
      if (options.dataDir) {
        const file = resolve(options.dataDir, "keeper.sqlite");
        if (!existsSync(file)) throw new InvalidArgumentError(`no keeper state at ${file}`);
        const store = KeeperStore.open(file);
        try {
          console.log(
            JSON.stringify(
              {
                state: file,
                cursors: store.cursors(),
                work: store.workCounts(),
                transactions: store.attemptCounts(),
                inFlight: store.openAttempts(),
                retrying: store.retrying(),
                deadLetters: store.deadLetters(),
              },
              jsonBigint,
              2,
            ),
          );
        } finally {
          store.close();
        }
        return;
      }
      const response = await fetch(`${options.url}/status`).catch((cause: unknown) => {
        throw new Error(`no keeper answers at ${options.url} (start one, or pass --data-dir to read a stopped keeper's state)`, { cause });
      });
      if (!response.ok) throw new Error(`${options.url}/status answered ${response.status}`);
      console.log(JSON.stringify(await response.json(), null, 2));
    });

  return program;
}

function jsonBigint(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Runs the CLI on `argv`; a configuration error prints its message (every bad field) and exits 1. */
export async function runKeeperCli(argv: string[]): Promise<void> {
  try {
    await keeperProgram().parseAsync(argv);
  } catch (error) {
    console.error(error instanceof ConfigError || error instanceof InvalidArgumentError ? error.message : error);
    process.exit(1);
  }
}
