/** A closed-loop HTTP load generator: `concurrency` keep-alive connections, each sending back to back. */
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
};

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** POSTs `body(i)` to `url` from `concurrency` loops for `durationMs`. */
export async function runLoad(options: {
  url: string;
  headers: Record<string, string>;
  body: (i: number) => string;
  concurrency: number;
  durationMs: number;
}): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let counter = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const once = (payload: string) =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload), ...options.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => {
            if (res.statusCode !== 200) {
              errors++;
              firstError ??= `${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`;
            }
            resolve(performance.now() - t0);
          });
        },
      );
      req.on("error", (error) => {
        errors++;
        firstError ??= error.message;
        resolve(performance.now() - t0);
      });
      req.end(payload);
    });

  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) latencies.push(await once(options.body(counter++)));
    }),
  );
  const seconds = (performance.now() - started) / 1_000;
  agent.destroy();
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
  };
}
