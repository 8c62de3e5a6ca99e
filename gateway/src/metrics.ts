import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The gateway's Prometheus metrics, on their own registry (several gateways may share a process in tests). */
export function createGatewayMetrics(defaults = true) {
  const registry = new Registry();
  const sources = { pendingReceipts: () => 0 };
  if (defaults) collectDefaultMetrics({ register: registry, prefix: "cogfi_gateway_" });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: "cogfi_gateway_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"],
      registers,
    }),
    refusals: new Counter({
      name: "cogfi_gateway_refusals_total",
      help: "Requests refused, by reason (the error code)",
      labelNames: ["reason"],
      registers,
    }),
    completions: new Counter({
      name: "cogfi_gateway_completions_total",
      help: "Chat completions served, by model and mode",
      labelNames: ["model", "mode"],
      registers,
    }),
    tokens: new Counter({
      name: "cogfi_gateway_tokens_total",
      help: "Tokens in served receipts, by model and kind (input, output, reasoning)",
      labelNames: ["model", "kind"],
      registers,
    }),
    cappedRequests: new Counter({
      name: "cogfi_gateway_capped_requests_total",
      help: "Requests whose max_tokens was lowered to fit the session budget",
      registers,
    }),
    latency: new Histogram({
      name: "cogfi_gateway_request_duration_seconds",
      help: "Chat completion latency, from arrival to the last byte",
      labelNames: ["mode"],
      buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    receiptOverhead: new Histogram({
      name: "cogfi_gateway_receipt_overhead_seconds",
      help: "Time a response spends on its receipt once its usage is known: building it and waiting until it is durable",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1],
      registers,
    }),
    receiptsWritten: new Counter({ name: "cogfi_gateway_receipts_total", help: "Receipts written durably", registers }),
    receiptsPending: new Gauge({
      name: "cogfi_gateway_receipts_pending",
      help: "Receipts not yet in a signed, durable batch",
      registers,
      collect() {
        this.set(sources.pendingReceipts());
      },
    }),
    /** Where gauges read their values at scrape time. */
    sources,
    batches: new Counter({ name: "cogfi_gateway_batches_total", help: "Batches signed and recorded", registers }),
    batchErrors: new Counter({ name: "cogfi_gateway_batch_errors_total", help: "Failed batch signings", registers }),
    logCommits: new Histogram({
      name: "cogfi_gateway_log_commit_seconds",
      help: "Duration of a receipt-log group commit (write + fdatasync)",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1],
      registers,
    }),
    logCommitRecords: new Histogram({
      name: "cogfi_gateway_log_commit_records",
      help: "Records per receipt-log group commit",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024],
      registers,
    }),
    inFlight: new Gauge({ name: "cogfi_gateway_requests_in_flight", help: "Chat completions in progress", registers }),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
