import { createServiceApp, handleErrors, type Logger } from "@cogfi/sdk/service";
import type { Express } from "express";
import type { KeeperMetrics } from "./metrics.js";
import type { JobRunner } from "./runner.js";

/** The keeper's HTTP API on the sdk's service kit: liveness, readiness, Prometheus metrics and job status. */
export function createKeeperApp(
  runner: JobRunner,
  metrics: KeeperMetrics,
  info: Record<string, unknown>,
  options: {
    logger: Logger;
    ready: () => boolean;
    state?: () => Record<string, unknown>;
    health?: () => Promise<{ status: number; body: unknown }>;
  },
): Express {
  const app = createServiceApp({ metrics, ready: options.ready, health: options.health });
  app.get("/status", (_req, res) => {
    res.json({ ...info, jobs: runner.status(), ...options.state?.() });
  });
  handleErrors(app, { logger: options.logger });
  return app;
}
