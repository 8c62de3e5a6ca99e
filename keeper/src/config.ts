import { ConfigError, chainIdField, durationMsField, envList, intField, logLevelField, parseConfig, portField, privateKeyField, pruneConfigLayer, rpcUrlField, type ConfigLayer } from "@cogfi/sdk/service";
import { z } from "zod";
import { OBSERVATION_SLOTS_PER_TRANSACTION } from "@cogfi/sdk";

/** Every tunable of the keeper, validated at start (built with the sdk's service kit). Secrets come from env and are never logged. */
export const keeperConfigSchema = z
  .object({
    /** JSON-RPC endpoint of the chain. */
    rpcUrl: rpcUrlField(),
    /** More endpoints of the same chain, tried in order when `rpcUrl` fails (failover). */
    fallbackRpcUrls: z.array(rpcUrlField()).default([]),
    chainId: chainIdField(),
    /** Key that signs settlement transactions (and earns the submitter fee). */
    privateKey: privateKeyField(),
    /** Folder with `<chainId>.json` address books. */
    deploymentsDir: z.string().optional(),
    /**
     * Folder for the keeper's state file (`keeper.sqlite`: cursors, transactions, work). Without it the state lives in
     * memory and a restart starts over (safe, since the chain decides what is settled, but it re-reads every batch).
     */
    dataDir: z.string().optional(),
    /** Port of the keeper's HTTP API (/health, /ready, /metrics, /status); 0 picks a free one. */
    httpPort: portField().default(8_788),
    httpHost: z.string().default("127.0.0.1"),
    /** How long shutdown waits for HTTP requests in flight before closing their connections. */
    shutdownGraceMs: durationMsField(0, 600_000).default(10_000),
    /** Gateways whose receipts this keeper relays. */
    gatewayUrls: z.array(z.string().url()).default([]),
    relay: z
      .object({
        /**
         * How often to poll each gateway for new receipts. 500 ms: at 1-second blocks a 2 s poll alone is up to two
         * blocks of the 3-block latency target (keeper/bench/latency.ts).
         */
        pollIntervalMs: durationMsField(50).default(500),
        /** Most signed batches fetched from a gateway per request. */
        fetchLimit: intField(1, 1_000).default(100),
        /**
         * Largest receipts page read from a gateway, bytes. A gateway is not trusted: one answering an endless or huge
         * body would otherwise fill the keeper's memory and stop every job. 32 MiB holds 100 batches of 256 receipts
         * (~8 MB of JSON) four times over.
         */
        maxResponseBytes: intField(1_024, 1_073_741_824).default(33_554_432),
        /** Deadline of one receipts request, body included: a gateway that stalls mid-answer fails its own pass only. */
        requestTimeoutMs: durationMsField(100).default(30_000),
        /**
         * Settlements of one gateway in flight at once: consecutive batches are signed in nonce order without waiting
         * for the previous one to be mined (nonce order is the ledger's order), so a backlog settles several batches a
         * block. 1 = one at a time.
         */
        maxInFlightPerGateway: intField(1, 64).default(8),
        /** Failures of a batch that retrying will not fix at once (a revert, an expired key) before it is dead-lettered. */
        maxAttempts: intField(1, 1_000).default(6),
        /** Wait after the second such failure (the first is retried on the next pass); doubles each time. */
        retryBackoffMs: durationMsField(0).default(5_000),
        /** Ceiling on that wait. */
        maxRetryBackoffMs: durationMsField(0).default(300_000),
      })
      .default({}),
    /** Liquidation of unhealthy LendingMarket positions through the FlashLiquidator (jobs/liquidation.ts). */
    liquidation: z
      .object({
        /** Off: the job does not run (it also needs the deployment's LendingMarket and FlashLiquidator). */
        enabled: z.boolean().default(true),
        /** Milliseconds between passes over every watched position. */
        intervalMs: durationMsField(100).default(5_000),
        /** Fee tier of the pools the seized shares are sold in (the demo pools' 0.3%). */
        poolFee: intField(1, 1_000_000).default(3_000),
        /** Margin a liquidation's profit must clear over its gas cost, in basis points. */
        profitBufferBps: intField(0, 100_000).default(2_000),
        /** USD price of the native token, to value gas in the loan token. */
        nativeTokenPriceUsd: z.coerce.number().positive().default(3_000),
        /** Take an insolvent position's last collateral even at a loss of gas, so its bad debt is realized now. */
        realizeBadDebt: z.boolean().default(true),
        /** First block to scan for borrowers. */
        fromBlock: z.coerce.bigint().nonnegative().default(0n),
        /** Blocks per log request (RPCs cap ranges). */
        logChunkBlocks: z.coerce.bigint().positive().default(10_000n),
        /** How far the borrower scan steps back when its cursor block was reorged out. */
        reorgDepth: z.coerce.bigint().positive().default(64n),
      })
      .strict()
      .default({}),
    /** Oracle upkeep (jobs/oracleUpkeep.ts): observation rings for the TWAP windows, ComputeCostFeed rounds, stale feeds. */
    oracleUpkeep: z
      .object({
        /** Off: the job does not run. */
        enabled: z.boolean().default(true),
        /** Milliseconds between passes. */
        intervalMs: durationMsField(100).default(60_000),
        /** New observation slots per transaction, at most (~22k gas each: 1,000 is ~22M gas). */
        slotsPerTransaction: intField(1, 65_535).default(OBSERVATION_SLOTS_PER_TRANSACTION),
        /** TWAP windows read outside the markets' ShareOracles, whose pools' rings must cover them too. */
        twapWindows: z
          .array(
            z
              .object({
                pool: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "an address"),
                windowSeconds: intField(1, 2 ** 32 - 1),
                blockTimeSeconds: intField(1, 3_600).default(12),
              })
              .strict(),
          )
          .default([]),
        /** Poke the ComputeCostFeed rounds that are due (interval elapsed and new usage). */
        pokeCostFeed: z.boolean().default(true),
        /** The deployment's stablecoin/USD feed counts as stale past this age (Chainlink's USDC/USD heartbeat, 24 h). */
        stablecoinFeedMaxAgeSeconds: intField(1, 365 * 86_400).default(86_400),
        /** First block scanned for markets. */
        fromBlock: z.coerce.bigint().nonnegative().default(0n),
        /** Blocks per log request. */
        logChunkBlocks: z.coerce.bigint().positive().default(10_000n),
      })
      .strict()
      .default({}),
    /** Insurance upkeep (jobs/insuranceUpkeep.ts): release expired policies, complete matured withdrawals for their owners. */
    insuranceUpkeep: z
      .object({
        /** Off: the job does not run (it also needs the deployment's InsurancePool). */
        enabled: z.boolean().default(true),
        /** Milliseconds between passes. */
        intervalMs: durationMsField(100).default(60_000),
        releasePolicies: z.boolean().default(true),
        /** The keeper pays the gas of completing others' withdrawals (the pool pays no fee for it). */
        completeWithdrawals: z.boolean().default(true),
        /** Most transactions one pass sends. */
        maxTransactionsPerPass: intField(1, 1_000).default(20),
        /** First block scanned for policies and withdrawal requests. */
        fromBlock: z.coerce.bigint().nonnegative().default(0n),
        /** Blocks per log request. */
        logChunkBlocks: z.coerce.bigint().positive().default(10_000n),
        /** How far the scan steps back when its cursor block was reorged out. */
        reorgDepth: z.coerce.bigint().positive().default(64n),
      })
      .strict()
      .default({}),
    /** Risk simulations on the chain's state (jobs/risk.ts), published at /risk and /risk.html. */
    risk: z
      .object({
        /** On by default; off under a test runner (NODE_ENV=test) unless set, so test keepers do not spawn simulations. */
        enabled: z.boolean().default(process.env.NODE_ENV !== "test"),
        /** Milliseconds between runs (hourly). */
        intervalMs: durationMsField(1_000).default(3_600_000),
        /** Scenario of the simulations package that the chain's state overrides. */
        scenario: z.string().min(1).default("baseline"),
        /** Monte Carlo paths per run. */
        paths: intField(1, 100_000).default(50),
        /** A run taking longer is stopped. */
        timeoutMs: durationMsField(1_000).default(300_000),
        /** First block scanned for markets. */
        fromBlock: z.coerce.bigint().nonnegative().default(0n),
        logChunkBlocks: z.coerce.bigint().positive().default(10_000n),
      })
      .strict()
      .default({}),
    /** How the keeper sends transactions (tx/sender.ts). */
    tx: z
      .object({
        /** Blocks a transaction must be under before its work counts as done (raise on chains that reorg). */
        confirmations: intField(1, 64).default(1),
        /**
         * Blocks after which a confirmed transaction is final: until then each pass checks its block is still on the
         * chain, and reopens its work if a deeper reorg took it (at least `confirmations`).
         */
        finalityDepth: intField(1, 10_000).default(64),
        /** How often a transaction in flight is checked. */
        pollIntervalMs: durationMsField(10, 60_000).default(250),
        /** A transaction not mined after this long is re-signed with higher fees (same nonce). */
        bumpAfterMs: durationMsField(1_000).default(30_000),
        /** Fee increase per re-signing, in percent (nodes refuse replacements under +10%). */
        bumpPercent: intField(10, 200).default(15),
        /** Ceiling on maxFeePerGas, in gwei (decimal string); none by default. */
        maxFeePerGasGwei: z
          .string()
          .regex(/^\d+(\.\d{1,9})?$/, "a decimal number of gwei")
          .optional(),
      })
      .strict()
      .refine((tx) => tx.finalityDepth >= tx.confirmations, { message: "finalityDepth must be at least confirmations", path: ["finalityDepth"] })
      .default({}),
    /** How the keeper talks to its RPC endpoints (rpc.ts): failed calls fail over to the next URL, then retry. */
    rpc: z
      .object({
        /** Per request and endpoint. */
        timeoutMs: durationMsField(100, 600_000).default(10_000),
        /** Rounds over every endpoint after the first one failed. */
        retryCount: intField(0, 10).default(3),
        /** Delay before the first retry round (doubles each round). */
        retryDelayMs: durationMsField(0, 60_000).default(150),
      })
      .strict()
      .default({}),
    logLevel: logLevelField(),
  })
  .strict();

export type KeeperConfig = z.infer<typeof keeperConfigSchema>;
export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;

/** Thrown when the configuration is invalid; the message lists every problem. */
export class KeeperConfigError extends ConfigError {
  override name = "KeeperConfigError";
}

/** Validates a configuration object. */
export function parseKeeperConfig(input: unknown): KeeperConfig {
  return parseConfig(keeperConfigSchema, input, { name: "keeper", Error: KeeperConfigError });
}

/** The configuration layer the `COGFI_*` environment variables describe. */
export function keeperEnvLayer(env: NodeJS.ProcessEnv = process.env): ConfigLayer {
  return pruneConfigLayer({
    rpcUrl: env.COGFI_RPC_URL,
    fallbackRpcUrls: envList(env.COGFI_FALLBACK_RPC_URLS),
    chainId: env.COGFI_CHAIN_ID,
    privateKey: env.COGFI_KEEPER_PRIVATE_KEY,
    deploymentsDir: env.COGFI_DEPLOYMENTS_DIR,
    dataDir: env.COGFI_KEEPER_DATA_DIR,
    httpPort: env.COGFI_KEEPER_PORT,
    httpHost: env.COGFI_KEEPER_HOST,
    shutdownGraceMs: env.COGFI_KEEPER_SHUTDOWN_GRACE_MS,
    gatewayUrls: envList(env.COGFI_GATEWAY_URLS),
    relay: {
      pollIntervalMs: env.COGFI_RELAY_POLL_MS,
      fetchLimit: env.COGFI_RELAY_FETCH_LIMIT,
      maxResponseBytes: env.COGFI_RELAY_MAX_RESPONSE_BYTES,
      requestTimeoutMs: env.COGFI_RELAY_REQUEST_TIMEOUT_MS,
      maxInFlightPerGateway: env.COGFI_RELAY_MAX_IN_FLIGHT,
      maxAttempts: env.COGFI_RELAY_MAX_ATTEMPTS,
      retryBackoffMs: env.COGFI_RELAY_RETRY_BACKOFF_MS,
    },
    liquidation: {
      intervalMs: env.COGFI_LIQUIDATION_INTERVAL_MS,
      profitBufferBps: env.COGFI_LIQUIDATION_PROFIT_BUFFER_BPS,
      nativeTokenPriceUsd: env.COGFI_NATIVE_TOKEN_PRICE_USD,
      fromBlock: env.COGFI_LIQUIDATION_FROM_BLOCK,
    },
    oracleUpkeep: {
      intervalMs: env.COGFI_ORACLE_UPKEEP_INTERVAL_MS,
      slotsPerTransaction: env.COGFI_ORACLE_UPKEEP_SLOTS_PER_TX,
      stablecoinFeedMaxAgeSeconds: env.COGFI_STABLECOIN_FEED_MAX_AGE_SECONDS,
    },
    insuranceUpkeep: {
      intervalMs: env.COGFI_INSURANCE_UPKEEP_INTERVAL_MS,
      fromBlock: env.COGFI_INSURANCE_UPKEEP_FROM_BLOCK,
    },
    risk: {
      enabled: env.COGFI_RISK_ENABLED === undefined ? undefined : env.COGFI_RISK_ENABLED === "true",
      intervalMs: env.COGFI_RISK_INTERVAL_MS,
      paths: env.COGFI_RISK_PATHS,
      scenario: env.COGFI_RISK_SCENARIO,
    },
    tx: {
      confirmations: env.COGFI_KEEPER_CONFIRMATIONS,
      finalityDepth: env.COGFI_KEEPER_FINALITY_DEPTH,
      pollIntervalMs: env.COGFI_KEEPER_TX_POLL_MS,
      bumpAfterMs: env.COGFI_KEEPER_BUMP_AFTER_MS,
      bumpPercent: env.COGFI_KEEPER_BUMP_PERCENT,
      maxFeePerGasGwei: env.COGFI_KEEPER_MAX_FEE_GWEI,
    },
    rpc: { timeoutMs: env.COGFI_KEEPER_RPC_TIMEOUT_MS, retryCount: env.COGFI_KEEPER_RPC_RETRIES },
    logLevel: env.COGFI_LOG_LEVEL,
  });
}

/** Reads the configuration from `COGFI_*` environment variables. */
export function keeperConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KeeperConfig {
  return parseKeeperConfig(keeperEnvLayer(env));
}

/** Command-line flags and the config paths they set (`--config <file>` names the JSON file). */
export const KEEPER_FLAGS = { port: "httpPort", "rpc-url": "rpcUrl", "chain-id": "chainId", "data-dir": "dataDir" } as const;
