/**
 * Configuration of a service: layers merged (defaults < JSON file < env < CLI flags) into one object, validated
 * by the service's zod schema at start. An invalid configuration is one `ConfigError` whose message lists every
 * bad field (its path and what is wrong), never the values (they may be secrets).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { z, type ZodTypeAny } from "zod";

/** A configuration layer: a plain JSON-like object. */
export type ConfigLayer = Record<string, unknown>;

/** One invalid field: its dotted path (`config` for the root) and the problem. */
export type ConfigProblem = { path: string; message: string };

/** Thrown when a configuration is invalid; `problems` lists every bad field and the message repeats them. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: ConfigProblem[];
  constructor(message: string, options: { problems?: ConfigProblem[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.problems = options.problems ?? [];
  }
}

type ConfigErrorClass = new (message: string, options?: { problems?: ConfigProblem[]; cause?: unknown }) => ConfigError;

function isLayer(value: unknown): value is ConfigLayer {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep merge where later layers win; undefined values are skipped, arrays replace. */
export function mergeConfigLayers(...layers: (ConfigLayer | undefined)[]): ConfigLayer {
  const out: ConfigLayer = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      out[key] = isLayer(value) && isLayer(out[key]) ? mergeConfigLayers(out[key], value) : value;
    }
  }
  return out;
}

/** Drops undefined leaves and the objects they leave empty, so that a sparse layer overrides nothing it lacks. */
export function pruneConfigLayer(layer: ConfigLayer): ConfigLayer {
  const out: ConfigLayer = {};
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    if (isLayer(value)) {
      const pruned = pruneConfigLayer(value);
      if (Object.keys(pruned).length > 0) out[key] = pruned;
    } else out[key] = value;
  }
  return out;
}

/** Reads a JSON configuration file; a missing or malformed file is a `ConfigError` naming it. */
export function readConfigFile(path: string, ErrorClass: ConfigErrorClass = ConfigError): ConfigLayer {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ErrorClass(`cannot read config file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  if (!isLayer(value)) throw new ErrorClass(`config file ${path} must hold a JSON object`);
  return value;
}

/** A comma-separated env list (`a, b,c`), or undefined when the variable is unset or empty. */
export function envList(value: string | undefined): string[] | undefined {
  return value ? value.split(",").map((entry) => entry.trim()) : undefined;
}

/** A boolean env flag: `1` / `true` (any case) are true, anything else set is false, unset is undefined. */
export function envBool(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : value === "1" || value.toLowerCase() === "true";
}

function setPath(target: ConfigLayer, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isLayer(node[key])) node[key] = {};
    node = node[key] as ConfigLayer;
  }
  node[keys.at(-1)!] = value;
}

/**
 * Command-line flags as a configuration layer: `flags` maps each flag name to the config path it sets
 * (`{ port: "http.port" }` makes `--port 0` set `http.port`). `--config <file>` names the JSON file.
 */
export function parseConfigFlags(
  args: string[],
  flags: Record<string, string>,
  ErrorClass: ConfigErrorClass = ConfigError,
): { file?: string; layer: ConfigLayer } {
  const options = Object.fromEntries(["config", ...Object.keys(flags)].map((name) => [name, { type: "string" as const }]));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (cause) {
    throw new ErrorClass(`invalid command line: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const layer: ConfigLayer = {};
  for (const [flag, path] of Object.entries(flags)) {
    if (values[flag] !== undefined) setPath(layer, path, values[flag]);
  }
  return { file: values.config as string | undefined, layer };
}

/**
 * Validates `input` against `schema`. Fails with one error listing every invalid field as `path: message`.
 * @example
 * const config = parseConfig(keeperConfigSchema, input, { name: "keeper" });
 */
export function parseConfig<S extends ZodTypeAny>(
  schema: S,
  input: unknown,
  options: { name: string; Error?: ConfigErrorClass },
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ path: issue.path.join(".") || "config", message: issue.message }));
  const ErrorClass = options.Error ?? ConfigError;
  throw new ErrorClass(`invalid ${options.name} config:\n  ${problems.map((p) => `${p.path}: ${p.message}`).join("\n  ")}`, {
    problems,
    cause: result.error,
  });
}

/** The layers of a configuration, lowest first. */
export type ConfigSources = {
  /** Lowest layer (schema defaults apply below it). */
  defaults?: ConfigLayer;
  /** Path of a JSON file, the second layer. */
  file?: string;
  /** The layer the environment describes (see `envList`, `envBool`, `pruneConfigLayer`). */
  env?: ConfigLayer;
  /** The layer command-line flags describe (see `parseConfigFlags`). */
  flags?: ConfigLayer;
};

/**
 * Merges defaults < file < env < flags into one unvalidated input, for a service whose start function validates
 * it (`startGateway(input)`); `loadConfig` also validates.
 */
export function mergeConfigSources(sources: ConfigSources, ErrorClass: ConfigErrorClass = ConfigError): ConfigLayer {
  const file = sources.file ? readConfigFile(sources.file, ErrorClass) : undefined;
  return mergeConfigLayers(sources.defaults, file, sources.env && pruneConfigLayer(sources.env), sources.flags && pruneConfigLayer(sources.flags));
}

export type LoadConfigOptions<S extends ZodTypeAny> = ConfigSources & {
  /** The service's name, in error messages (`invalid simulations config: ...`). */
  name: string;
  schema: S;
  /** Completes the merged input before validation (for example, a deployment loaded by the chain id it names). */
  prepare?: (input: ConfigLayer) => ConfigLayer;
  /** The service's subclass of `ConfigError`. */
  Error?: ConfigErrorClass;
};

/**
 * Merges defaults < file < env < flags and validates the result.
 * @example
 * const { file, layer } = parseConfigFlags(process.argv.slice(2), { runs: "runs" });
 * const config = loadConfig({ name: "simulations", schema, file, env: configFromEnv(), flags: layer });
 */
export function loadConfig<S extends ZodTypeAny>(options: LoadConfigOptions<S>): z.infer<S> {
  const merged = mergeConfigSources(options, options.Error);
  return parseConfig(options.schema, options.prepare ? options.prepare(merged) : merged, options);
}

// Helpers for the fields services share. Numbers are coerced, so env and flag strings validate too.

/** A whole number in [min, max], from a number or a numeric string. */
export const intField = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
/** A TCP port; 0 picks a free one. */
export const portField = () => intField(0, 65_535);
/** A duration in milliseconds, in [min, max]. */
export const durationMsField = (min = 0, max = 86_400_000) => intField(min, max);
/** A JSON-RPC endpoint. */
export const rpcUrlField = () => z.string().url();
/** An EVM chain id. */
export const chainIdField = () => z.coerce.number().int().positive();
/** 32 bytes as 0x-prefixed hex (a private key, a measurement); the message never echoes the value. */
export const hex32Field = (what = "32 bytes") => z.string().regex(/^0x[0-9a-fA-F]{64}$/, `expected ${what} as 0x-prefixed hex`);
/** A private key: 32 bytes as 0x-prefixed hex. Secret: keep it out of logs. */
export const privateKeyField = () => hex32Field("a 32-byte private key");
/** The levels of the service logger (see `createLogger`). */
export const logLevelField = () => z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info");
