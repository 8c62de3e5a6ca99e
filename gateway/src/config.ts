/**
 * The gateway's configuration: the only home of its tunables, validated at start with zod (built with the sdk's
 * service kit). Secrets (the sealing secret, the registrar key, the upstream API key) come from env or the caller
 * and are never logged (see `redactConfig`).
 */
import { resolve } from "node:path";
import { parseDeployment, type Deployment } from "@cogfi/sdk";
import { ConfigError, envBool, envList, hex32Field, intField as int, logLevelField, parseConfig, portField, privateKeyField, pruneConfigLayer, rpcUrlField, type ConfigLayer } from "@cogfi/sdk/service";
import { z } from "zod";

const hex32 = hex32Field();

/** How many tokens the simulated backend draws for one request. */
export const tokenDistributionSchema = z.discriminatedUnion("kind", [
  /** exp(N(ln median, sigma²)): heavy right tail; mean = median·exp(sigma²/2). */
  z.object({ kind: z.literal("lognormal"), median: z.number().positive(), sigma: z.number().min(0).max(5) }).strict(),
  /** Pareto type I: P(X > x) = (scale / x)^alpha for x >= scale; infinite variance for alpha <= 2. */
  z.object({ kind: z.literal("pareto"), scale: z.number().positive(), alpha: z.number().positive() }).strict(),
  z.object({ kind: z.literal("fixed"), value: z.number().int().min(0) }).strict(),
  /**
   * A lognormal body with a Pareto tail: with probability `tailProbability` a Pareto(`tailScale`, `tailAlpha`) draw,
   * otherwise lognormal(`median`, `sigma`). Reasoning that usually stays short and sometimes runs an order of
   * magnitude longer (the same query's thinking varies up to 9.7x between runs, issue #13).
   */
  z
    .object({
      kind: z.literal("lognormalPareto"),
      median: z.number().positive(),
      sigma: z.number().min(0).max(5),
      tailProbability: z.number().min(0).max(1),
      tailScale: z.number().positive(),
      tailAlpha: z.number().positive(),
    })
    .strict(),
]);
export type TokenDistribution = z.infer<typeof tokenDistributionSchema>;

export const simulatedProfileSchema = z
  .object({
    /** Reasoning tokens per request (before the max_tokens cap). */
    reasoning: tokenDistributionSchema,
    /** Visible output tokens per request (before the cap). */
    output: tokenDistributionSchema,
  })
  .strict();
export type SimulatedProfile = z.infer<typeof simulatedProfileSchema>;

/**
 * The default profile of every simulated model: reasoning ~ lognormal(median 512, sigma 1.25) — mean ≈ 1,120,
 * p90 ≈ 2,540, p99 ≈ 9,400 tokens — and output ~ lognormal(median 160, sigma 0.6) — p99 ≈ 650 tokens.
 */
export const DEFAULT_SIMULATED_PROFILE: SimulatedProfile = {
  reasoning: { kind: "lognormal", median: 512, sigma: 1.25 },
  output: { kind: "lognormal", median: 160, sigma: 0.6 },
};

/**
 * A profile whose reasoning exercises a compute-insurance policy (`npm start`'s insured demo, the insurance tests):
 * a lognormal body (median 600, sigma 0.6: p99 ≈ 2,440 tokens) and, for 8% of requests, a Pareto tail from 3,000
 * tokens with alpha 1.6 (P(> 6,000) ≈ 2.6%, P(> 12,000) ≈ 0.9%; infinite variance). Output as the default's.
 */
export const INSURED_DEMO_SIMULATED_PROFILE: SimulatedProfile = {
  reasoning: { kind: "lognormalPareto", median: 600, sigma: 0.6, tailProbability: 0.08, tailScale: 3_000, tailAlpha: 1.6 },
  output: { kind: "lognormal", median: 160, sigma: 0.6 },
};

const simulatedBackendSchema = z
  .object({
    kind: z.literal("simulated"),
    /** Seed of every draw: the same seed and request always give the same completion. */
    seed: z.string().default("cogfi"),
    /** Profiles by model name; `*` applies to models without their own. */
    profiles: z.record(simulatedProfileSchema).default({}),
    /** Delay before the first token, to mimic a model's latency. */
    latencyMs: int(0, 600_000).default(0),
    /**
     * When a draw does not fit `max_tokens`, the largest share of the cap the reasoning may take, in basis points
     * (the rest is left to visible output). 10,000 spends the cap on reasoning first.
     */
    reasoningShareBps: int(0, 10_000).default(7_500),
    /**
     * When a draw does not fit `max_tokens`, visible tokens kept whatever the reasoning drew (at most the output
     * drawn and the cap), so a small cap still answers with text.
     */
    minVisibleTokens: int(0, 1_000_000).default(16),
    /** Tokens per SSE chunk when streaming. */
    streamChunkTokens: int(1, 4_096).default(16),
    /** Delay between SSE chunks. */
    interChunkDelayMs: int(0, 60_000).default(0),
  })
  .strict();

const upstreamBackendSchema = z
  .object({
    kind: z.literal("upstream"),
    /** Base URL of an OpenAI-compatible server, up to and including `/v1` (vLLM, llama.cpp server, Ollama). */
    baseUrl: z.string().url(),
    /** Bearer key for the upstream, if it needs one. Secret. */
    apiKey: z.string().optional(),
    /** On-chain model name -> upstream model name; unmapped names are sent as is. */
    modelMap: z.record(z.string()).default({}),
    timeoutMs: int(1, 3_600_000).default(600_000),
  })
  .strict();

export const backendConfigSchema = z.discriminatedUnion("kind", [simulatedBackendSchema, upstreamBackendSchema]);
export type BackendConfig = z.infer<typeof backendConfigSchema>;
export type SimulatedBackendConfig = z.infer<typeof simulatedBackendSchema>;
export type UpstreamBackendConfig = z.infer<typeof upstreamBackendSchema>;

const deploymentSchema = z.unknown().transform((value, context): Deployment => {
  try {
    return parseDeployment(value);
  } catch (error) {
    context.addIssue({ code: z.ZodIssueCode.custom, message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

/**
 * An origin a browser app is served from, `scheme://host[:port]` (normalized: lower case, default port dropped),
 * or `*` for any origin.
 */
const corsOrigin = z.string().transform((value, context) => {
  if (value === "*") return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password || url.pathname !== "/" || url.search || url.hash) {
    context.addIssue({ code: z.ZodIssueCode.custom, message: `expected an origin like https://app.example or http://localhost:5173 (or "*"), got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return url.origin;
});

export const gatewayConfigSchema = z
  .object({
    /** Folder of the receipt log and the sealed enclave key. */
    dataDir: z.string().min(1),
    http: z
      .object({
        host: z.string().default("127.0.0.1"),
        /** 0 picks a free port. */
        port: portField().default(8_787),
        /** Largest accepted request body, in bytes. */
        bodyLimitBytes: int(1_024, 64 * 1024 * 1024).default(1_048_576),
        /** How long shutdown waits for requests in flight before closing their connections. */
        shutdownGraceMs: int(0, 600_000).default(10_000),
        keepAliveTimeoutMs: int(0, 600_000).default(65_000),
      })
      .strict()
      .default({}),
    chain: z
      .object({
        rpcUrl: rpcUrlField(),
        /** The address book (`deployments/<chainId>.json`). */
        deployment: deploymentSchema,
        /**
         * How old the known head block may be when a request is approved. Session state is cached per block, so a
         * closed or drained session is refused from the first request that sees the block that closed it; 0 makes
         * every request fetch a head no older than itself (requests in flight together share one fetch).
         */
        headMaxAgeMs: int(0, 60_000).default(250),
        /** Sessions and models whose state is cached (per block). */
        cacheEntries: int(16, 1_000_000).default(10_000),
        /** Milliseconds between polls of transaction receipts (self-registration). */
        pollingIntervalMs: int(10, 60_000).default(250),
      })
      .strict(),
    /** Cross-origin access for browser apps (http/cors.ts); off unless origins are listed. */
    cors: z
      .object({
        /** Origins whose pages may call the gateway (`*`: any); empty turns CORS off. */
        allowedOrigins: z.array(corsOrigin).max(1_000).default([]),
        /** How long a browser may cache a preflight answer. */
        maxAgeSeconds: int(0, 86_400).default(600),
      })
      .strict()
      .default({}),
    /** Model names or ids this gateway serves; all registered models when omitted. */
    models: z.array(z.union([z.string().min(1), z.number().int().positive()])).optional(),
    approval: z
      .object({
        /** Largest `max_tokens` / `max_completion_tokens` accepted; larger values are a 400. */
        maxCompletionTokens: int(1, 10_000_000).default(32_768),
        /** Completion cap of a request that sets none (before the budget cap). */
        defaultMaxTokens: int(1, 10_000_000).default(4_096),
        /** `cap`: lower max_tokens to what the budget pays; `refuse`: a 402 unless the budget covers the request. */
        onInsufficientBudget: z.enum(["cap", "refuse"]).default("cap"),
        /** Fewest completion tokens worth running when capping; below it the request is refused. */
        minCompletionTokens: int(1, 1_000_000).default(16),
        /** Safety margin on the counted prompt tokens in the worst-case cost (an upstream may count more). */
        promptMarginBps: int(0, 100_000).default(1_000),
      })
      .strict()
      .default({}),
    backend: backendConfigSchema.default({ kind: "simulated" }),
    receipts: z
      .object({
        durability: z.enum(["fsync", "write", "none"]).default("fsync"),
        /** Extra wait for more receipts before a commit; 0 commits as soon as the previous fsync finishes. */
        groupCommitWindowMs: int(0, 100).default(0),
        /** `inline` (sync write on the event loop, for local disks) or `threadpool` (slow disks); see log.ts. */
        commitMode: z.enum(["inline", "threadpool"]).default("inline"),
        /** Scheduling niceness of the signing thread (Linux): the event loop goes first when cores are contended. */
        signerNice: int(0, 19).default(10),
        /** Sign batches (off only for the benchmark's baseline). */
        sign: z.boolean().default(true),
        /** Receipts per signed batch, at most. */
        batchMaxReceipts: int(1, 4_096).default(256),
        /** Longest a receipt waits for its batch to be signed. */
        batchMaxDelayMs: int(1, 3_600_000).default(1_000),
        /** Default and largest `limit` of GET /v1/receipts (in batches). */
        pageDefault: int(1, 10_000).default(50),
        pageMax: int(1, 10_000).default(500),
        /** Most recent signed batches kept in memory (with their receipts); older ones are read from the log. */
        batchesInMemory: int(0, 1_000_000).default(64),
        /**
         * The receipt log rolls to a new segment once the active one holds this many bytes or records (0: never on
         * that count); segments whose receipts are all settled on chain are then deleted (`compactIntervalMs`).
         */
        segmentMaxBytes: int(0, Number.MAX_SAFE_INTEGER).default(16 * 1024 * 1024),
        segmentMaxRecords: int(0, Number.MAX_SAFE_INTEGER).default(50_000),
        /** How often the gateway reads its gateways' settled batches from the chain and drops settled segments (0: never). */
        compactIntervalMs: int(0, 86_400_000).default(60_000),
        /**
         * Compaction counts a batch as settled only this many blocks deep, so a reorg cannot undo a settlement whose
         * receipts were deleted. Default 0 on a local chain, 64 elsewhere.
         */
        compactConfirmations: int(0, 1_000_000).optional(),
      })
      .strict()
      .default({}),
    enclave: z
      .object({
        /** Where the sealed enclave seed lives (default `<dataDir>/enclave.sealed.json`). */
        keyFile: z.string().optional(),
        /** Measurement of this build; dev mode uses a fixed, documented one. */
        measurement: hex32.optional(),
        /** Dev-mode stand-in for the CPU's sealing key. Secret. Defaults to a public dev constant. */
        sealingSecret: hex32.optional(),
        /** Key of the dev attestation "platform" that signs dev quotes. Secret. */
        devPlatformKey: privateKeyField().optional(),
        /** Register the enclave keys on chain at start (dev mode; default: on local chains). */
        selfRegister: z.boolean().optional(),
        /** Pays for self-registration and, on local chains, allows the dev measurement. Secret. */
        registrarKey: privateKeyField().optional(),
      })
      .strict()
      .default({}),
    logLevel: logLevelField(),
  })
  .strict();

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;

/** Thrown when the configuration is invalid (the message lists every problem) or the gateway cannot start with it. */
export class GatewayConfigError extends ConfigError {
  override name = "GatewayConfigError";
}

/** Validates a configuration object and applies defaults. */
export function parseGatewayConfig(input: unknown): GatewayConfig {
  const config = parseConfig(gatewayConfigSchema, input, { name: "gateway", Error: GatewayConfigError });
  config.dataDir = resolve(config.dataDir);
  if (config.approval.defaultMaxTokens > config.approval.maxCompletionTokens) {
    throw new GatewayConfigError("invalid gateway config: approval.defaultMaxTokens exceeds approval.maxCompletionTokens");
  }
  if (config.receipts.pageDefault > config.receipts.pageMax) {
    throw new GatewayConfigError("invalid gateway config: receipts.pageDefault exceeds receipts.pageMax");
  }
  return config;
}

/** The configuration with its secrets masked, for logs. */
export function redactConfig(config: GatewayConfig): unknown {
  const mask = (value: string | undefined) => (value === undefined ? undefined : "<redacted>");
  return {
    ...config,
    chain: { ...config.chain, deployment: { chainId: config.chain.deployment.chainId } },
    backend: config.backend.kind === "upstream" ? { ...config.backend, apiKey: mask(config.backend.apiKey) } : config.backend,
    enclave: {
      ...config.enclave,
      sealingSecret: mask(config.enclave.sealingSecret),
      devPlatformKey: mask(config.enclave.devPlatformKey),
      registrarKey: mask(config.enclave.registrarKey),
    },
  };
}

/** The configuration layer the `COGFI_*` environment variables describe (see gateway/README.md). */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ConfigLayer {
  const upstream = env.COGFI_GATEWAY_UPSTREAM_URL;
  return pruneConfigLayer({
    chainId: env.COGFI_CHAIN_ID,
    dataDir: env.COGFI_GATEWAY_DATA_DIR,
    http: { host: env.COGFI_GATEWAY_HOST, port: env.COGFI_GATEWAY_PORT, bodyLimitBytes: env.COGFI_GATEWAY_BODY_LIMIT_BYTES },
    chain: { rpcUrl: env.COGFI_RPC_URL, headMaxAgeMs: env.COGFI_GATEWAY_HEAD_MAX_AGE_MS },
    cors: { allowedOrigins: envList(env.COGFI_GATEWAY_CORS_ORIGINS) },
    models: envList(env.COGFI_GATEWAY_MODELS),
    backend: upstream
      ? { kind: "upstream", baseUrl: upstream, apiKey: env.COGFI_GATEWAY_UPSTREAM_API_KEY }
      : env.COGFI_GATEWAY_SEED || env.COGFI_GATEWAY_LATENCY_MS
        ? { kind: "simulated", seed: env.COGFI_GATEWAY_SEED, latencyMs: env.COGFI_GATEWAY_LATENCY_MS }
        : undefined,
    receipts: {
      durability: env.COGFI_GATEWAY_DURABILITY,
      sign: envBool(env.COGFI_GATEWAY_SIGN),
      batchMaxDelayMs: env.COGFI_GATEWAY_BATCH_MAX_DELAY_MS,
      segmentMaxRecords: env.COGFI_GATEWAY_SEGMENT_MAX_RECORDS,
    },
    enclave: {
      sealingSecret: env.COGFI_GATEWAY_SEALING_SECRET,
      registrarKey: env.COGFI_GATEWAY_REGISTRAR_KEY,
      devPlatformKey: env.COGFI_GATEWAY_PLATFORM_KEY,
      selfRegister: envBool(env.COGFI_GATEWAY_SELF_REGISTER),
    },
    logLevel: env.COGFI_LOG_LEVEL,
  });
}

/** Command-line flags and the config paths they set (`--config <file>` names the JSON file). */
export const GATEWAY_FLAGS = { port: "http.port", "data-dir": "dataDir", "rpc-url": "chain.rpcUrl", "chain-id": "chainId" } as const;
