import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** The keeper's Prometheus metrics, on their own registry. */
export function createKeeperMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "cogfi_keeper_" });
  return {
    registry,
    jobRuns: new Counter({ name: "cogfi_keeper_job_runs_total", help: "Job passes by outcome", labelNames: ["job", "outcome"], registers: [registry] }),
    jobDuration: new Histogram({
      name: "cogfi_keeper_job_duration_seconds",
      help: "Duration of a job pass",
      labelNames: ["job"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    receiptsFetched: new Counter({ name: "cogfi_keeper_receipts_fetched_total", help: "Receipts fetched from gateways", labelNames: ["gateway"], registers: [registry] }),
    receiptsRejected: new Counter({ name: "cogfi_keeper_receipts_rejected_total", help: "Receipts or batches rejected before settlement", labelNames: ["reason"], registers: [registry] }),
    receiptsSettled: new Counter({ name: "cogfi_keeper_receipts_settled_total", help: "Receipts settled on chain", registers: [registry] }),
    settlements: new Counter({ name: "cogfi_keeper_settlements_total", help: "Settlement transactions by outcome", labelNames: ["outcome"], registers: [registry] }),
    settlementGas: new Counter({ name: "cogfi_keeper_settlement_gas_total", help: "Gas used by settlement transactions", registers: [registry] }),
    gatewayCursor: new Gauge({ name: "cogfi_keeper_gateway_cursor", help: "Last receipt cursor relayed per gateway", labelNames: ["gateway"], registers: [registry] }),
  };
}

export type KeeperMetrics = ReturnType<typeof createKeeperMetrics>;
