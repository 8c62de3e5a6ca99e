/**
 * Token counting with gpt-tokenizer (o200k_base, the GPT-4o / o-series encoding), used when a backend does not
 * report usage itself and to bound a request's prompt before it runs.
 *
 * Byte-pair encoding is quadratic in the length of one pre-token (a run of letters, of punctuation, of
 * whitespace): 30,000 repeated letters take ~0.7 s, a 1 MiB one-word prompt many minutes. So the text is cut
 * into pieces wherever a run of whitespace or of non-whitespace reaches {@link MAX_RUN} characters, and the
 * pieces are encoded separately: no pre-token is longer than that, and counting is linear in the text. Text
 * without such runs (prose, code) is encoded in one piece, so its count is exact; a longer run counts as the sum
 * of its pieces' tokens (a close approximation, never more than one token per byte).
 */
import { encode } from "gpt-tokenizer";

/** Longest run of whitespace or of non-whitespace characters encoded as one piece. */
export const MAX_RUN = 64;
/** Characters counted between two yields to the event loop in {@link countPromptTokensAsync}. */
const YIELD_EVERY = 32_768;

/** A message as far as counting is concerned: text content only. */
export type CountableMessage = { role: string; content?: string | null | readonly { type: string; text?: string }[]; name?: string };

function isWhitespace(code: number): boolean {
  // The characters of JavaScript's `\s` (the tokenizer's pre-tokenizer splits on the same class).
  return (
    code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff
  );
}

/**
 * Where to cut `text` so that no run of whitespace or of non-whitespace in a piece exceeds {@link MAX_RUN}
 * characters (a cut never splits a surrogate pair). Returns the end offsets of the pieces; linear time.
 */
export function pieceEnds(text: string): number[] {
  const ends: number[] = [];
  let runStart = 0;
  let runIsSpace = text.length > 0 && isWhitespace(text.charCodeAt(0));
  for (let i = 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const space = isWhitespace(code);
    if (space !== runIsSpace) {
      runStart = i;
      runIsSpace = space;
    } else if (i - runStart >= MAX_RUN && !(code >= 0xdc00 && code <= 0xdfff)) {
      ends.push(i);
      runStart = i;
    }
  }
  ends.push(text.length);
  return ends;
}

/** Tokens of a plain string, in time linear in its length. */
export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  let tokens = 0;
  let start = 0;
  for (const end of pieceEnds(text)) {
    tokens += encode(text.slice(start, end)).length;
    start = end;
  }
  return tokens;
}

/** The text of a message's content (text parts joined). */
export function messageText(content: CountableMessage["content"]): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text ?? "").join("");
}

/** The texts a chat's prompt is counted from, with the fixed tokens around them. */
function promptParts(messages: readonly CountableMessage[], extraText: string): { fixed: number; texts: string[] } {
  let fixed = 3;
  const texts: string[] = [];
  for (const message of messages) {
    fixed += 3;
    texts.push(message.role, messageText(message.content));
    if (message.name) {
      fixed += 1;
      texts.push(message.name);
    }
  }
  texts.push(extraText);
  return { fixed, texts };
}

/**
 * Prompt tokens of a chat, following OpenAI's accounting for chat models: 3 tokens of framing per message,
 * the role, the content, 1 more when a name is given, and 3 tokens priming the reply.
 * `extraText` (serialized tool definitions, response format) is counted as plain text.
 */
export function countPromptTokens(messages: readonly CountableMessage[], extraText = ""): number {
  const { fixed, texts } = promptParts(messages, extraText);
  return texts.reduce((tokens, text) => tokens + countTextTokens(text), fixed);
}

/**
 * {@link countPromptTokens}, yielding to the event loop every {@link YIELD_EVERY} characters so that a large
 * prompt (up to the body limit) does not hold up other requests while it is counted.
 */
export async function countPromptTokensAsync(messages: readonly CountableMessage[], extraText = ""): Promise<number> {
  const { fixed, texts } = promptParts(messages, extraText);
  let tokens = fixed;
  let sinceYield = 0;
  for (const text of texts) {
    let start = 0;
    for (const end of pieceEnds(text)) {
      if (end === start) continue;
      tokens += encode(text.slice(start, end)).length;
      sinceYield += end - start;
      start = end;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  return tokens;
}

/**
 * An upper bound of a request's prompt tokens from its body size alone: every token is at least one byte of
 * UTF-8 text, and the body (JSON, decompressed) has at least as many bytes as the text and framing it carries.
 */
export function promptTokenBound(bodyBytes: number): number {
  return bodyBytes;
}
