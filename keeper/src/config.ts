import { z } from "zod";

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "expected a 32-byte hex private key");

/** Every tunable of the keeper, validated at start. Secrets come from env and are never logged. */
export const keeperConfigSchema = z
  .object({
    /** JSON-RPC endpoint of the chain. */
    rpcUrl: z.string().url(),
    chainId: z.coerce.number().int().positive(),
    /** Key that signs settlement transactions (and earns the submitter fee). */
    privateKey: hex32,
    /** Folder with `<chainId>.json` address books. */
    deploymentsDir: z.string().optional(),
    /** Folder for the keeper's own state (relay cursors); optional. */
    dataDir: z.string().optional(),
    /** Port of the keeper's HTTP API (/health, /metrics, /status); 0 picks a free one. */
    httpPort: z.coerce.number().int().min(0).max(65_535).default(8_788),
    httpHost: z.string().default("127.0.0.1"),
    /** Gateways whose receipts this keeper relays. */
    gatewayUrls: z.array(z.string().url()).default([]),
    relay: z
      .object({
        /** How often to poll each gateway for new receipts. */
        pollIntervalMs: z.coerce.number().int().min(50).default(2_000),
        /** Most signed batches fetched from a gateway per request. */
        fetchLimit: z.coerce.number().int().min(1).max(1_000).default(100),
      })
      .default({}),
    logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  })
  .strict();

export type KeeperConfig = z.infer<typeof keeperConfigSchema>;
export type KeeperConfigInput = z.input<typeof keeperConfigSchema>;

/** Thrown when the configuration is invalid; the message lists every problem. */
export class KeeperConfigError extends Error {
  override name = "KeeperConfigError";
}

/** Validates a configuration object. */
export function parseKeeperConfig(input: unknown): KeeperConfig {
  const result = keeperConfigSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "config"}: ${issue.message}`);
    throw new KeeperConfigError(`invalid keeper config:\n  ${problems.join("\n  ")}`, { cause: result.error });
  }
  return result.data;
}

/** Reads the configuration from `COGFI_KEEPER_*` environment variables. */
export function keeperConfigFromEnv(env: NodeJS.ProcessEnv = process.env): KeeperConfig {
  return parseKeeperConfig({
    rpcUrl: env.COGFI_RPC_URL,
    chainId: env.COGFI_CHAIN_ID,
    privateKey: env.COGFI_KEEPER_PRIVATE_KEY,
    deploymentsDir: env.COGFI_DEPLOYMENTS_DIR,
    dataDir: env.COGFI_KEEPER_DATA_DIR,
    httpPort: env.COGFI_KEEPER_PORT,
    httpHost: env.COGFI_KEEPER_HOST,
    gatewayUrls: env.COGFI_GATEWAY_URLS ? env.COGFI_GATEWAY_URLS.split(",").map((url) => url.trim()) : undefined,
    relay: { pollIntervalMs: env.COGFI_RELAY_POLL_MS, fetchLimit: env.COGFI_RELAY_FETCH_LIMIT },
    logLevel: env.COGFI_LOG_LEVEL,
  });
}
