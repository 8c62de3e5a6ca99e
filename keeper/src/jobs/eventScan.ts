import type { Hex } from "viem";
import type { JobContext } from "./job.js";

/** Where and how far a job's event scan goes. */
export type EventScanOptions = {
  /** The job's name and the cursor's key in the state file (one cursor per scanned contract). */
  job: string;
  cursorKey: string;
  /** The first block to scan when no cursor is stored (the deployment's block). */
  fromBlock: bigint;
  /** How far back to rescan when the cursor's block has left the chain. */
  reorgDepth: bigint;
  /** Blocks per `eth_getLogs` request. */
  logChunkBlocks: bigint;
  /** Names the scan in the reorg warning. */
  label: string;
};

/**
 * Walks blocks `(cursor, head]` in chunks, calling `chunk(from, to)` for each, and stores after each chunk a cursor
 * `<block>:<hash>` so that a restart resumes there. A stored cursor whose block is no longer the chain's at that height
 * (a reorg) restarts the scan `reorgDepth` blocks earlier, so events of the replaced blocks are read again; the
 * handlers must therefore be idempotent. Returns the last block scanned (undefined when nothing was new).
 */
export async function scanFromCursor(
  context: JobContext,
  options: EventScanOptions,
  head: bigint,
  chunk: (from: bigint, to: bigint) => Promise<void>,
): Promise<bigint | undefined> {
  const { client, store, log } = context;
  let from = options.fromBlock;
  const saved = store.getCursor(options.job, options.cursorKey);
  if (saved) {
    const [number, hash] = saved.split(":") as [string, Hex];
    const block = await client.publicClient.getBlock({ blockNumber: BigInt(number) }).catch(() => undefined);
    if (block?.hash === hash) from = BigInt(number) + 1n;
    else {
      from = BigInt(number) > options.reorgDepth ? BigInt(number) - options.reorgDepth : options.fromBlock;
      log.warn({ cursor: number, rescanFrom: from }, `the ${options.label} scan's cursor block left the chain; rescanning`);
    }
  }
  let last: bigint | undefined;
  while (from <= head) {
    const to = from + options.logChunkBlocks - 1n < head ? from + options.logChunkBlocks - 1n : head;
    await chunk(from, to);
    const block = await client.publicClient.getBlock({ blockNumber: to });
    store.setCursor(options.job, options.cursorKey, `${to}:${block.hash}`);
    last = to;
    from = to + 1n;
  }
  return last;
}
