import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError } from "../../errors.js";
import { insurancePoolAbi } from "../../generated/abis.js";
import { insuranceAddresses } from "../../insurance/addresses.js";
import { readOrThrow } from "../../internal/write.js";

export type GetPolicyParameters = { policyId: bigint; blockNumber?: bigint };
/** What is left of a policy's cover (`Cover`). */
export type PolicyCover = {
  strikeTokens: bigint;
  limitTokens: bigint;
  coinsuranceBps: bigint;
  /** Stablecoin units per million excess tokens, fixed at purchase. */
  ratePerMTok: bigint;
  requestsLeft: bigint;
  limitLeft: bigint;
  /** Settlements from this timestamp on are not covered (the period's end plus the settlement grace). */
  claimsUntil: bigint;
};
export type GetPolicyReturnType = {
  policyId: bigint;
  holder: Address;
  modelId: bigint;
  /** Sessions may be opened under the policy until this timestamp (excluded). */
  end: bigint;
  /** The session it currently covers (0n before the first). */
  sessionId: bigint;
  aggregateLimit: bigint;
  expectedClaims: bigint;
  released: boolean;
  cover: PolicyCover;
  /** Claims paid so far: the aggregate limit less what is left of it. */
  claimsPaid: bigint;
};
export type GetPolicyErrorType = CogFiError;

/**
 * Reads a policy and what is left of its cover (requests, limit); throws a `CogFiError` for an unknown id.
 * @example
 * const { cover, claimsPaid } = await getPolicy(client, { policyId });
 */
export async function getPolicy(client: CogFiClient, parameters: GetPolicyParameters): Promise<GetPolicyReturnType> {
  const { insurancePool } = insuranceAddresses(client);
  const { policyId, blockNumber } = parameters;
  const [policy, cover] = await readOrThrow("getPolicy", () =>
    Promise.all([
      client.publicClient.readContract({ address: insurancePool, abi: insurancePoolAbi, functionName: "getPolicy", args: [policyId], blockNumber }),
      client.publicClient.readContract({ address: insurancePool, abi: insurancePoolAbi, functionName: "policyCover", args: [policyId], blockNumber }),
    ]),
  );
  if (policy.holder === "0x0000000000000000000000000000000000000000") throw new CogFiError(`no policy ${policyId}`);
  return {
    policyId,
    holder: policy.holder,
    modelId: BigInt(policy.modelId),
    end: BigInt(policy.end),
    sessionId: BigInt(policy.sessionId),
    aggregateLimit: BigInt(policy.aggregateLimit),
    expectedClaims: BigInt(policy.expectedClaims),
    released: policy.released,
    cover: {
      strikeTokens: BigInt(cover.strikeTokens),
      limitTokens: BigInt(cover.limitTokens),
      coinsuranceBps: BigInt(cover.coinsuranceBps),
      ratePerMTok: BigInt(cover.ratePerMTok),
      requestsLeft: BigInt(cover.requestsLeft),
      limitLeft: BigInt(cover.limitLeft),
      claimsUntil: BigInt(cover.claimsUntil),
    },
    claimsPaid: BigInt(policy.aggregateLimit) - BigInt(cover.limitLeft),
  };
}
