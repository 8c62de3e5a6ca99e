import type { CogFiClient } from "../../client.js";
import { COST_KINDS } from "../../constants.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { computeCostFeedAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";

export type GetComputeCostParameters = {
  modelId: bigint;
  /** A past round; omit for the latest. */
  roundId?: bigint;
  blockNumber?: bigint;
};
/** `undefined` when the model has no round yet. Answers have 18 decimals of the stablecoin. */
export type GetComputeCostReturnType =
  | {
      roundId: bigint;
      costPerRequest: bigint;
      costPerMillionTokens: bigint;
      /** Start of the window the round averages (the previous round's time). */
      startedAt: bigint;
      updatedAt: bigint;
    }
  | undefined;
export type GetComputeCostErrorType = CogFiContractError<"NoSuchRound"> | CogFiError;

/**
 * Reads the attested cost of a model's inference from the ComputeCostFeed (the ledger's feed).
 * @example
 * const cost = await getComputeCost(client, { modelId: 1n });
 * if (cost) console.log(formatUnits(cost.costPerRequest, 18), "per request");
 */
export async function getComputeCost(
  client: CogFiClient,
  { modelId, roundId, blockNumber }: GetComputeCostParameters,
): Promise<GetComputeCostReturnType> {
  const { inferenceLedger, computeCostFeed } = ledgerAddresses(client);
  return readOrThrow("getComputeCost", async () => {
    const latest =
      roundId ??
      (await client.publicClient.readContract({
        address: computeCostFeed,
        abi: computeCostFeedAbi,
        functionName: "latestRound",
        args: [inferenceLedger, modelId],
        blockNumber,
      }));
    if (latest === 0n) return undefined;
    const [round, data] = await Promise.all([
      client.publicClient.readContract({
        address: computeCostFeed,
        abi: computeCostFeedAbi,
        functionName: "getRound",
        args: [inferenceLedger, modelId, latest],
        blockNumber,
      }),
      client.publicClient.readContract({
        address: computeCostFeed,
        abi: computeCostFeedAbi,
        functionName: "getRoundData",
        args: [inferenceLedger, modelId, COST_KINDS.indexOf("perRequest"), latest],
        blockNumber,
      }),
    ]);
    return {
      roundId: latest,
      costPerRequest: round.costPerRequest,
      costPerMillionTokens: round.costPerMTok,
      startedAt: data[2],
      updatedAt: BigInt(round.updatedAt),
    };
  });
}
