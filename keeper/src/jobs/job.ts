import type { Logger } from "pino";
import type { CogFiClient } from "@cogfi/sdk";
import type { KeeperConfig } from "../config.js";
import type { KeeperMetrics } from "../metrics.js";
import type { KeeperStore } from "../state/store.js";
import type { TxSender } from "../tx/sender.js";

/** What every job gets on each run. */
export type JobContext = {
  client: CogFiClient;
  config: KeeperConfig;
  log: Logger;
  metrics: KeeperMetrics;
  /** Durable state: cursors, work, transactions. */
  store: KeeperStore;
  /** Sends every transaction of the keeper (one nonce per unit of work, see tx/sender.ts). */
  sender: TxSender;
  signal: AbortSignal;
};

/** One periodic keeper duty (relay receipts, liquidate, poke oracles...). */
export interface Job {
  readonly name: string;
  /** Milliseconds between the end of one run and the start of the next. */
  readonly intervalMs: number;
  /** One pass. Errors on single items are handled inside; a thrown error only fails this pass. */
  run(context: JobContext): Promise<void>;
  /** Anything to finish before shutdown (e.g. wait for a transaction in flight). */
  stop?(): Promise<void>;
  /** Job-specific state for /status. */
  status?(): Record<string, unknown>;
}
