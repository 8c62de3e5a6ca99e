import { ConfigError, chainIdField, durationMsField, envList, intField, logLevelField, parseConfig, portField, privateKeyField, pruneConfigLayer, rpcUrlField, type ConfigLayer } from "@cogfi/sdk/service";
import { z } from "zod";

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
        /** How often to poll each gateway for new receipts. */
        pollIntervalMs: durationMsField(50).default(2_000),
        /** Most signed batches fetched from a gateway per request. */
        fetchLimit: intField(1, 1_000).default(100),
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
      maxAttempts: env.COGFI_RELAY_MAX_ATTEMPTS,
      retryBackoffMs: env.COGFI_RELAY_RETRY_BACKOFF_MS,
    },
    liquidation: {
      intervalMs: env.COGFI_LIQUIDATION_INTERVAL_MS,
      profitBufferBps: env.COGFI_LIQUIDATION_PROFIT_BUFFER_BPS,
      nativeTokenPriceUsd: env.COGFI_NATIVE_TOKEN_PRICE_USD,
      fromBlock: env.COGFI_LIQUIDATION_FROM_BLOCK,
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
