/**
 * HTTP load generators: closed loop (`concurrency` keep-alive connections sending back to back: the throughput
 * ceiling) and open loop (a fixed arrival rate: latency at a given load, measured from each request's scheduled
 * time so a stalled server cannot hide its queue).
 */
import { Agent, request } from "node:http";

export type LoadResult = {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  firstError?: string;
  /** Every latency (ms), ascending: to pool several runs. */
  sortedMs: Float64Array;
};

type Target = { url: string; headers: Record<string, string>; body: (i: number) => string };

/** Sends one POST on `agent`; resolves with its status and body once the response ended. */
function post(agent: Agent, target: URL, headers: Record<string, string>, payload: string): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: res.statusCode === 200 ? "" : Buffer.concat(chunks).toString() }));
      },
    );
    req.on("error", (error) => resolve({ error: error.message }));
    req.end(payload);
  });
}

function summarize(latencies: number[], errors: number, seconds: number, firstError: string | undefined): LoadResult {
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50Ms: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
    firstError,
    sortedMs: sorted,
  };
}

/** Open loop: `rate` requests per second for `durationMs`, whatever the server's speed. */
export async function runOpenLoop(options: Target & { rate: number; durationMs: number }): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const total = Math.floor((options.rate * options.durationMs) / 1_000);
  const interval = 1_000 / options.rate;
  const started = performance.now();
  const inflight: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - started) / interval) + 1);
      for (; sent < due; sent++) {
        const scheduled = started + sent * interval;
        inflight.push(
          post(agent, target, options.headers, options.body(sent)).then((result) => {
            latencies.push(performance.now() - scheduled);
            if ("error" in result || result.status !== 200) {
              errors++;
              firstError ??= "error" in result ? result.error : `${result.status} ${result.body.slice(0, 300)}`;
            }
          }),
        );
      }
      if (sent >= total) done();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.all(inflight);
  const seconds = (performance.now() - started) / 1_000;
  agent.destroy();
  return summarize(latencies, errors, seconds, firstError);
}

export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Closed loop: POSTs `body(i)` to `url` from `concurrency` loops for `durationMs`. */
export async function runLoad(options: Target & { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let counter = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const result = await post(agent, target, options.headers, options.body(counter++));
        latencies.push(performance.now() - t0);
        if ("error" in result || result.status !== 200) {
          errors++;
          firstError ??= "error" in result ? result.error : `${result.status} ${result.body.slice(0, 300)}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  agent.destroy();
  return summarize(latencies, errors, seconds, firstError);
}
