/**
 * The built-in simulated model: seeded and deterministic, with heavy-tailed reasoning.
 *
 * Each request draws its reasoning and output token counts from its model's profile
 * (`DEFAULT_SIMULATED_PROFILE` unless configured) with a PRNG seeded by
 * sha256(seed, model, messages, request seed): the same request always gets the same completion, whatever else
 * the gateway is doing. A draw that fits `max_tokens` is served whole; one that does not is cut
 * to the cap (`finish_reason: "length"`), which it shares: the output keeps at least the part of the cap the
 * reasoning may not take (`reasoningShareBps`) and at least `minVisibleTokens` (never more than it drew), the
 * reasoning fills the rest (see `share`). Raising the cap never changes what a smaller cap returned, only how much
 * of it.
 *
 * The visible output is exactly `output` tokens of o200k_base: words that are one token each.
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_SIMULATED_PROFILE, type SimulatedBackendConfig, type SimulatedProfile, type TokenDistribution } from "../config.js";
import type { Backend, BackendRequest, BackendResult, StreamEvent } from "./types.js";

/** Words that are a single o200k_base token with a leading space (checked by the tests). */
export const SIMULATED_WORDS = (
  "the of and to in is that for it as was with be by on not he this are or his from at which but have an they " +
  "you were her she there one all we their been has when who will more no if out so said what up its about into " +
  "than them can only other new some could time these two may then do first any my now such like our over man me " +
  "even most made after also did many before must through back years where much your way well down should because " +
  "each just those people how too little state good very make world still own see men work long get here between " +
  "both life being under never day same another know while last might us great old year off come since against go " +
  "came right used take three"
).split(" ");

/** sfc32: a small, fast PRNG with a 128-bit state. Returns floats in [0, 1). */
export function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
}

/** A PRNG seeded by the sha256 of `parts`. */
export function seededRandom(...parts: string[]): () => number {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  const digest = hash.digest();
  const random = sfc32(digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12));
  for (let i = 0; i < 12; i++) random();
  return random;
}

/** One draw from `distribution`, rounded to a whole, non-negative token count (at most 2^31). */
export function drawTokens(distribution: TokenDistribution, random: () => number): number {
  let value: number;
  switch (distribution.kind) {
    case "fixed":
      value = distribution.value;
      break;
    case "lognormal": {
      // Box-Muller; 1 - u keeps the logarithm finite.
      const u = 1 - random();
      const v = random();
      const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      value = distribution.median * Math.exp(distribution.sigma * normal);
      break;
    }
    case "pareto":
      value = distribution.scale / Math.pow(1 - random(), 1 / distribution.alpha);
      break;
    case "lognormalPareto": {
      // One uniform picks the component, then the component draws as on its own.
      const { median, sigma, tailProbability, tailScale, tailAlpha } = distribution;
      return random() < tailProbability
        ? drawTokens({ kind: "pareto", scale: tailScale, alpha: tailAlpha }, random)
        : drawTokens({ kind: "lognormal", median, sigma }, random);
    }
  }
  return Math.min(2 ** 31, Math.max(0, Math.round(value)));
}

export type SimulatedCompletion = {
  content: string;
  reasoningTokens: number;
  outputTokens: number;
  finishReason: "stop" | "length";
  /** The uncapped draw. */
  drawn: { reasoning: number; output: number };
};

export class SimulatedBackend implements Backend {
  readonly kind = "simulated";
  readonly #config: SimulatedBackendConfig;

  constructor(config: SimulatedBackendConfig) {
    this.#config = config;
  }

  profileOf(model: string): SimulatedProfile {
    return this.#config.profiles[model] ?? this.#config.profiles["*"] ?? DEFAULT_SIMULATED_PROFILE;
  }

  /**
   * How a cap is shared by a draw of `reasoning` and `output` tokens: whole when it fits; otherwise the output keeps
   * min(output, max(cap - ⌊cap · reasoningShareBps / 10,000⌋, minVisibleTokens)) tokens, or more when the reasoning
   * drawn leaves more, and the reasoning fills the rest of the cap. Both counts are non-decreasing in the cap.
   */
  share(reasoning: number, output: number, cap: number): { reasoningTokens: number; outputTokens: number } {
    if (reasoning + output <= cap) return { reasoningTokens: reasoning, outputTokens: output };
    const outputRoom = Math.max(cap - reasoning, cap - Math.floor((cap * this.#config.reasoningShareBps) / 10_000), Math.min(this.#config.minVisibleTokens, cap));
    const outputTokens = Math.min(output, outputRoom);
    return { reasoningTokens: cap - outputTokens, outputTokens };
  }

  /** The deterministic completion of a request (no I/O, no delay). */
  simulate(request: Pick<BackendRequest, "model" | "messages" | "maxTokens" | "params">): SimulatedCompletion {
    const requestSeed = request.params.seed === undefined ? "" : String(request.params.seed);
    const random = seededRandom(this.#config.seed, request.model, JSON.stringify(request.messages), requestSeed);
    const profile = this.profileOf(request.model);
    const reasoning = drawTokens(profile.reasoning, random);
    const output = Math.max(1, drawTokens(profile.output, random));
    const { reasoningTokens, outputTokens } = this.share(reasoning, output, request.maxTokens);
    const words: string[] = [];
    for (let i = 0; i < outputTokens; i++) {
      const word = SIMULATED_WORDS[Math.floor(random() * SIMULATED_WORDS.length)]!;
      words.push(i === 0 ? word : ` ${word}`);
    }
    return {
      content: words.join(""),
      reasoningTokens,
      outputTokens,
      finishReason: reasoning + output > request.maxTokens ? "length" : "stop",
      drawn: { reasoning, output },
    };
  }

  async complete(request: BackendRequest): Promise<BackendResult> {
    if (this.#config.latencyMs > 0) await sleep(this.#config.latencyMs, undefined, { signal: request.signal });
    const completion = this.simulate(request);
    return {
      content: completion.content,
      finishReason: completion.finishReason,
      usage: {
        promptTokens: request.promptTokens,
        completionTokens: completion.outputTokens + completion.reasoningTokens,
        reasoningTokens: completion.reasoningTokens,
      },
    };
  }

  async *stream(request: BackendRequest): AsyncIterable<StreamEvent> {
    if (this.#config.latencyMs > 0) await sleep(this.#config.latencyMs, undefined, { signal: request.signal });
    const completion = this.simulate(request);
    // Re-split the content into chunks of `streamChunkTokens` words (one token each).
    const words = completion.content.length === 0 ? [] : completion.content.split(/(?= )/);
    const size = this.#config.streamChunkTokens;
    for (let i = 0; i < words.length; i += size) {
      if (i > 0 && this.#config.interChunkDelayMs > 0) {
        await sleep(this.#config.interChunkDelayMs, undefined, { signal: request.signal });
      }
      request.signal.throwIfAborted();
      yield {
        type: "delta",
        content: words.slice(i, i + size).join(""),
        ...(i === 0 ? { reasoningTokens: completion.reasoningTokens } : {}),
      };
    }
    yield {
      type: "end",
      finishReason: completion.finishReason,
      usage: {
        promptTokens: request.promptTokens,
        completionTokens: completion.outputTokens + completion.reasoningTokens,
        reasoningTokens: completion.reasoningTokens,
      },
    };
  }
}
