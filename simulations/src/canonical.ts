/**
 * Canonical JSON: keys sorted, bigints as decimal strings, no undefined, finite numbers only (NaN / Infinity are
 * refused, -0 written as 0). Equal values give equal bytes, so results hash and compare byte for byte.
 */
import { createHash } from "node:crypto";
import { SimulationError } from "./errors.js";

export function canonicalize(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new SimulationError(`canonical JSON: non-finite number ${value}`);
    return Object.is(value, -0) ? 0 : value;
  }
  if (Array.isArray(value)) return value.map(canonicalize);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined) out[key] = canonicalize(entry);
    }
    return out;
  }
  return value;
}

/** One line of canonical JSON. */
export const canonicalJson = (value: unknown): string => JSON.stringify(canonicalize(value));
/** Indented canonical JSON (results files), newline-terminated. */
export const canonicalJsonPretty = (value: unknown): string => `${JSON.stringify(canonicalize(value), null, 2)}\n`;
/** sha256 of a value's canonical JSON, hex. */
export const hashOf = (value: unknown): string => createHash("sha256").update(canonicalJson(value)).digest("hex");
