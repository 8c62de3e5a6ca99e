import { createServiceMetrics } from "@cogfi/sdk/service";

/** The keeper's Prometheus metrics (`cogfi_keeper_*`), on their own registry. */
export function createKeeperMetrics() {
  const metrics = createServiceMetrics({ prefix: "cogfi_keeper_" });
  return {
    registry: metrics.registry,
    jobRuns: metrics.counter("job_runs_total", "Job passes by outcome", ["job", "outcome"]),
    jobDuration: metrics.histogram("job_duration_seconds", "Duration of a job pass", [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60], ["job"]),
    receiptsFetched: metrics.counter("receipts_fetched_total", "Receipts fetched from gateways", ["gateway"]),
    receiptsRejected: metrics.counter("receipts_rejected_total", "Receipts or batches rejected before settlement", ["reason"]),
    receiptsSettled: metrics.counter("receipts_settled_total", "Receipts settled on chain"),
    settlements: metrics.counter("settlements_total", "Settlement transactions by outcome", ["outcome"]),
    settlementGas: metrics.counter("settlement_gas_total", "Gas used by settlement transactions"),
    transactions: metrics.counter("transactions_total", "Keeper transactions by kind of work and event (sent, bumped, confirmed, reverted, dropped, reorged)", [
      "kind",
      "event",
    ]),
    deepReorgs: metrics.counter(
      "deep_reorgs_total",
      "Confirmed transactions whose block a reorg deeper than the confirmation depth replaced, by kind of work and outcome (reopened: the work is due again; reincluded: the new chain holds it)",
      ["kind", "outcome"],
    ),
    liquidations: metrics.counter("liquidations_total", "Liquidation attempts by outcome (liquidated, bad-debt, unprofitable, reverted, error)", ["outcome"]),
    workRetries: metrics.counter("work_retries_total", "Failures of a unit of work that retrying at once would not fix (retried with backoff)", ["job", "reason"]),
    deadLetters: metrics.counter("dead_letters_total", "Units of work given up on after their job's bound of failures", ["job", "reason"]),
    rpcErrors: metrics.counter("rpc_errors_total", "Failed JSON-RPC calls by endpoint (origin), method and kind (http_<status>, timeout, rpc_<code>, network)", [
      "endpoint",
      "method",
      "kind",
    ]),
    rpcFailovers: metrics.counter("rpc_failovers_total", "JSON-RPC calls moved to the next endpoint after a transport fault", ["to"]),
    upkeep: metrics.counter("upkeep_actions_total", "Upkeep transactions confirmed, by action (cardinality, poke, release-policy, complete-withdraw)", ["action"]),
    feedAge: metrics.gauge("feed_age_seconds", "Age of a price feed's latest answer at the last upkeep pass", { labelNames: ["feed"] }),
    feedStale: metrics.gauge("feed_stale", "1 when a price feed is older than its maxAge / heartbeat", { labelNames: ["feed"] }),
    observationCardinality: metrics.gauge("observation_cardinality", "A pool's observation ring: cardinalityNext and the cardinality its TWAP windows require", {
      labelNames: ["pool", "kind"],
    }),
    gatewayCursor: metrics.gauge("gateway_cursor", "Last receipt cursor relayed per gateway", { labelNames: ["gateway"] }),
  };
}

export type KeeperMetrics = ReturnType<typeof createKeeperMetrics>;
