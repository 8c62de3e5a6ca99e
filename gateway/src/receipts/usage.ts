/** From what a backend reported (or did not) to the token counts a receipt attests. */
import { MAX_TOKENS } from "@cogfi/sdk";
import type { BackendUsage } from "../backends/types.js";
import { countTextTokens } from "../tokenizer.js";

/** Largest token count a receipt field holds (32 bits: the sdk's `MAX_TOKENS`). */
export const MAX_RECEIPT_TOKENS = Number(MAX_TOKENS);

export type ReceiptUsage = {
  inputTokens: number;
  /** Visible output: completion minus reasoning. */
  outputTokens: number;
  reasoningTokens: number;
  /** True when the backend reported more completion tokens than approved and the receipt was clamped. */
  clamped: boolean;
};

/**
 * Final usage of a request. Reported counts win; missing ones are counted with gpt-tokenizer (`countedPrompt`,
 * the generated text). The completion never exceeds the approved cap: the gateway attests at most what it
 * approved, so a misbehaving upstream cannot overdraw a session.
 */
export function finalizeUsage(
  reported: BackendUsage,
  counted: { promptTokens: number; content: string; reasoningContent: string },
  maxTokens: number,
): ReceiptUsage {
  const inputTokens = Math.min(reported.promptTokens ?? counted.promptTokens, MAX_RECEIPT_TOKENS);
  let reasoningTokens = reported.reasoningTokens ?? countTextTokens(counted.reasoningContent);
  let completionTokens = reported.completionTokens ?? countTextTokens(counted.content) + reasoningTokens;
  if (completionTokens < reasoningTokens) completionTokens = reasoningTokens;
  let clamped = false;
  if (completionTokens > maxTokens) {
    clamped = true;
    completionTokens = maxTokens;
    reasoningTokens = Math.min(reasoningTokens, maxTokens);
  }
  return { inputTokens, outputTokens: completionTokens - reasoningTokens, reasoningTokens, clamped };
}
