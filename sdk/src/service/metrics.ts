/**
 * Prometheus metrics of a service: its own registry (several services may share a process in tests), Node's
 * default process metrics under the service prefix, and counters / gauges / histograms named `<prefix><name>`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type GaugeConfiguration } from "prom-client";

export type { Counter, Gauge, Histogram, Registry } from "prom-client";

export type ServiceMetricsOptions = {
  /** Prefix of every metric name, e.g. `cogfi_keeper_`. */
  prefix: string;
  /** Collect Node's default process metrics (default true). */
  processMetrics?: boolean;
};

/** A service's registry and the factories that name metrics with its prefix. */
export type ServiceMetrics = {
  registry: Registry;
  prefix: string;
  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]): Counter<L>;
  gauge<L extends string = never>(name: string, help: string, options?: { labelNames?: readonly L[]; collect?: GaugeConfiguration<L>["collect"] }): Gauge<L>;
  histogram<L extends string = never>(name: string, help: string, buckets: number[], labelNames?: readonly L[]): Histogram<L>;
};

/**
 * Creates a service's metrics registry.
 * @example
 * const metrics = createServiceMetrics({ prefix: "cogfi_keeper_" });
 * const runs = metrics.counter("job_runs_total", "Job passes by outcome", ["job", "outcome"]);
 */
export function createServiceMetrics(options: ServiceMetricsOptions): ServiceMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: options.prefix });
  const registers = [registry];
  const named = (name: string) => `${options.prefix}${name}`;
  return {
    registry,
    prefix: options.prefix,
    counter: (name, help, labelNames = []) => new Counter({ name: named(name), help, labelNames, registers }),
    gauge: (name, help, gaugeOptions = {}) =>
      new Gauge({ name: named(name), help, labelNames: gaugeOptions.labelNames ?? [], collect: gaugeOptions.collect, registers }),
    histogram: (name, help, buckets, labelNames = []) => new Histogram({ name: named(name), help, buckets, labelNames, registers }),
  };
}
