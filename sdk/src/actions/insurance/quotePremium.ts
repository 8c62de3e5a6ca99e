import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { insurancePoolAbi } from "../../generated/abis.js";
import { insuranceAddresses } from "../../insurance/addresses.js";
import type { PolicyTerms } from "../../insurance/premium.js";
import { readOrThrow } from "../../internal/write.js";

export type QuotePremiumParameters = {
  /** Who would buy (its experience on the model rates the premium). */
  buyer: Address;
  terms: PolicyTerms;
  /** Block to read at (default latest). */
  blockNumber?: bigint;
};
export type QuotePremiumReturnType = {
  /** Stablecoin units `buyPolicy` would take now. */
  premium: bigint;
  /** The expected claims it is priced on (population rate, before loading and experience). */
  expectedClaims: bigint;
};
export type QuotePremiumErrorType =
  | CogFiContractError<"InvalidTerms" | "InsufficientHistory" | "PolicyActive" | "VaultOverflow">
  | CogFiError;

/**
 * The premium `buyer` would pay now for `terms` (`InsurancePool.quotePremium`): the model's histogram priced by
 * PremiumLib; `quotePremiumOffline` computes the same figure from the inputs. Reverts as `buyPolicy` would on the
 * terms and history, not on capacity.
 * @example
 * const { premium } = await quotePremium(client, { buyer, terms: { modelId, period: 7n * 86_400n, strikeTokens: 2_000n,
 *   limitTokens: 8_000n, coinsuranceBps: 8_000n, requests: 200n, aggregateLimit: 1_000_000n } });
 */
export async function quotePremium(client: CogFiClient, parameters: QuotePremiumParameters): Promise<QuotePremiumReturnType> {
  const { insurancePool } = insuranceAddresses(client);
  const [premium, expectedClaims] = await readOrThrow("quotePremium", () =>
    client.publicClient.readContract({
      address: insurancePool,
      abi: insurancePoolAbi,
      functionName: "quotePremium",
      args: [parameters.buyer, parameters.terms],
      blockNumber: parameters.blockNumber,
    }),
  );
  return { premium, expectedClaims };
}
