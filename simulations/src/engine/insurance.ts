/**
 * The InsurancePool in the engine (docs/insurance.md): insured buyers and underwriters, as an `Agent` that acts after
 * the built-in steps.
 *
 * - **Pricing**: the pool quotes from the model's usage histogram (`InferenceLedger.usageHistogram`: generated tokens
 *   per request in log2 buckets). Here that history is `historyRequests` requests drawn from the model's usage
 *   distribution as it stands before the path (stream `insurance:history:<model>`, no scenario event applied): the pool
 *   prices on the past, and a blow-up inside the policy period is the pool's risk. Premiums come from the sdk's
 *   `quotePremiumOffline` (PremiumLib to the unit), never a copy of it.
 * - **Buyers**: `buyers` per model, each one policy bought at the path's start for the path's horizon: the fixed-price
 *   strike (the history's mean generated tokens, rounded up) times `strikeOfMean`, a per-request limit, co-insurance, a
 *   cap on insured requests and an aggregate limit of `aggregateLimitOfPremium` x the premium at a zero limit (at most
 *   4x: the contract's credit rule). Sales obey the pool's capacity (leverage) and per-model exposure cap.
 * - **Claims**: each step a model's insured requests (`insuredShare` of its requests, split evenly between its buyers)
 *   claim the insured excess of the step's sampled requests (the same draws the revenue step made:
 *   `UsageProcess.lastSample`), `floor(excess x rate x coinsurance / (1e6 x 1e4))` per buyer and step as the contract
 *   rounds once per group, capped by the policy's requests and aggregate limit left and by the vault's assets.
 * - **Underwriters**: capital `capitalOfLimits` x the limits asked; `withdrawQueuedShare` of it sits in matured
 *   withdrawal requests (older than `WITHDRAW_COOLDOWN`) and leaves from a random step on, only out of free capital
 *   (assets above `ceil(exposure / leverage)`); a deposit of `depositShare` arrives at a random step. Requests made
 *   during a path cannot mature within it (the cooldown is 30 days and an hour).
 * - **Ruin**: a claim the vault cannot pay in full (assets would go below zero): the contract caps the payout by its
 *   assets, so the buyer is refused the rest. At 1x leverage exposure never exceeds capital and ruin cannot happen.
 */
import { histogramBucket, HISTOGRAM_BUCKETS, insuredExcess, invalidTermsField, quotePremiumOffline, type PolicyTerms } from "@cogfi/sdk";
import type { Params } from "../config.js";
import { SimulationError } from "../errors.js";
import { drawReasoningTokens } from "./paths.js";
import type { Agent, StepContext } from "./simulate.js";

export const INSURANCE_AGENT = "insurance";

/** What the insurance agent adds to a path's result (`extensions.insurance`); amounts in stablecoin units as strings. */
export type InsurancePathFigures = {
  premiums: string;
  claims: string;
  /** Claims the vault could not pay for lack of assets. */
  refused: string;
  ruined: boolean;
  /** Expected claims the pool priced (sum over sold policies). */
  expectedClaims: string;
  policies: number;
  policiesRefused: number;
  capitalStart: string;
  capitalEnd: string;
  deposited: string;
  withdrawn: string;
  /** Highest exposure / (assets x leverage) over the path. */
  peakUtilization: number;
};

type Policy = { model: number; terms: PolicyTerms; premium: bigint; requestsLeft: bigint; limitLeft: bigint };

const BPS = 10_000n;
const MTOK = 1_000_000n;
const ceilDiv = (x: bigint, d: bigint): bigint => (x === 0n ? 0n : (x - 1n) / d + 1n);
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const round = (x: number): number => Number(x.toPrecision(12));

/** The model's pricing history: its usage histogram and mean generated tokens (what `fixedPriceStrike` reads). */
export function pricingHistory(context: StepContext, model: number): { histogram: bigint[]; meanTokens: number } {
  const { params } = context.scenario;
  const stream = context.random.stream(`insurance:history:${model}`);
  const histogram = Array<bigint>(HISTOGRAM_BUCKETS).fill(0n);
  const output = Math.round(params.usage.outputTokensMean);
  let sum = 0;
  for (let i = 0; i < params.insurance.historyRequests; i++) {
    const generated = output + drawReasoningTokens(stream, params.usage.reasoning, 1);
    sum += generated;
    const bucket = histogramBucket(BigInt(generated));
    histogram[bucket] = histogram[bucket]! + 1n;
  }
  return { histogram, meanTokens: sum / params.insurance.historyRequests };
}

/** The pool, its underwriters and its insured buyers over one path. */
export class InsuranceAgent implements Agent {
  readonly name = INSURANCE_AGENT;
  readonly accounts: number;
  private readonly params: Params["insurance"];
  private readonly policies: Policy[] = [];
  private readonly strikes: bigint[] = [];
  private readonly output: bigint;
  private readonly rate: bigint;
  private assets = 0n;
  private exposure = 0n;
  private premiums = 0n;
  private claims = 0n;
  private refused = 0n;
  private expected = 0n;
  private policiesRefused = 0;
  private readonly capitalStart: bigint;
  private queued: bigint;
  private readonly deposit: bigint;
  private readonly depositStep: number;
  private readonly withdrawStep: number;
  private deposited = 0n;
  private withdrawn = 0n;
  private peakUtilization = 0;

  constructor(context: StepContext) {
    const all = context.scenario.params;
    const p = (this.params = all.insurance);
    if (p.maxModelExposureBps > p.maxLeverageBps) throw new SimulationError(`insurance: maxModelExposureBps ${p.maxModelExposureBps} above maxLeverageBps ${p.maxLeverageBps} (the pool's constructor refuses it)`);
    this.accounts = all.models * p.buyers + 2; // buyers, the underwriters' capital, the depositor
    this.output = BigInt(Math.round(all.usage.outputTokensMean));
    this.rate = BigInt(Math.min(all.pricing.outputPerMTok, all.pricing.reasoningPerMTok));
    const period = BigInt(all.horizonSteps * all.stepSeconds);
    const expectedRequests = (all.usage.requestsPerHour * all.horizonSteps * all.stepSeconds * p.insuredShare) / 3600 / p.buyers;
    const requests = BigInt(Math.max(1, Math.ceil(expectedRequests * p.requestsOfExpected)));

    // Quotes first (the terms do not depend on the capital), then the capital sized on the limits asked.
    const asked: { model: number; terms: PolicyTerms; premium: bigint; expected: bigint }[] = [];
    for (let model = 0; model < all.models; model++) {
      const { histogram, meanTokens } = pricingHistory(context, model);
      const strikeTokens = BigInt(Math.ceil(meanTokens * p.strikeOfMean));
      this.strikes.push(strikeTokens);
      const inputs = { histogram, ratePerMTok: this.rate, loadingBps: BigInt(p.loadingBps), capitalChargeBps: BigInt(p.capitalChargeBps) };
      const base: PolicyTerms = { modelId: BigInt(model + 1), period, strikeTokens, limitTokens: BigInt(p.limitTokens), coinsuranceBps: BigInt(p.coinsuranceBps), requests, aggregateLimit: 0n };
      const atZero = quotePremiumOffline(base, inputs).premium;
      const aggregateLimit = BigInt(Math.max(1, Math.floor(Number(atZero) * p.aggregateLimitOfPremium)));
      const terms = { ...base, aggregateLimit };
      const field = invalidTermsField(terms, this.rate);
      if (field !== null) throw new SimulationError(`insurance: the policy terms are out of the contract's range (InvalidTerms(${field})): ${JSON.stringify(terms, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`);
      const quote = quotePremiumOffline(terms, inputs);
      for (let b = 0; b < p.buyers; b++) asked.push({ model, terms, premium: quote.premium, expected: quote.expectedClaims });
    }
    const limits = asked.reduce((sum, a) => sum + a.terms.aggregateLimit, 0n);
    this.capitalStart = BigInt(Math.ceil(Number(limits) * p.capitalOfLimits));
    this.assets = this.capitalStart;
    this.queued = BigInt(Math.floor(Number(this.capitalStart) * p.withdrawQueuedShare));
    this.deposit = BigInt(Math.floor(Number(this.capitalStart) * p.depositShare));
    const underwriters = context.random.stream("insurance:underwriters");
    this.withdrawStep = Math.floor(underwriters.uniform() * all.horizonSteps);
    this.depositStep = Math.floor(underwriters.uniform() * all.horizonSteps);

    // Sales, in model then buyer order: capacity counts the premium (InsufficientCapacity / ModelExposureCap).
    const modelLimits = Array<bigint>(all.models).fill(0n);
    for (const a of asked) {
      const limit = a.terms.aggregateLimit;
      const capital = this.assets + a.premium;
      if ((this.exposure + limit) * BPS > capital * BigInt(p.maxLeverageBps) || (modelLimits[a.model]! + limit) * BPS > capital * BigInt(p.maxModelExposureBps)) {
        this.policiesRefused++;
        continue;
      }
      this.assets += a.premium;
      this.premiums += a.premium;
      this.expected += a.expected;
      this.exposure += limit;
      modelLimits[a.model] = modelLimits[a.model]! + limit;
      this.policies.push({ model: a.model, terms: a.terms, premium: a.premium, requestsLeft: a.terms.requests, limitLeft: limit });
    }
    this.trackUtilization();
  }

  private trackUtilization(): void {
    if (this.assets === 0n) return;
    const utilization = Number((this.exposure * 1_000_000n * BPS) / (this.assets * BigInt(this.params.maxLeverageBps))) / 1_000_000;
    if (utilization > this.peakUtilization) this.peakUtilization = utilization;
  }

  step(context: StepContext): void {
    const t = context.step;
    const p = this.params;
    if (t === this.depositStep && this.deposit > 0n) {
      this.assets += this.deposit;
      this.deposited += this.deposit;
    }
    if (t >= this.withdrawStep && this.queued > 0n) {
      const required = ceilDiv(this.exposure * BPS, BigInt(p.maxLeverageBps));
      const free = this.assets > required ? this.assets - required : 0n;
      const out = min(this.queued, free);
      if (out > 0n) {
        this.assets -= out;
        this.withdrawn += out;
        this.queued -= out;
        context.trace({ model: -1, kind: "underwriterWithdraw", amount: out, queuedLeft: this.queued });
      }
    }
    for (const state of context.models) {
      const sample = state.usage.lastSample;
      const insured = BigInt(Math.floor(state.usage.lastRequests * p.insuredShare));
      if (insured === 0n || sample.length === 0) continue;
      const strike = this.strikes[state.model]!;
      let excessSum = 0n;
      for (const reasoning of sample) excessSum += insuredExcess(this.output + BigInt(reasoning), strike, BigInt(p.limitTokens));
      const buyers = BigInt(p.buyers);
      const share = insured / buyers;
      const remainder = insured % buyers;
      let b = 0;
      for (const policy of this.policies) {
        if (policy.model !== state.model) continue;
        const own = share + (BigInt((b++ + t) % p.buyers) < remainder ? 1n : 0n);
        const requests = min(own, policy.requestsLeft);
        if (requests === 0n || policy.limitLeft === 0n) continue;
        policy.requestsLeft -= requests;
        const excess = (requests * excessSum) / BigInt(sample.length);
        let covered = min((excess * this.rate * policy.terms.coinsuranceBps) / (MTOK * BPS), policy.limitLeft);
        if (covered > this.assets) {
          if (this.refused === 0n) context.trace({ model: state.model, kind: "insuranceRuin", claim: covered, assets: this.assets });
          this.refused += covered - this.assets;
          covered = this.assets;
        }
        this.assets -= covered;
        this.claims += covered;
        policy.limitLeft -= covered;
        this.exposure -= covered;
      }
    }
    this.trackUtilization();
  }

  finish(): InsurancePathFigures {
    return {
      premiums: this.premiums.toString(),
      claims: this.claims.toString(),
      refused: this.refused.toString(),
      ruined: this.refused > 0n,
      expectedClaims: this.expected.toString(),
      policies: this.policies.length,
      policiesRefused: this.policiesRefused,
      capitalStart: this.capitalStart.toString(),
      capitalEnd: this.assets.toString(),
      deposited: this.deposited.toString(),
      withdrawn: this.withdrawn.toString(),
      peakUtilization: round(this.peakUtilization),
    };
  }
}
