/**
 * The `servedPricing` of a usage batch: the pricing a gateway served the batch's receipts at, packed into one
 * word as `inputPerMTok << 160 | outputPerMTok << 80 | reasoningPerMTok` (80 bits each). Settlement charges, per
 * token kind, the lower of it and the model's pricing in force (docs/receipts.md). Pure functions.
 */
import type { Pricing } from "../registry/types.js";
import { MAX_PRICE } from "../constants.js";
import { ReceiptFormatError } from "./receipts.js";

export { MAX_PRICE, PRICE_BITS } from "../constants.js";

/**
 * Packs a pricing into the `servedPricing` word a batch signs.
 * Throws `ReceiptFormatError` for a price that does not fit 80 bits.
 * @example
 * const servedPricing = packPricing({ inputPerMTok: 150_000n, outputPerMTok: 600_000n, reasoningPerMTok: 600_000n });
 */
export function packPricing(pricing: Pricing): bigint {
  for (const [name, value] of Object.entries(pricing)) {
    if (value < 0n || value > MAX_PRICE) throw new ReceiptFormatError(`${name} ${value} does not fit 80 bits`);
  }
  return (pricing.inputPerMTok << 160n) | (pricing.outputPerMTok << 80n) | pricing.reasoningPerMTok;
}

/**
 * Unpacks a `servedPricing` word (bits above 240 are ignored, as the ledger does).
 * @example
 * const { inputPerMTok } = unpackPricing(batch.servedPricing);
 */
export function unpackPricing(packed: bigint): Pricing {
  return {
    inputPerMTok: (packed >> 160n) & MAX_PRICE,
    outputPerMTok: (packed >> 80n) & MAX_PRICE,
    reasoningPerMTok: packed & MAX_PRICE,
  };
}

/**
 * The component-wise minimum of pricings: what a gateway signs as `servedPricing` for a batch whose receipts it
 * served at several pricings. Throws `ReceiptFormatError` when given none.
 * @example
 * const served = minPricing(pricingAtFirstReceipt, pricingAtLastReceipt);
 */
export function minPricing(...pricings: readonly Pricing[]): Pricing {
  const [first, ...rest] = pricings;
  if (!first) throw new ReceiptFormatError("minPricing needs at least one pricing");
  const min = (a: bigint, b: bigint) => (a < b ? a : b);
  return rest.reduce<Pricing>(
    (acc, p) => ({
      inputPerMTok: min(acc.inputPerMTok, p.inputPerMTok),
      outputPerMTok: min(acc.outputPerMTok, p.outputPerMTok),
      reasoningPerMTok: min(acc.reasoningPerMTok, p.reasoningPerMTok),
    }),
    { ...first },
  );
}

/**
 * The pricing `settle` charges a batch at: per token kind, the lower of the model's pricing in force at settlement
 * (`pricingNow`, `getModel(...).pricing`) and the batch's `servedPricing` (packed or unpacked).
 * @example
 * const cost = usageCost(tokens, chargedPricing(model.pricing, batch.servedPricing));
 */
export function chargedPricing(pricingNow: Pricing, servedPricing: bigint | Pricing): Pricing {
  return minPricing(pricingNow, typeof servedPricing === "bigint" ? unpackPricing(servedPricing) : servedPricing);
}
