/**
 * Risk: on a schedule, runs the simulations package on the chain's current state and publishes the latest report
 * (`/risk` JSON, `/risk.html`).
 *
 * A pass reads the markets (LLTV, supply, borrow), their pools (spot price, depth) and the insurance pool (capital,
 * exposure) at the latest block (risk/chainState.ts), turns them into a scenario override (`paths` small, the seed the
 * block number, so a report is reproducible from its block), and runs it in a child process (risk/child.ts): the
 * keeper's event loop, its other jobs and its HTTP API are never blocked by the paths. A run that exceeds
 * `timeoutMs` is killed and the pass fails; the previous report stays published.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Results } from "@cogfi/simulations";
import { readChainSnapshot, scenarioOverrides, type ChainSnapshot } from "../risk/chainState.js";
import type { RiskRunReply, RiskRunRequest } from "../risk/child.js";
import type { Job, JobContext } from "./job.js";

export type RiskOptions = {
  intervalMs: number;
  /** Scenario file of the simulations package the chain's state overrides (`baseline`: no shock). */
  scenario: string;
  /** Monte Carlo paths per run (small: the report refreshes every interval). */
  paths: number;
  /** A run taking longer is killed. */
  timeoutMs: number;
  fromBlock: bigint;
  logChunkBlocks: bigint;
};

/** What `/risk` serves. */
export type RiskReport = {
  /** The block the chain state was read at (the seed is derived from it). */
  blockNumber: string;
  blockTimestamp: number;
  computedAt: string;
  durationMs: number;
  seed: number;
  chain: ChainSnapshot;
  overrides: Record<string, unknown>;
  manifest: Results["manifest"];
  metrics: Results["metrics"];
};

const JOB = "risk";
const CHILD = fileURLToPath(new URL("../risk/child.ts", import.meta.url));

export class RiskJob implements Job {
  readonly name = JOB;
  readonly intervalMs: number;
  private report?: RiskReport;
  private html?: string;
  private runs = 0;

  constructor(private readonly options: RiskOptions) {
    this.intervalMs = options.intervalMs;
  }

  status() {
    return { runs: this.runs, lastReportBlock: this.report?.blockNumber, lastReportAt: this.report?.computedAt, lastDurationMs: this.report?.durationMs };
  }

  /** The latest report and its HTML page (undefined before the first run). */
  latest(): { report: RiskReport; html: string } | undefined {
    return this.report && this.html !== undefined ? { report: this.report, html: this.html } : undefined;
  }

  async run(context: JobContext): Promise<void> {
    const { client, log, signal } = context;
    const started = Date.now();
    const blockNumber = await client.publicClient.getBlockNumber({ cacheTime: 0 });
    const chain = await readChainSnapshot(client, { blockNumber, fromBlock: this.options.fromBlock, logChunkBlocks: this.options.logChunkBlocks });
    const overrides = scenarioOverrides(chain, this.options.paths);
    // A 31-bit seed from the block: the same block gives the same report.
    const seed = Number(blockNumber % 2_147_483_647n);
    const reply = await runChild({ scenario: this.options.scenario, overrides, seed }, this.options.timeoutMs, signal);
    if (!reply.ok) throw new Error(`the risk simulation failed: ${reply.error}`);
    this.runs++;
    this.report = {
      blockNumber: chain.blockNumber,
      blockTimestamp: chain.blockTimestamp,
      computedAt: new Date().toISOString(),
      durationMs: Date.now() - started,
      seed,
      chain,
      overrides,
      manifest: reply.results.manifest,
      metrics: reply.results.metrics,
    };
    this.html = reply.html;
    const lending = reply.results.metrics.lending;
    log.info({ block: chain.blockNumber, paths: this.options.paths, durationMs: this.report.durationMs, badDebtVar99Usd: lending.badDebtVar99Usd }, "risk report computed");
  }
}

/** Runs one simulation in a child process (tsx loads the TypeScript), killed after `timeoutMs` or on abort. */
function runChild(request: RiskRunRequest, timeoutMs: number, signal: AbortSignal): Promise<RiskRunReply> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "json" });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      outcome();
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(() => reject(new Error(`the risk simulation took more than ${timeoutMs} ms and was stopped`)));
    }, timeoutMs);
    const onAbort = () => {
      child.kill("SIGKILL");
      finish(() => reject(new Error("the risk simulation was stopped (keeper shutting down)")));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    child.once("message", (message: string) => {
      try {
        const reply = JSON.parse(message) as RiskRunReply;
        finish(() => resolve(reply));
      } catch (cause) {
        finish(() => reject(new Error("the risk simulation sent an unreadable reply", { cause })));
      }
    });
    child.once("error", (cause) => finish(() => reject(new Error("the risk simulation could not start", { cause }))));
    child.once("exit", (code, sig) => finish(() => reject(new Error(`the risk simulation exited (${code ?? sig}) without a report: ${stderr.trim()}`))));
    child.send(request);
  });
}
