import { pino } from "pino";
import type { LocalAccount } from "viem";
import type { CogFiClient } from "@cogfi/sdk";
import { parseKeeperConfig } from "../src/config.js";
import type { JobContext } from "../src/jobs/job.js";
import { senderMetrics } from "../src/index.js";
import { createKeeperMetrics, type KeeperMetrics } from "../src/metrics.js";
import { KeeperStore } from "../src/state/store.js";
import { TxSender, type TxSenderOptions } from "../src/tx/sender.js";

/**
 * A job context on `client` (which must carry a local account): an in-memory state unless `store` is given, a sender
 * that polls fast and reports to the context's metrics.
 */
export function jobContext(
  client: CogFiClient,
  options: { store?: KeeperStore; metrics?: KeeperMetrics; sender?: Partial<TxSenderOptions>; signal?: AbortSignal } = {},
): JobContext {
  const account = client.walletClient?.account as LocalAccount | undefined;
  if (!account?.signTransaction) throw new Error("jobContext needs a client with a local account");
  const config = parseKeeperConfig({ rpcUrl: "http://127.0.0.1:1", chainId: 31337, privateKey: `0x${"11".repeat(32)}` });
  const store = options.store ?? KeeperStore.open(":memory:");
  const log = pino({ level: "silent" });
  const metrics = options.metrics ?? createKeeperMetrics();
  // The sender's events reach the metrics as in the keeper.
  const sender = new TxSender(client.publicClient, account, 31337, store, log, { pollIntervalMs: 20, ...options.sender }, senderMetrics(metrics));
  return {
    client,
    config,
    log,
    metrics,
    store,
    sender,
    signal: options.signal ?? new AbortController().signal,
  };
}
