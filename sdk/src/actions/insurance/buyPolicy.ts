import { parseEventLogs, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { insurancePoolAbi } from "../../generated/abis.js";
import { insuranceAddresses } from "../../insurance/addresses.js";
import type { PolicyTerms } from "../../insurance/premium.js";
import { ensureAllowance } from "../../internal/allowance.js";
import { writeAndWait } from "../../internal/write.js";
import { quotePremium } from "./quotePremium.js";

export type BuyPolicyParameters = {
  terms: PolicyTerms;
  /**
   * The most the buyer pays (default: the premium quoted just before, so a price moved by a settlement in between
   * reverts with `PremiumAboveMax` instead of charging more).
   */
  maxPremium?: bigint;
  /** Approve the pool for `maxPremium` of the stablecoin if needed (default true). */
  approve?: boolean;
};
export type BuyPolicyReturnType = { hash: Hash; policyId: bigint; premium: bigint; end: bigint; expectedClaims: bigint };
export type BuyPolicyErrorType =
  | CogFiContractError<
      | "InvalidTerms"
      | "InsufficientHistory"
      | "PremiumAboveMax"
      | "LimitAboveCredit"
      | "PolicyActive"
      | "InsufficientCapacity"
      | "ModelExposureCap"
      | "VaultOverflow"
    >
  | CogFiError;

/**
 * Buys a compute-insurance policy on one model (docs/insurance.md §2), paying its premium in the ledger's
 * stablecoin. Open the insured session with `openSession(client, { ..., policyId })` before `end`.
 * @example
 * const { policyId, premium } = await buyPolicy(client, { terms });
 * await openSession(client, { modelId: terms.modelId, gatewayId, budget, expiry, policyId });
 */
export async function buyPolicy(client: CogFiClient, parameters: BuyPolicyParameters): Promise<BuyPolicyReturnType> {
  const wallet = requireWallet(client, "buyPolicy");
  const { insurancePool } = insuranceAddresses(client);
  const { terms } = parameters;
  const maxPremium = parameters.maxPremium ?? (await quotePremium(client, { buyer: wallet.account.address, terms })).premium;
  if (parameters.approve ?? true) {
    await ensureAllowance(client, "buyPolicy", client.deployment.contracts.Stablecoin, insurancePool, maxPremium);
  }
  const { hash, receipt } = await writeAndWait(client, "buyPolicy", {
    address: insurancePool,
    abi: insurancePoolAbi,
    functionName: "buyPolicy",
    args: [terms, maxPremium],
  });
  const [event] = parseEventLogs({ abi: insurancePoolAbi, eventName: "PolicyBought", logs: receipt.logs });
  if (!event) throw new CogFiError(`buyPolicy ${hash} emitted no PolicyBought event`);
  const { policyId, premium, end, expectedClaims } = event.args;
  return { hash, policyId, premium, end, expectedClaims };
}
