import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { modelShareAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";

export type GetClaimableRevenueParameters = { share: Address; holder: Address; blockNumber?: bigint };
export type GetClaimableRevenueReturnType = bigint;
export type GetClaimableRevenueErrorType = CogFiError;

/**
 * Stablecoin units `holder` could claim from `share` at the given block (default: latest).
 * @example
 * const owed = await getClaimableRevenue(client, { share: model.share, holder: account.address });
 */
export async function getClaimableRevenue(
  client: CogFiClient,
  { share, holder, blockNumber }: GetClaimableRevenueParameters,
): Promise<GetClaimableRevenueReturnType> {
  return readOrThrow("getClaimableRevenue", () =>
    client.publicClient.readContract({ address: share, abi: modelShareAbi, functionName: "claimable", args: [holder], blockNumber }),
  );
}
