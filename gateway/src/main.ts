/**
 * Command line: `tsx gateway/src/main.ts [--config file.json] [--port N] [--data-dir DIR] [--rpc-url URL]`.
 *
 * Configuration is merged from (lowest first) the JSON file, `COGFI_*` environment variables and flags; the
 * deployment is read from `deployments/<chainId>.json` (or `COGFI_DEPLOYMENTS_DIR`). See gateway/README.md for
 * every variable. SIGINT / SIGTERM shut down gracefully (requests in flight finish, receipts are signed and
 * flushed).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadDeployment } from "@cogfi/sdk/node";
import { startGateway } from "./gateway.js";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge where later sources win and undefined values are ignored. */
function merge(...sources: Json[]): Json {
  const out: Json = {};
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      if (value === undefined) continue;
      out[key] = isObject(value) && isObject(out[key]) ? merge(out[key] as Json, value) : value;
    }
  }
  return out;
}

/** Drops undefined leaves and empty objects so they do not override defaults. */
function prune(value: Json): Json {
  const out: Json = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined) continue;
    if (isObject(entry)) {
      const pruned = prune(entry);
      if (Object.keys(pruned).length > 0) out[key] = pruned;
    } else out[key] = entry;
  }
  return out;
}

const bool = (value: string | undefined) => (value === undefined ? undefined : value === "1" || value.toLowerCase() === "true");

/** The configuration the `COGFI_*` environment variables describe. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Json {
  const upstream = env.COGFI_GATEWAY_UPSTREAM_URL;
  return prune({
    dataDir: env.COGFI_GATEWAY_DATA_DIR,
    http: { host: env.COGFI_GATEWAY_HOST, port: env.COGFI_GATEWAY_PORT, bodyLimitBytes: env.COGFI_GATEWAY_BODY_LIMIT_BYTES },
    chain: { rpcUrl: env.COGFI_RPC_URL, headMaxAgeMs: env.COGFI_GATEWAY_HEAD_MAX_AGE_MS },
    models: env.COGFI_GATEWAY_MODELS ? env.COGFI_GATEWAY_MODELS.split(",").map((model) => model.trim()) : undefined,
    backend: upstream
      ? { kind: "upstream", baseUrl: upstream, apiKey: env.COGFI_GATEWAY_UPSTREAM_API_KEY }
      : env.COGFI_GATEWAY_SEED || env.COGFI_GATEWAY_LATENCY_MS
        ? { kind: "simulated", seed: env.COGFI_GATEWAY_SEED, latencyMs: env.COGFI_GATEWAY_LATENCY_MS }
        : undefined,
    receipts: {
      durability: env.COGFI_GATEWAY_DURABILITY,
      sign: bool(env.COGFI_GATEWAY_SIGN),
      batchMaxDelayMs: env.COGFI_GATEWAY_BATCH_MAX_DELAY_MS,
      segmentMaxRecords: env.COGFI_GATEWAY_SEGMENT_MAX_RECORDS,
    },
    enclave: {
      sealingSecret: env.COGFI_GATEWAY_SEALING_SECRET,
      registrarKey: env.COGFI_GATEWAY_REGISTRAR_KEY,
      devPlatformKey: env.COGFI_GATEWAY_PLATFORM_KEY,
      selfRegister: bool(env.COGFI_GATEWAY_SELF_REGISTER),
    },
    logLevel: env.COGFI_LOG_LEVEL,
  });
}

async function main(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      config: { type: "string" },
      port: { type: "string" },
      "data-dir": { type: "string" },
      "rpc-url": { type: "string" },
      "chain-id": { type: "string" },
    },
  });
  const file = flags.config ? (JSON.parse(readFileSync(flags.config, "utf8")) as Json) : {};
  const chainId = Number(flags["chain-id"] ?? process.env.COGFI_CHAIN_ID ?? (file.chainId as number | undefined) ?? 31337);
  const { chainId: _ignored, ...fileConfig } = file;
  const input = merge(
    { dataDir: `.cogfi/gateway-${chainId}`, chain: { rpcUrl: "http://127.0.0.1:8545" } },
    fileConfig,
    configFromEnv(),
    prune({ dataDir: flags["data-dir"], http: { port: flags.port }, chain: { rpcUrl: flags["rpc-url"] } }),
  );
  const chain = (input.chain ?? {}) as Json;
  if (!chain.deployment) chain.deployment = loadDeployment(chainId);
  input.chain = chain;

  const gateway = await startGateway(input as Parameters<typeof startGateway>[0]);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`gateway: ${signal}, shutting down\n`);
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`gateway: shutdown failed: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
