import { parseUnits } from "viem";
import type { ModelParams, Pricing } from "../src/registry/types.js";

/** $0.10 / $0.40 / $0.40 per million input / output / reasoning tokens, in 6-decimal units. */
export const demoPricing: Pricing = { inputPerMTok: 100_000n, outputPerMTok: 400_000n, reasoningPerMTok: 400_000n };

export function modelParams(name: string, overrides: Partial<ModelParams> = {}): ModelParams {
  return { name, metadataURI: `ipfs://cogfi/${name}`, pricing: demoPricing, shareSupply: parseUnits("1000000", 18), ...overrides };
}
