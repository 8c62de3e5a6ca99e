import { parseEventLogs } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { modelRegistryAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import type { Pricing } from "../../registry/types.js";

export type SetPricingParameters = { modelId: bigint; pricing: Pricing };
export type SetPricingReturnType = { effectiveAt: bigint; hash: `0x${string}` };
export type SetPricingErrorType =
  | CogFiContractError<"UnknownModel" | "NotModelOwner" | "PricingChangePending">
  | CogFiError;

/**
 * Schedules new pricing for a model; it takes effect after the registry's `PRICING_DELAY` (7 days), so sessions
 * already approved are not repriced under their buyers. Owner only.
 * @example
 * const { effectiveAt } = await setPricing(client, {
 *   modelId: 1n, pricing: { inputPerMTok: 120_000n, outputPerMTok: 480_000n, reasoningPerMTok: 480_000n },
 * });
 */
export async function setPricing(client: CogFiClient, { modelId, pricing }: SetPricingParameters): Promise<SetPricingReturnType> {
  const { hash, receipt } = await writeAndWait(client, "setPricing", {
    address: client.deployment.contracts.ModelRegistry,
    abi: modelRegistryAbi,
    functionName: "setPricing",
    args: [modelId, pricing],
  });
  const [event] = parseEventLogs({ abi: modelRegistryAbi, eventName: "PricingScheduled", logs: receipt.logs });
  if (!event) throw new CogFiError(`setPricing ${hash} emitted no PricingScheduled event`);
  return { effectiveAt: event.args.effectiveAt, hash };
}
