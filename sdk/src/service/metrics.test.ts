import { describe, expect, test } from "vitest";
import { createServiceMetrics } from "./metrics.js";

describe("createServiceMetrics", () => {
  test("names every metric with the service prefix, beside the process metrics", async () => {
    const metrics = createServiceMetrics({ prefix: "cogfi_probe_" });
    const runs = metrics.counter("job_runs_total", "Job passes by outcome", ["job", "outcome"]);
    const duration = metrics.histogram("job_duration_seconds", "Duration of a pass", [0.1, 1], ["job"]);
    let depth = 0;
    metrics.gauge("queue_depth", "Items waiting", { collect() { this.set(depth); } });
    runs.inc({ job: "relay", outcome: "ok" });
    duration.observe({ job: "relay" }, 0.5);
    depth = 4;
    const text = await metrics.registry.metrics();
    expect(text).toContain('cogfi_probe_job_runs_total{job="relay",outcome="ok"} 1');
    expect(text).toContain('cogfi_probe_job_duration_seconds_bucket{le="1",job="relay"} 1');
    expect(text).toContain("cogfi_probe_queue_depth 4");
    expect(text).toMatch(/^cogfi_probe_process_cpu_seconds_total /m);
  });

  test("registries are separate: two services in one process do not collide", () => {
    const a = createServiceMetrics({ prefix: "cogfi_probe_", processMetrics: false });
    const b = createServiceMetrics({ prefix: "cogfi_probe_", processMetrics: false });
    a.counter("x_total", "x");
    expect(() => b.counter("x_total", "x")).not.toThrow();
    expect(a.registry.getMetricsAsArray().map((m) => m.name)).toEqual(["cogfi_probe_x_total"]);
  });
});
