import { createServiceApp, handleErrors, type Logger } from "@cogfi/sdk/service";
import type { Express } from "express";
import type { KeeperMetrics } from "./metrics.js";
import type { JobRunner } from "./runner.js";

/** The keeper's HTTP API on the sdk's service kit: liveness, readiness, Prometheus metrics, job status and the latest risk report. */
export function createKeeperApp(
  runner: JobRunner,
  metrics: KeeperMetrics,
  info: Record<string, unknown>,
  options: {
    logger: Logger;
    ready: () => boolean;
    state?: () => Record<string, unknown>;
    health?: () => Promise<{ status: number; body: unknown }>;
    /** The risk job's latest report (undefined before its first run, or when it does not run). */
    risk?: () => { report: unknown; html: string } | undefined;
  },
): Express {
  const app = createServiceApp({ metrics, ready: options.ready, health: options.health });
  app.get("/status", (_req, res) => {
    res.json({ ...info, jobs: runner.status(), ...options.state?.() });
  });
  app.get("/risk", (_req, res) => {
    const latest = options.risk?.();
    if (!latest) res.status(404).json({ error: "no risk report yet (the risk job is off, or has not finished its first run)" });
    else res.json(latest.report);
  });
  app.get("/risk.html", (_req, res) => {
    const latest = options.risk?.();
    if (!latest) res.status(404).type("text/plain").send("no risk report yet");
    else res.type("html").send(latest.html);
  });
  handleErrors(app, { logger: options.logger });
  return app;
}
