import { encode } from "gpt-tokenizer";
import { describe, expect, test } from "vitest";
import { countPromptTokens, countPromptTokensAsync, countTextTokens, MAX_RUN, pieceEnds } from "./tokenizer.js";

describe("token counting", () => {
  test("prose and code are counted exactly (one piece)", () => {
    const prose = "The quick brown fox jumps over the lazy dog, 12345 times.\n\tfunction f(x) { return x * 2; } ".repeat(500);
    expect(pieceEnds(prose)).toEqual([prose.length]);
    expect(countTextTokens(prose)).toBe(encode(prose).length);
  });

  test.each([
    ["one letter", "a"],
    ["punctuation", "!"],
    ["no-break space", "\u00a0"],
    ["spaces", " "],
    ["a two-byte letter", "é"],
    ["an astral character", "😀"],
  ])("1 MiB of %s is counted in linear time, at most one token per byte", (_name, unit) => {
    const text = unit.repeat(Math.floor(1_048_576 / Buffer.byteLength(unit)));
    const startedAt = performance.now();
    const tokens = countTextTokens(text);
    // The quadratic encoder needed minutes for this; the bound is generous for a shared machine.
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(Buffer.byteLength(text));
  });

  test("pieces never split a surrogate pair and bound every run", () => {
    const text = `${"😀".repeat(200)} ${"b".repeat(300)}`;
    let start = 0;
    for (const end of pieceEnds(text)) {
      const piece = text.slice(start, end);
      expect(piece).not.toMatch(new RegExp(`\\S{${MAX_RUN + 2},}|\\s{${MAX_RUN + 2},}`));
      const code = text.charCodeAt(end);
      expect(code >= 0xdc00 && code <= 0xdfff).toBe(false);
      start = end;
    }
  });

  test("the async count equals the sync one", async () => {
    const messages = [
      { role: "system", content: "You are terse." },
      { role: "user", content: [{ type: "text", text: "x".repeat(100_000) }, { type: "text", text: " and more" }], name: "bob" },
    ];
    expect(await countPromptTokensAsync(messages, '{"tools":[]}')).toBe(countPromptTokens(messages, '{"tools":[]}'));
  });
});
