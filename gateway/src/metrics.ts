import { createServiceMetrics } from "@cogfi/sdk/service";

/** The gateway's Prometheus metrics (`cogfi_gateway_*`), on their own registry (several gateways may share a process in tests). */
export function createGatewayMetrics(defaults = true) {
  const metrics = createServiceMetrics({ prefix: "cogfi_gateway_", processMetrics: defaults });
  const sources = { pendingReceipts: () => 0 };
  return {
    registry: metrics.registry,
    requests: metrics.counter("requests_total", "HTTP requests by route and status", ["route", "status"]),
    refusals: metrics.counter("refusals_total", "Requests refused, by reason (the error code)", ["reason"]),
    completions: metrics.counter("completions_total", "Chat completions served, by model and mode", ["model", "mode"]),
    tokens: metrics.counter("tokens_total", "Tokens in served receipts, by model and kind (input, output, reasoning)", ["model", "kind"]),
    cappedRequests: metrics.counter("capped_requests_total", "Requests whose max_tokens was lowered to fit the session budget"),
    latency: metrics.histogram(
      "request_duration_seconds",
      "Chat completion latency, from arrival to the last byte",
      [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      ["mode"],
    ),
    receiptOverhead: metrics.histogram(
      "receipt_overhead_seconds",
      "Time a response spends on its receipt once its usage is known: building it and waiting until it is durable",
      [0.0001, 0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.01, 0.025, 0.1],
    ),
    receiptsWritten: metrics.counter("receipts_total", "Receipts written durably"),
    receiptsPending: metrics.gauge("receipts_pending", "Receipts not yet in a signed, durable batch", {
      collect() {
        this.set(sources.pendingReceipts());
      },
    }),
    /** Where gauges read their values at scrape time. */
    sources,
    batches: metrics.counter("batches_total", "Batches signed and recorded"),
    batchErrors: metrics.counter("batch_errors_total", "Failed batch signings"),
    logCommits: metrics.histogram(
      "log_commit_seconds",
      "Duration of a receipt-log group commit (write + fdatasync)",
      [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1],
    ),
    logCommitRecords: metrics.histogram("log_commit_records", "Records per receipt-log group commit", [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024]),
    inFlight: metrics.gauge("requests_in_flight", "Chat completions in progress"),
  };
}

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
