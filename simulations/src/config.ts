/**
 * Every parameter of the simulations, in one place: the zod schema that validates a scenario's overrides, the
 * defaults, and where each default comes from (`PARAMETER_SOURCES`, one entry per leaf, checked by a test).
 * Amounts the protocol holds are in token units (stablecoin: 6 decimals; shares: 18); prices are USD per share.
 * "Assumption" marks a default chosen for a plausible long-tail model share with no market data yet: the
 * scenarios stress each of them.
 */
import { z } from "zod";

const probability = z.number().min(0).max(1);
const positive = z.number().positive();
const nonNegative = z.number().min(0);
const step = z.number().int().min(0);

export const priceSchema = z.object({
  initialUsd: positive,
  annualDrift: z.number(),
  annualVol: nonNegative,
  jumpsPerYear: nonNegative,
  jumpMeanLog: z.number(),
  jumpVolLog: nonNegative,
  stressedVolMultiplier: positive,
  stressedJumpMultiplier: nonNegative,
  calmToStressedPerDay: probability,
  stressedToCalmPerDay: probability,
  /** Weight of the common factor in each model's diffusion and jumps (0: independent models). */
  correlation: probability,
});

export const reasoningSchema = z.object({
  medianTokens: positive,
  logSigma: nonNegative,
  paretoWeight: probability,
  paretoAlpha: z.number().gt(1),
  paretoScaleTokens: positive,
  maxTokens: positive,
});

export const usageSchema = z.object({
  requestsPerHour: nonNegative,
  inputTokensMean: nonNegative,
  outputTokensMean: nonNegative,
  reasoning: reasoningSchema,
  sampleRequests: z.number().int().min(1).max(1024),
  burstsPerDay: nonNegative,
  burstMultiplier: positive,
  burstSteps: z.number().int().min(1),
  collapsesPerYear: nonNegative,
  collapseFactor: probability,
  /** Log change of the share price per log change of the usage level at a collapse (fair value follows revenue). */
  priceElasticity: nonNegative,
});

export const pricingSchema = z.object({
  inputPerMTok: z.number().int().min(0),
  outputPerMTok: z.number().int().min(0),
  reasoningPerMTok: z.number().int().min(0),
});

export const revenueSchema = z.object({
  protocolFeeBps: z.number().int().min(0).max(1000),
  submitterFeeBps: z.number().int().min(0).max(500),
  shareSupply: positive,
});

export const ammSchema = z.object({
  fee: z.union([z.literal(500), z.literal(3000), z.literal(10000)]),
  liquidityUsd: positive,
  twapWindowSteps: z.number().int().min(1),
  arbGasUsd: nonNegative,
});

export const borrowerSchema = z.object({
  /** Loan-to-value at opening as a fraction of the LLTV (0.95: 95% of the way to liquidation). */
  ltvOfLltv: z.number().gt(0).lt(1),
  /** Share of the market's borrowing this borrower takes. */
  weight: positive,
});

export const lendingSchema = z.object({
  lltv: z.number().gt(0).lt(1),
  borrowApr: nonNegative,
  selfRepaying: z.boolean(),
  /** Debt opened as a fraction of the borrow cap `capsFromLiquidity` gives on the initial pool. */
  capUsage: z.number().gt(0).max(1),
  /** Borrowed / supplied at the start (sets the suppliers' deposits from the opened debt). */
  utilization: z.number().gt(0).max(1),
  /** Extra borrow cap multiplier (1: the sdk's cap; above 1: a cap beyond what the pool can absorb). */
  capMultiplier: positive,
  borrowers: z.array(borrowerSchema).min(1),
});

export const liquidatorSchema = z.object({ latencySteps: step, gasUsd: nonNegative });

/**
 * The InsurancePool and its agents (docs/insurance.md): insured buyers (one policy each, bought at the path's start for
 * the path's horizon, priced by the sdk's `quotePremiumOffline` on the model's usage histogram before the path) and
 * underwriters (initial capital, a matured withdrawal queue, new deposits).
 */
export const insuranceSchema = z.object({
  enabled: z.boolean(),
  /** Insured buyers per model, one policy each. */
  buyers: z.number().int().min(1).max(1_000),
  /** Share of a model's requests made by its insured buyers (split evenly between them). */
  insuredShare: probability,
  /** Strike as a multiple of the fixed-price strike (the histogram's mean generated tokens per request, rounded up). */
  strikeOfMean: positive,
  /** Per-request limit: insured generated tokens above the strike. */
  limitTokens: z.number().int().min(1).max(4_294_967_295),
  /** The pool's share of the excess, bps (at most MAX_COINSURANCE_BPS). */
  coinsuranceBps: z.number().int().min(1).max(9_000),
  /** A policy's cap on insured requests as a multiple of its buyer's expected insured requests over the horizon. */
  requestsOfExpected: positive,
  /** Aggregate limit as a multiple of the premium at a zero limit (at most MAX_LIMIT_MULTIPLE_BPS / 1e4 = 4). */
  aggregateLimitOfPremium: z.number().gt(0).max(4),
  /** Settled requests in the model's histogram the pool prices from (drawn from the path's usage before any event). */
  historyRequests: z.number().int().min(1_000).max(1_000_000),
  /** The pool's parameters (InsurancePool constructor; loading at most MAX_LOADING_BPS). */
  loadingBps: z.number().int().min(0).max(50_000),
  capitalChargeBps: z.number().int().min(0).max(10_000),
  /** At most MAX_LEVERAGE_BPS (10x); the model cap at most the leverage (the constructor's InvalidParameter). */
  maxLeverageBps: z.number().int().min(1).max(100_000),
  maxModelExposureBps: z.number().int().min(1).max(100_000),
  /** Underwriters' capital at the start as a multiple of the aggregate limits the buyers ask for. */
  capitalOfLimits: positive,
  /** Share of the initial capital queued for withdrawal long enough ago that the cooldown has passed. */
  withdrawQueuedShare: probability,
  /** New deposits during the path as a share of the initial capital (one deposit at a random step). */
  depositShare: nonNegative,
});

export const paramsSchema = z.object({
  paths: z.number().int().min(1).max(10_000_000),
  horizonSteps: z.number().int().min(1),
  stepSeconds: z.number().int().min(1),
  models: z.number().int().min(1).max(16),
  price: priceSchema,
  usage: usageSchema,
  pricing: pricingSchema,
  revenue: revenueSchema,
  amm: ammSchema,
  lending: lendingSchema,
  liquidators: z.array(liquidatorSchema).min(1),
  metrics: z.object({ bootstrapResamples: z.number().int().min(10).max(10_000), confidence: z.number().gt(0).lt(1) }),
  insurance: insuranceSchema,
});
export type Params = z.infer<typeof paramsSchema>;

/** The defaults (the baseline scenario overrides none of them). */
export const DEFAULT_PARAMS: Params = {
  paths: 1000,
  horizonSteps: 288,
  stepSeconds: 300,
  models: 1,
  price: {
    initialUsd: 2,
    annualDrift: 0,
    annualVol: 1.2,
    jumpsPerYear: 12,
    jumpMeanLog: -0.05,
    jumpVolLog: 0.1,
    stressedVolMultiplier: 2.5,
    stressedJumpMultiplier: 4,
    calmToStressedPerDay: 0.05,
    stressedToCalmPerDay: 0.5,
    correlation: 0.6,
  },
  usage: {
    requestsPerHour: 20_000,
    inputTokensMean: 1_500,
    outputTokensMean: 400,
    reasoning: { medianTokens: 2_000, logSigma: 0.737, paretoWeight: 0.05, paretoAlpha: 1.5, paretoScaleTokens: 6_000, maxTokens: 65_536 },
    sampleRequests: 32,
    burstsPerDay: 2,
    burstMultiplier: 3,
    burstSteps: 12,
    collapsesPerYear: 1,
    collapseFactor: 0.2,
    priceElasticity: 0.5,
  },
  pricing: { inputPerMTok: 150_000, outputPerMTok: 600_000, reasoningPerMTok: 600_000 },
  revenue: { protocolFeeBps: 500, submitterFeeBps: 100, shareSupply: 1_000_000 },
  amm: { fee: 3000, liquidityUsd: 2_000_000, twapWindowSteps: 6, arbGasUsd: 1 },
  lending: {
    lltv: 0.77,
    borrowApr: 0.08,
    selfRepaying: true,
    capUsage: 0.8,
    utilization: 0.8,
    capMultiplier: 1,
    borrowers: [
      { ltvOfLltv: 0.5, weight: 0.3 },
      { ltvOfLltv: 0.7, weight: 0.3 },
      { ltvOfLltv: 0.85, weight: 0.25 },
      { ltvOfLltv: 0.95, weight: 0.15 },
    ],
  },
  liquidators: [
    { latencySteps: 1, gasUsd: 5 },
    { latencySteps: 3, gasUsd: 1 },
  ],
  metrics: { bootstrapResamples: 200, confidence: 0.95 },
  insurance: {
    enabled: true,
    buyers: 20,
    insuredShare: 0.25,
    strikeOfMean: 1,
    limitTokens: 8_000,
    coinsuranceBps: 8_000,
    requestsOfExpected: 1.5,
    aggregateLimitOfPremium: 4,
    historyRequests: 4_096,
    loadingBps: 2_000,
    capitalChargeBps: 500,
    maxLeverageBps: 10_000,
    maxModelExposureBps: 5_000,
    capitalOfLimits: 2.5,
    withdrawQueuedShare: 0.25,
    depositShare: 0.05,
  },
};

/** Where each default comes from, by dotted path (array entries share their array's entry). */
export const PARAMETER_SOURCES: Record<string, string> = {
  paths: "1,000 paths: the benchmark size of issue #14; a 95% bootstrap CI of VaR95 then spans ~±1 percentile",
  horizonSteps: "288 steps of 5 minutes = one day: the revenue stream period (DEFAULT_REVENUE_STREAM_PERIOD, sdk constants)",
  stepSeconds: "300 s: fine enough that a 60%-in-an-hour crash takes 12 steps (issue #14 scenario)",
  models: "1 model per run; the correlated-crash scenario sets 3",
  "price.initialUsd": "Assumption: 2 USD per share (npm start's demo pool is seeded near this order of magnitude)",
  "price.annualDrift": "0: risk measured without a trend (a drift would only shift the paths)",
  "price.annualVol": "Assumption: 120%/yr, the upper range of long-tail crypto tokens' realized volatility",
  "price.jumpsPerYear": "Assumption: about one jump a month (model releases, benchmark results)",
  "price.jumpMeanLog": "Assumption: jumps lose 5% on average (bad news moves long-tail tokens more than good)",
  "price.jumpVolLog": "Assumption: 10% log-sd of a jump",
  "price.stressedVolMultiplier": "Assumption: stressed regime 2.5x the volatility (crypto volatility regimes roughly double to triple)",
  "price.stressedJumpMultiplier": "Assumption: 4x the jump rate when stressed",
  "price.calmToStressedPerDay": "Assumption: a stressed spell starts about every 20 days",
  "price.stressedToCalmPerDay": "Assumption: stressed spells last about 2 days",
  "price.correlation": "Assumption: 0.6 common-factor weight between model shares (AI tokens trade as one sector)",
  "usage.requestsPerHour": "Assumption: 20,000 requests/hour for one popular hosted model",
  "usage.inputTokensMean": "Assumption: 1,500 input tokens per request (chat with context)",
  "usage.outputTokensMean": "Assumption: 400 visible output tokens per request",
  "usage.reasoning.medianTokens": "Assumption: 2,000 thinking tokens at the median for a reasoning model",
  "usage.reasoning.logSigma":
    "0.737: issue #13's study (arXiv 2603.23971) saw one query's thinking tokens vary up to 9.7x between runs; the expected range of ~10 lognormal draws is ~3.08 sd, so sd = ln(9.7)/3.08",
  "usage.reasoning.paretoWeight": "Assumption: 5% of requests fall in a Pareto tail (runaway reasoning)",
  "usage.reasoning.paretoAlpha": "Assumption: tail index 1.5 (finite mean, infinite variance: heavy tail)",
  "usage.reasoning.paretoScaleTokens": "Assumption: the tail starts at 3x the median",
  "usage.reasoning.maxTokens": "64k tokens: a typical max_tokens cap the gateway enforces by budget",
  "usage.sampleRequests": "32 sampled requests per step, scaled to the step's count (the sum of heavy tails is kept, at a bounded cost)",
  "usage.burstsPerDay": "Assumption: two traffic bursts a day (launches, agents' batch jobs)",
  "usage.burstMultiplier": "Assumption: a burst triples traffic",
  "usage.burstSteps": "Assumption: a burst lasts an hour (12 steps)",
  "usage.collapsesPerYear": "Assumption: one usage collapse a year (a better model ships)",
  "usage.collapseFactor": "Assumption: a collapse keeps 20% of the traffic",
  "usage.priceElasticity": "Assumption: the share's price moves with the square root of its revenue at a collapse",
  "pricing.inputPerMTok": "npm start's demo pricing order: 0.15 USD per million input tokens (6-decimal stablecoin units)",
  "pricing.outputPerMTok": "0.60 USD per million output tokens (same source)",
  "pricing.reasoningPerMTok": "0.60 USD per million reasoning tokens (billed as output, as hosted reasoning models do)",
  "revenue.protocolFeeBps": "Assumption: 5% protocol fee (the ledger allows up to MAX_PROTOCOL_FEE_BPS = 10%)",
  "revenue.submitterFeeBps": "Assumption: 1% keeper fee (the ledger allows up to MAX_SUBMITTER_FEE_BPS = 5%)",
  "revenue.shareSupply": "1,000,000 shares: the supply npm start registers models with",
  "amm.fee": "0.3% tier (FEE_TIERS 3000, tick spacing 60): the tier for volatile pairs",
  "amm.liquidityUsd": "Assumption: 2M USD on the stablecoin side, full range",
  "amm.twapWindowSteps": "30-minute TWAP (6 steps): the ShareOracle's window order of magnitude",
  "amm.arbGasUsd": "Assumption: 1 USD of gas per arbitrage on an L2",
  "lending.lltv": "77%: Morpho Blue's governance-enabled LLTV for volatile collateral",
  "lending.borrowApr": "Assumption: 8% borrow APR (AdaptiveIrm near target utilization)",
  "lending.selfRepaying": "true: the market repays debt from the collateral's revenue (design, self-repaying loans)",
  "lending.capUsage": "Assumption: 80% of the cap is borrowed",
  "lending.utilization": "80%: the AdaptiveIrm's target utilization (Morpho's adaptive curve IRM targets 90%; 80% leaves room)",
  "lending.capMultiplier": "1: the borrow cap of sdk capsFromLiquidity (sellable collateral at the LLTV)",
  "lending.borrowers": "Assumption: leverage ladder at 50/70/85/95% of the LLTV, weighted toward the safer ones",
  liquidators: "Assumption: a fast bot (1 step, 5 USD gas with priority) and a slow cheap one (3 steps, 1 USD)",
  "metrics.bootstrapResamples": "200 percentile-bootstrap resamples (Efron & Tibshirani: 200+ for percentile intervals is customary; CI edges vary in the 2nd digit)",
  "metrics.confidence": "95% intervals",
  "insurance.enabled": "true: the insurance agents run by default; they draw only from their own streams (insurance:*) and read the usage the revenue step drew, so lending and AMM figures are the same with them off",
  "insurance.buyers": "Assumption: 20 insured buyers per model (agents and apps with heavy reasoning traffic)",
  "insurance.insuredShare": "Assumption: a quarter of a model's requests are made under a policy",
  "insurance.strikeOfMean": "1: the fixed-price plan of docs/insurance.md §2 (strike = fixedPriceStrike, the mean generated tokens)",
  "insurance.limitTokens": "8,000 tokens per request above the strike: npm start's demo policy (script/demoInsurance.ts)",
  "insurance.coinsuranceBps": "80%: npm start's demo policy (the contract allows up to MAX_COINSURANCE_BPS = 90%)",
  "insurance.requestsOfExpected": "Assumption: buyers ask for 1.5x the insured requests they expect (bursts take more)",
  "insurance.aggregateLimitOfPremium": "4x: the most the contract lets a buyer with a clean record take (MAX_LIMIT_MULTIPLE_BPS, docs/insurance.md §4): the pool's worst case",
  "insurance.historyRequests": "4,096 settled requests in the pricing histogram: 4x the pool's MIN_OBSERVATIONS (1,000)",
  "insurance.loadingBps": "20%: the loading script/Deploy.s.sol deployed before the search (InsuranceDeployer); `cogfi-sim search` recommends one (deployments/recommended-params.json)",
  "insurance.capitalChargeBps": "5% a year on aggregate limits: script/deploy/InsuranceDeployer.sol",
  "insurance.maxLeverageBps": "1x (fully collateralized): script/deploy/InsuranceDeployer.sol",
  "insurance.maxModelExposureBps": "50%: one model at most half the capital, script/deploy/InsuranceDeployer.sol",
  "insurance.capitalOfLimits": "Assumption: underwriters hold 2.5x the limits asked, so one model's half of the capital (maxModelExposureBps) covers them",
  "insurance.withdrawQueuedShare": "Assumption: a quarter of the capital sits in matured withdrawal requests (WITHDRAW_COOLDOWN = 30 days + 1 hour ago); requests made during a path cannot mature within it",
  "insurance.depositShare": "Assumption: new deposits of 5% of the capital arrive during the path",
};

/** Dotted paths of every leaf of the defaults (arrays count as one leaf). */
export function parameterLeaves(value: unknown = DEFAULT_PARAMS, prefix = ""): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, entry]) => parameterLeaves(entry, prefix ? `${prefix}.${key}` : key));
}
