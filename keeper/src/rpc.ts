/**
 * The keeper's JSON-RPC transport: every endpoint (`rpcUrl`, then `fallbackRpcUrls` in order) behind one viem
 * transport that counts each failed call by endpoint, method and kind of failure, and each failover to the next
 * endpoint, in Prometheus (`cogfi_keeper_rpc_errors_total`, `cogfi_keeper_rpc_failovers_total`).
 *
 * A call goes to the first endpoint; a transport fault there (HTTP 5xx/429/408, a timeout, a refused connection, a
 * JSON-RPC internal or rate-limit error) moves it to the next one. An answer the node gave (a revert, "nonce too low",
 * bad params) is thrown at once: another endpoint of the same chain would say the same. When every endpoint failed,
 * the whole round is retried `retryCount` times with a growing delay before the error reaches the caller (the jobs
 * and the sender are built to try again on their next pass).
 */
import { custom, http, type Transport } from "viem";
import type { KeeperMetrics } from "./metrics.js";

export type KeeperTransportOptions = {
  /** Per request, per endpoint. */
  timeoutMs: number;
  /** Rounds over every endpoint after the first one failed. */
  retryCount: number;
  /** Delay before the first retry round (doubles each round). */
  retryDelayMs: number;
};

/** What kind of failure an RPC error is, for the `kind` label (`http_502`, `timeout`, `rpc_-32603`, `network`...). */
export function rpcFailureKind(error: unknown): string {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (current.name === "TimeoutError") return "timeout";
    const status = (current as { status?: unknown }).status;
    if (typeof status === "number") return `http_${status}`;
    const code = (current as { code?: unknown }).code;
    if (typeof code === "number" && code !== -1) return `rpc_${code}`;
  }
  return "network";
}

/** Whether another endpoint (or a later round) may answer where this one failed. */
export function isTransportFault(error: unknown): boolean {
  const kind = rpcFailureKind(error);
  if (kind === "timeout" || kind === "network") return true;
  if (kind.startsWith("http_")) return [408, 429, 500, 502, 503, 504].includes(Number(kind.slice(5)));
  return ["rpc_-32603", "rpc_-32005", "rpc_-32007", "rpc_429"].includes(kind);
}

/** One transport over `urls` (see the module comment); counts into `metrics`. */
export function keeperTransport(urls: readonly string[], metrics: Pick<KeeperMetrics, "rpcErrors" | "rpcFailovers">, options: KeeperTransportOptions): Transport {
  if (urls.length === 0) throw new Error("keeperTransport needs at least one RPC URL");
  const endpoints = urls.map((url) => ({ url, label: endpointLabel(url), transport: http(url, { retryCount: 0, timeout: options.timeoutMs }) }));
  return (parameters) => {
    const clients = endpoints.map((endpoint) => ({ ...endpoint, client: endpoint.transport({ ...parameters, retryCount: 0 }) }));
    const round = async (method: string, params: unknown): Promise<unknown> => {
      let last: unknown;
      for (const [index, { label, client }] of clients.entries()) {
        if (index > 0) metrics.rpcFailovers.inc({ to: label });
        try {
          return await client.request({ method, params } as never);
        } catch (error) {
          metrics.rpcErrors.inc({ endpoint: label, method, kind: rpcFailureKind(error) });
          if (!isTransportFault(error)) throw error;
          last = error;
        }
      }
      throw last;
    };
    return custom(
      {
        async request({ method, params }: { method: string; params?: unknown }) {
          for (let attempt = 0; ; attempt++) {
            try {
              return await round(method, params);
            } catch (error) {
              if (attempt >= options.retryCount || !isTransportFault(error)) throw error;
              await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs * 2 ** attempt));
            }
          }
        },
      },
      // Retries are ours (above), over every endpoint; viem's own would repeat only the last one's error.
      { key: "keeper", name: "keeper RPC", retryCount: 0 },
    )(parameters);
  };
}

/** An endpoint as a label: its origin, without any path or query (RPC URLs often carry an API key there). */
function endpointLabel(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "invalid-url";
  }
}
