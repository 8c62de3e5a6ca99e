import { fcParams } from "@cogfi/sdk/testing";
import fc from "fast-check";
import { encode } from "gpt-tokenizer";
import { describe, expect, test } from "vitest";
import { DEFAULT_SIMULATED_PROFILE, INSURED_DEMO_SIMULATED_PROFILE, backendConfigSchema, type SimulatedBackendConfig } from "../config.js";
import { countTextTokens } from "../tokenizer.js";
import { SIMULATED_WORDS, SimulatedBackend, drawTokens, seededRandom } from "./simulated.js";
import type { BackendRequest, ChatMessage } from "./types.js";

/** The defaults of the config schema, with a test seed and small stream chunks. */
const config = (overrides: Partial<SimulatedBackendConfig> = {}): SimulatedBackendConfig =>
  backendConfigSchema.parse({ kind: "simulated", seed: "test", streamChunkTokens: 7, ...overrides }) as SimulatedBackendConfig;

const request = (text: string, maxTokens: number, seed?: number): BackendRequest => ({
  model: "cogito-8b",
  modelId: 1n,
  messages: [{ role: "user", content: text }] satisfies ChatMessage[],
  maxTokens,
  promptTokens: 10,
  params: seed === undefined ? {} : { seed },
  signal: new AbortController().signal,
});

describe("SimulatedBackend", () => {
  test("every simulated word is one o200k token, so the content has exactly the reported output tokens", () => {
    for (const word of SIMULATED_WORDS) {
      expect(encode(` ${word}`).length, word).toBe(1);
      expect(encode(word).length, word).toBe(1);
    }
    const backend = new SimulatedBackend(config());
    for (let i = 0; i < 50; i++) {
      const completion = backend.simulate(request(`question ${i}`, 100_000));
      expect(countTextTokens(completion.content)).toBe(completion.outputTokens);
    }
  });

  test("property: deterministic for a seed and request, whatever the order of requests", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 20_000 }), (texts, cap) => {
        const a = new SimulatedBackend(config());
        const b = new SimulatedBackend(config());
        const forward = texts.map((text) => a.simulate(request(text, cap)));
        const backward = [...texts].reverse().map((text) => b.simulate(request(text, cap))).reverse();
        expect(backward).toEqual(forward);
      }),
      fcParams({ numRuns: 100 }),
    );
  });

  test("property: the cap bounds completion tokens, and a larger cap only extends what a smaller one returned", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 0, max: 5_000 }), (text, cap, extra) => {
        const backend = new SimulatedBackend(config());
        const small = backend.simulate(request(text, cap));
        const large = backend.simulate(request(text, cap + extra));
        expect(small.reasoningTokens + small.outputTokens).toBeLessThanOrEqual(cap);
        expect(small.drawn).toEqual(large.drawn);
        expect(large.content.startsWith(small.content)).toBe(true);
        expect(small.finishReason).toBe(small.drawn.reasoning + small.drawn.output > cap ? "length" : "stop");
      }),
      fcParams({ numRuns: 100 }),
    );
  });

  test("a small cap still answers with visible text (it used to go all to reasoning below ~500 tokens)", () => {
    const backend = new SimulatedBackend(config());
    let empty = 0;
    let cut = 0;
    for (let cap = 1; cap <= 600; cap++) {
      const completion = backend.simulate(request(`small cap ${cap}`, cap));
      if (completion.content.length === 0) empty++;
      if (completion.finishReason === "length") cut++;
    }
    expect(cut, "most draws exceed a small cap: the case under test").toBeGreaterThan(300);
    expect(empty).toBe(0);
  });

  test("property: a cut draw shares the cap: reasoning at most reasoningShareBps of it, at least minVisibleTokens visible", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 200 }),
        (text, cap, reasoningShareBps, minVisibleTokens) => {
          const completion = new SimulatedBackend(config({ reasoningShareBps, minVisibleTokens })).simulate(request(text, cap));
          const { reasoning, output } = completion.drawn;
          if (reasoning + output <= cap) {
            expect(completion).toMatchObject({ reasoningTokens: reasoning, outputTokens: output, finishReason: "stop" });
            return;
          }
          expect(completion.finishReason).toBe("length");
          expect(completion.reasoningTokens + completion.outputTokens).toBe(cap);
          expect(completion.reasoningTokens).toBeLessThanOrEqual(reasoning);
          expect(completion.outputTokens).toBeLessThanOrEqual(output);
          // Visible: at least min(drawn, minVisibleTokens) ...
          expect(completion.outputTokens).toBeGreaterThanOrEqual(Math.min(output, minVisibleTokens, cap));
          // ... and the reasoning stays within its share unless the output drawn wanted less than the rest.
          if (completion.outputTokens < output) {
            expect(completion.reasoningTokens).toBeLessThanOrEqual(Math.floor((cap * reasoningShareBps) / 10_000));
          }
        },
      ),
      fcParams({ numRuns: 300 }),
    );
  });

  test("with the whole cap for reasoning and no visible floor, the cap is spent on reasoning first", () => {
    const backend = new SimulatedBackend(config({ reasoningShareBps: 10_000, minVisibleTokens: 0 }));
    for (let i = 0; i < 50; i++) {
      const completion = backend.simulate(request(`reasoning first ${i}`, 100));
      expect(completion.reasoningTokens).toBe(Math.min(completion.drawn.reasoning, 100));
      expect(completion.outputTokens).toBe(Math.min(completion.drawn.output, 100 - completion.reasoningTokens));
    }
  });

  test("another seed (or request seed) gives another completion", () => {
    const a = new SimulatedBackend(config()).simulate(request("hello", 50_000));
    const b = new SimulatedBackend(config({ seed: "other" })).simulate(request("hello", 50_000));
    const c = new SimulatedBackend(config()).simulate(request("hello", 50_000, 7));
    expect(a.drawn).not.toEqual(b.drawn);
    expect(a.drawn).not.toEqual(c.drawn);
  });

  test("the default reasoning profile is heavy-tailed: lognormal(median 512, sigma 1.25)", () => {
    const random = seededRandom("tail");
    const draws = Array.from({ length: 20_000 }, () => drawTokens(DEFAULT_SIMULATED_PROFILE.reasoning, random)).sort((x, y) => x - y);
    const quantile = (q: number) => draws[Math.floor(q * draws.length)]!;
    expect(quantile(0.5)).toBeGreaterThan(470);
    expect(quantile(0.5)).toBeLessThan(560);
    // p99 / p50 = exp(2.326 * 1.25) ≈ 18.3
    expect(quantile(0.99) / quantile(0.5)).toBeGreaterThan(14);
    expect(quantile(0.99) / quantile(0.5)).toBeLessThan(24);
  });

  test("a Pareto profile follows its tail law", () => {
    const random = seededRandom("pareto");
    const pareto = { kind: "pareto" as const, scale: 100, alpha: 1.5 };
    const draws = Array.from({ length: 20_000 }, () => drawTokens(pareto, random));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(100);
    // P(X > 1000) = (100/1000)^1.5 ≈ 0.0316
    const tail = draws.filter((x) => x > 1_000).length / draws.length;
    expect(tail).toBeGreaterThan(0.025);
    expect(tail).toBeLessThan(0.039);
  });

  test("the insured demo profile: a lognormal body and an 8% Pareto tail from 3,000 tokens", () => {
    const random = seededRandom("insured-tail");
    const draws = Array.from({ length: 40_000 }, () => drawTokens(INSURED_DEMO_SIMULATED_PROFILE.reasoning, random)).sort((x, y) => x - y);
    const quantile = (q: number) => draws[Math.floor(q * draws.length)]!;
    const above = (x: number) => draws.filter((d) => d > x).length / draws.length;
    // The body's median (600) moves up a little with the 8% tail: the mixture's median is about 630.
    expect(quantile(0.5)).toBeGreaterThan(580);
    expect(quantile(0.5)).toBeLessThan(690);
    // P(> 6,000) = 0.08 x (3,000/6,000)^1.6 ≈ 0.0264 (the body adds ~1e-4); P(> 12,000) ≈ 0.0087.
    expect(above(6_000)).toBeGreaterThan(0.022);
    expect(above(6_000)).toBeLessThan(0.031);
    expect(above(12_000)).toBeGreaterThan(0.0065);
    expect(above(12_000)).toBeLessThan(0.011);
    // Heavy enough to exercise a policy: p99 / p50 above 10 (the study saw 9.7x for one query).
    expect(quantile(0.99) / quantile(0.5)).toBeGreaterThan(10);
    // Config accepts it.
    expect(backendConfigSchema.parse({ kind: "simulated", profiles: { "*": INSURED_DEMO_SIMULATED_PROFILE } })).toMatchObject({
      profiles: { "*": INSURED_DEMO_SIMULATED_PROFILE },
    });
  });

  test("per-model profiles apply", () => {
    const backend = new SimulatedBackend(
      config({ profiles: { "cogito-8b": { reasoning: { kind: "fixed", value: 0 }, output: { kind: "fixed", value: 5 } } } }),
    );
    const completion = backend.simulate(request("x", 100));
    expect(completion.reasoningTokens).toBe(0);
    expect(completion.outputTokens).toBe(5);
  });

  test("streaming yields the same content and usage as a plain completion", async () => {
    const backend = new SimulatedBackend(config());
    const plain = await backend.complete(request("stream me", 3_000));
    let content = "";
    let usage;
    for await (const event of backend.stream(request("stream me", 3_000))) {
      if (event.type === "delta") content += event.content ?? "";
      else usage = event.usage;
    }
    expect(content).toBe(plain.content);
    expect(usage).toEqual(plain.usage);
  });
});
