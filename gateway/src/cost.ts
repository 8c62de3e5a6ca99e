/**
 * Cost math for approval, mirroring the ledger's `ReceiptLib.costUp`: stablecoin units =
 * ceil((input·inputPerMTok + output·outputPerMTok + reasoning·reasoningPerMTok) / 1e6).
 *
 * The ledger rounds up once per session group of a batch; the gateway rounds up once per receipt, which is never
 * less (a sum of ceilings is at least the ceiling of the sum), so its view of a session's unsettled usage is an
 * upper bound of what settlement will charge.
 */
import { usageCost } from "@cogfi/sdk";
import type { Pricing } from "./chain/types.js";

const MILLION = 1_000_000n;

/** Cost of the given token counts, rounded up, exactly as the ledger computes it (the sdk's `usageCost`). */
export function costUp(inputTokens: bigint, outputTokens: bigint, reasoningTokens: bigint, pricing: Pricing): bigint {
  return usageCost({ inputTokens, outputTokens, reasoningTokens }, pricing);
}

/** The dearer of the output and reasoning prices: a completion token may be either. */
export function completionTokenPrice(pricing: Pricing): bigint {
  return pricing.outputPerMTok > pricing.reasoningPerMTok ? pricing.outputPerMTok : pricing.reasoningPerMTok;
}

/** Most a request with `promptTokens` and at most `maxTokens` completion tokens can cost, rounded up. */
export function worstCaseCost(promptTokens: bigint, maxTokens: bigint, pricing: Pricing): bigint {
  const numerator = promptTokens * pricing.inputPerMTok + maxTokens * completionTokenPrice(pricing);
  return (numerator + MILLION - 1n) / MILLION;
}

/**
 * The largest completion cap whose worst-case cost fits `available` (undefined when any cap fits, i.e.
 * completion tokens are free), or -1 when even the prompt alone does not fit.
 */
export function affordableMaxTokens(available: bigint, promptTokens: bigint, pricing: Pricing): bigint | undefined {
  const promptNumerator = promptTokens * pricing.inputPerMTok;
  const budgetNumerator = available * MILLION;
  if (budgetNumerator < promptNumerator) return -1n;
  const perToken = completionTokenPrice(pricing);
  if (perToken === 0n) return undefined;
  // ceil(x / 1e6) <= available  <=>  x <= available·1e6.
  return (budgetNumerator - promptNumerator) / perToken;
}
