import { pino, stdSerializers, type Logger } from "pino";
import type { GatewayConfig } from "./config.js";

/** The gateway's structured logger: JSON lines on stdout, errors with their `cause` chain. */
export function createLogger(level: GatewayConfig["logLevel"]): Logger {
  return pino({
    level,
    base: { service: "gateway" },
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: stdSerializers.errWithCause },
  });
}
