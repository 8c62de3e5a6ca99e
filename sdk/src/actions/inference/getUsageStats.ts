import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { inferenceLedgerLensAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import { histogramBucketFloor } from "../../ledger/receipts.js";

export type GetUsageStatsParameters = { modelId: bigint; blockNumber?: bigint };
export type GetUsageStatsReturnType = {
  requests: bigint;
  inputTokens: bigint;
  outputTokens: bigint;
  reasoningTokens: bigint;
  /** Attested cost at the model's pricing, before budget caps (stablecoin units). */
  cost: bigint;
  /** What sessions actually paid. */
  charged: bigint;
  lastFeedAt: bigint;
  /** Request counts per bucket of generated tokens; `floor` is the bucket's lower bound. */
  histogram: { bucket: number; floor: bigint; requests: bigint }[];
};
export type GetUsageStatsErrorType = CogFiError;

/**
 * Reads a model's cumulative usage and its histogram of generated tokens per request (insurance pricing input).
 * @example
 * const { requests, histogram } = await getUsageStats(client, { modelId: 1n });
 */
export async function getUsageStats(
  client: CogFiClient,
  { modelId, blockNumber }: GetUsageStatsParameters,
): Promise<GetUsageStatsReturnType> {
  const address = ledgerAddresses(client).inferenceLedgerLens;
  const [stats, buckets] = await readOrThrow("getUsageStats", () =>
    Promise.all([
      client.publicClient.readContract({ address, abi: inferenceLedgerLensAbi, functionName: "usageStats", args: [modelId], blockNumber }),
      client.publicClient.readContract({ address, abi: inferenceLedgerLensAbi, functionName: "usageHistogram", args: [modelId], blockNumber }),
    ]),
  );
  return {
    requests: stats.requests,
    inputTokens: stats.inputTokens,
    outputTokens: stats.outputTokens,
    reasoningTokens: stats.reasoningTokens,
    cost: stats.cost,
    charged: stats.charged,
    lastFeedAt: BigInt(stats.lastFeedAt),
    histogram: buckets.map((requests, bucket) => ({ bucket, floor: histogramBucketFloor(bucket), requests })),
  };
}
