/**
 * The service logger: JSON lines (pino) with a `service` field, level names rather than numbers, child loggers
 * with bound fields, and errors (under `err` or `error`) serialized with their whole `cause` chain.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";

/** An error as it appears in a log line. */
export type SerializedError = {
  name: string;
  message: string;
  stack?: string;
  cause?: SerializedError | unknown;
  [field: string]: unknown;
};

/** How deep a cause chain is followed; deeper causes are replaced by a marker. */
const MAX_CAUSE_DEPTH = 10;

/** JSON-safe copy of a custom field: bigints become decimal strings, functions are dropped, cycles cut. */
function plain(value: unknown, seen: WeakSet<object>, depth: number): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof Error) return serializeErrorAt(value, seen, depth);
  if (seen.has(value)) return "[Circular]";
  if (depth > MAX_CAUSE_DEPTH) return "[Deep]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((entry) => plain(entry, seen, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) out[key] = plain(entry, seen, depth + 1);
  return out;
}

function serializeErrorAt(error: Error, seen: WeakSet<object>, depth: number): SerializedError | string {
  if (seen.has(error)) return "[Circular]";
  if (depth > MAX_CAUSE_DEPTH) return "[Deep]";
  seen.add(error);
  const out: SerializedError = { name: error.name, message: error.message, stack: error.stack };
  // Own fields: viem's shortMessage / details / metaMessages, a revert's `data.errorName`, an HTTP status, ...
  for (const [key, value] of Object.entries(error)) {
    if (key === "cause" || key in out) continue;
    const copy = plain(value, seen, depth + 1);
    if (copy !== undefined) out[key] = copy;
  }
  // viem's ContractFunctionRevertedError: the custom error's name, lifted to where a reader looks first.
  const errorName = (error as { data?: { errorName?: unknown } }).data?.errorName;
  if (typeof errorName === "string" && out.errorName === undefined) out.errorName = errorName;
  if (error instanceof AggregateError) out.errors = error.errors.map((entry) => plain(entry, seen, depth + 1));
  if (error.cause !== undefined) out.cause = plain(error.cause, seen, depth + 1);
  return out;
}

/**
 * An error with its whole `cause` chain: name, message, stack and custom fields of each link. Anything that is
 * not an Error is returned as a JSON-safe copy.
 */
export function serializeError(error: unknown): SerializedError | unknown {
  return plain(error, new WeakSet(), 0);
}

export type CreateLoggerOptions = {
  /** Bound to every line as `service`. */
  service: string;
  level?: LogLevel;
  /** Where lines go (default stdout); tests pass a stream to read them. */
  destination?: DestinationStream;
  /** Fields to mask (pino paths, e.g. `config.privateKey`). */
  redact?: string[];
};

/**
 * Creates a service logger.
 * @example
 * const log = createLogger({ service: "keeper", level: config.logLevel });
 * log.child({ job: "relay" }).error({ err }, "relay pass failed");
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const settings: LoggerOptions = {
    level: options.level ?? "info",
    base: { service: options.service },
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: serializeError, error: serializeError },
    redact: options.redact ? { paths: options.redact, censor: "<redacted>" } : undefined,
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
