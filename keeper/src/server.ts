import express, { type Express } from "express";
import type { KeeperMetrics } from "./metrics.js";
import type { JobRunner } from "./runner.js";

/** The keeper's HTTP API: liveness, Prometheus metrics and job status. */
export function createKeeperApp(runner: JobRunner, metrics: KeeperMetrics, info: Record<string, unknown>): Express {
  const app = express();
  app.disable("x-powered-by");
  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get("/status", (_req, res) => {
    res.json({ ...info, jobs: runner.status() });
  });
  app.use((_req, res) => {
    res.status(404).json({ error: { message: "not found" } });
  });
  return app;
}
