/**
 * Exogenous paths, drawn step by step from a path's named streams: the external share prices (GBM with jumps and a
 * two-state regime, models correlated through a common factor) and usage (a level with bursts and collapses, and
 * heavy-tailed reasoning lengths: a lognormal body with a Pareto tail).
 */
import type { Params } from "../config.js";
import type { PathRandom, RandomStream } from "./rng.js";

const SECONDS_PER_YEAR = 31_536_000;
const SECONDS_PER_DAY = 86_400;

/** The regime shared by every model: calm or stressed (Markov, per-day switching rates turned per step). */
export class RegimeProcess {
  stressed = false;
  constructor(private readonly random: PathRandom, private readonly params: Params) {}
  step(): boolean {
    const days = this.params.stepSeconds / SECONDS_PER_DAY;
    const perDay = this.stressed ? this.params.price.stressedToCalmPerDay : this.params.price.calmToStressedPerDay;
    const p = 1 - Math.pow(1 - perDay, days);
    if (this.random.stream("regime").chance(p)) this.stressed = !this.stressed;
    return this.stressed;
  }
}

/**
 * Log-price increments of every model for one step: drift and diffusion with the common factor's weight
 * `correlation` (z = sqrt(rho) zc + sqrt(1 - rho) zi), and compound-Poisson jumps, common ones (rate x rho) and
 * each model's own (rate x (1 - rho)), lognormal sizes.
 */
export function priceIncrements(random: PathRandom, params: Params, stressed: boolean): number[] {
  const p = params.price;
  const dt = params.stepSeconds / SECONDS_PER_YEAR;
  const vol = p.annualVol * (stressed ? p.stressedVolMultiplier : 1);
  const jumpRate = p.jumpsPerYear * (stressed ? p.stressedJumpMultiplier : 1) * dt;
  const rho = p.correlation;
  const common = random.stream("price:common");
  const zc = common.normal();
  const commonJumps = common.poisson(jumpRate * rho);
  let commonJump = 0;
  for (let j = 0; j < commonJumps; j++) commonJump += p.jumpMeanLog + p.jumpVolLog * common.normal();
  const out: number[] = [];
  for (let m = 0; m < params.models; m++) {
    const own = random.stream(`price:${m}`);
    const z = Math.sqrt(rho) * zc + Math.sqrt(1 - rho) * own.normal();
    let jump = commonJump;
    const ownJumps = own.poisson(jumpRate * (1 - rho));
    for (let j = 0; j < ownJumps; j++) jump += p.jumpMeanLog + p.jumpVolLog * own.normal();
    out.push((p.annualDrift - 0.5 * vol * vol) * dt + vol * Math.sqrt(dt) * z + jump);
  }
  return out;
}

/**
 * One request's reasoning tokens drawn from `stream`: with probability `paretoWeight` a Pareto(scale, alpha) draw,
 * else lognormal(median, logSigma); scaled by `factor` (a blow-up) and capped at `maxTokens`.
 */
export function drawReasoningTokens(stream: RandomStream, r: Params["usage"]["reasoning"], factor: number): number {
  const raw = stream.chance(r.paretoWeight) ? stream.pareto(r.paretoScaleTokens, r.paretoAlpha) : r.medianTokens * Math.exp(r.logSigma * stream.normal());
  return Math.min(r.maxTokens, Math.round(raw * factor));
}

/** A model's usage level: 1 at the start, bursts (x multiplier for a while) and collapses (x factor, lasting). */
export class UsageProcess {
  level = 1;
  burstLeft = 0;
  reasoningFactor = 1;
  /** The last `requests` call's request count and its sampled reasoning lengths (what the insurance agent reads). */
  lastRequests = 0;
  lastSample: number[] = [];
  constructor(private readonly random: PathRandom, private readonly params: Params, private readonly model: number) {}

  /** Steps the level; returns the step's multiplier on the base request rate and whether a collapse happened. */
  step(): { multiplier: number; collapsed: boolean } {
    const u = this.params.usage;
    const stream = this.random.stream(`usage:${this.model}`);
    const days = this.params.stepSeconds / SECONDS_PER_DAY;
    if (this.burstLeft > 0) this.burstLeft--;
    else if (stream.chance(1 - Math.exp(-u.burstsPerDay * days))) this.burstLeft = u.burstSteps;
    const collapsed = stream.chance(1 - Math.exp(-u.collapsesPerYear * (this.params.stepSeconds / SECONDS_PER_YEAR)));
    if (collapsed) this.level *= u.collapseFactor;
    return { multiplier: this.level * (this.burstLeft > 0 ? u.burstMultiplier : 1), collapsed };
  }

  /**
   * Reasoning tokens of one request: with probability `paretoWeight` a Pareto(scale, alpha) draw, else
   * lognormal(median, logSigma); both scaled by a blow-up factor and capped at `maxTokens`.
   */
  reasoningTokens(): number {
    return drawReasoningTokens(this.random.stream(`reasoning:${this.model}`), this.params.usage.reasoning, this.reasoningFactor);
  }

  /** The step's requests (Poisson) and their token totals (a sample of `sampleRequests` scaled to the count). */
  requests(multiplier: number): { requests: number; inputTokens: bigint; outputTokens: bigint; reasoningTokens: bigint } {
    const u = this.params.usage;
    const stream = this.random.stream(`requests:${this.model}`);
    const requests = stream.poisson((u.requestsPerHour * this.params.stepSeconds * multiplier) / 3600);
    this.lastRequests = requests;
    this.lastSample = [];
    if (requests === 0) return { requests, inputTokens: 0n, outputTokens: 0n, reasoningTokens: 0n };
    const samples = Math.min(requests, u.sampleRequests);
    let reasoning = 0;
    for (let i = 0; i < samples; i++) {
      const tokens = this.reasoningTokens();
      this.lastSample.push(tokens);
      reasoning += tokens;
    }
    return {
      requests,
      inputTokens: BigInt(Math.round(u.inputTokensMean * requests)),
      outputTokens: BigInt(Math.round(u.outputTokensMean * requests)),
      reasoningTokens: BigInt(Math.round((reasoning / samples) * requests)),
    };
  }
}
