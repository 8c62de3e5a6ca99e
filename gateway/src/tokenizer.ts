/**
 * Token counting with gpt-tokenizer (o200k_base, the GPT-4o / o-series encoding), used when a backend does not
 * report usage itself and to bound a request's prompt before it runs.
 */
import { encode } from "gpt-tokenizer";

/** A message as far as counting is concerned: text content only. */
export type CountableMessage = { role: string; content?: string | null | readonly { type: string; text?: string }[]; name?: string };

/** Tokens of a plain string. */
export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : encode(text).length;
}

/** The text of a message's content (text parts joined). */
export function messageText(content: CountableMessage["content"]): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text ?? "").join("");
}

/**
 * Prompt tokens of a chat, following OpenAI's accounting for chat models: 3 tokens of framing per message,
 * the role, the content, 1 more when a name is given, and 3 tokens priming the reply.
 * `extraText` (serialized tool definitions, response format) is counted as plain text.
 */
export function countPromptTokens(messages: readonly CountableMessage[], extraText = ""): number {
  let tokens = 3;
  for (const message of messages) {
    tokens += 3 + countTextTokens(message.role) + countTextTokens(messageText(message.content));
    if (message.name) tokens += 1 + countTextTokens(message.name);
  }
  return tokens + countTextTokens(extraText);
}
