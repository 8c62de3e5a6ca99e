import type { Logger } from "pino";
import type { Job, JobContext } from "./jobs/job.js";

export type JobState = {
  name: string;
  runs: number;
  failures: number;
  lastRunAt?: string;
  lastError?: string;
  running: boolean;
};

/**
 * Runs each job on its own timer, never two passes of one job at once; a failing pass is logged and counted,
 * and the job runs again on its next tick.
 */
export class JobRunner {
  private readonly states = new Map<string, JobState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly context: Omit<JobContext, "log" | "signal">,
    private readonly log: Logger,
  ) {
    for (const job of jobs) this.states.set(job.name, { name: job.name, runs: 0, failures: 0, running: false });
  }

  start(): void {
    for (const job of this.jobs) this.schedule(job, 0);
  }

  /** Runs one pass of `name` now (tests and the HTTP API use this). */
  async runOnce(name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`unknown job ${name}`);
    await this.pass(job);
  }

  status(): Array<JobState & { details?: Record<string, unknown> }> {
    return this.jobs.map((job) => ({ ...this.states.get(job.name)!, details: job.status?.() }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const timer of this.timers.values()) clearTimeout(timer);
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled(this.jobs.map((job) => job.stop?.()));
  }

  private schedule(job: Job, delayMs: number): void {
    if (this.stopped) return;
    this.timers.set(
      job.name,
      setTimeout(() => {
        const pass = this.pass(job).finally(() => {
          this.inFlight.delete(pass);
          this.schedule(job, job.intervalMs);
        });
        this.inFlight.add(pass);
      }, delayMs),
    );
  }

  private async pass(job: Job): Promise<void> {
    const state = this.states.get(job.name)!;
    if (state.running) return;
    state.running = true;
    const log = this.log.child({ job: job.name });
    const endTimer = this.context.metrics.jobDuration.startTimer({ job: job.name });
    try {
      await job.run({ ...this.context, log, signal: this.abort.signal });
      this.context.metrics.jobRuns.inc({ job: job.name, outcome: "ok" });
      state.lastError = undefined;
    } catch (error) {
      state.failures++;
      state.lastError = error instanceof Error ? error.message : String(error);
      this.context.metrics.jobRuns.inc({ job: job.name, outcome: "error" });
      log.error({ err: error }, "job pass failed");
    } finally {
      state.runs++;
      state.lastRunAt = new Date().toISOString();
      state.running = false;
      endTimer();
    }
  }
}
