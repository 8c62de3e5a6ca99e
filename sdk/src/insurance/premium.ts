/**
 * The compute-insurance premium (pure), the InsurancePool's `PremiumLib` in TypeScript with the contract's rounding
 * at every step (docs/insurance.md §3). `quotePremiumOffline` composes it the way `InsurancePool.quotePremium` does;
 * `sdk/src/insurance/premium.test.ts` checks it against the contract on anvil to the unit for random histograms and
 * terms.
 */
import { CogFiError } from "../errors.js";
import { HISTOGRAM_BUCKETS, MAX_COINSURANCE_BPS, MAX_POLICY_PERIOD } from "../constants.js";

/** Basis points in one (`PremiumLib.BPS`). */
export const PREMIUM_BPS = 10_000n;
/** Seconds in the year the capital charge is quoted over (`PremiumLib.YEAR`, 365 days). */
export const PREMIUM_YEAR = 31_536_000n;
/** Prices are per million tokens (`PremiumLib.MTOK`). */
export const PREMIUM_MTOK = 1_000_000n;
/** Stand-in for the unbounded top of bucket 31 (`type(uint256).max`): the per-request limit always binds there. */
const UNBOUNDED = (1n << 256n) - 1n;

const ceilDiv = (x: bigint, d: bigint): bigint => (x === 0n ? 0n : (x - 1n) / d + 1n);

/**
 * Generated tokens a request of histogram `bucket` is taken to have (`PremiumLib.bucketUpperTokens`): 0 for bucket 0,
 * 2^k - 1 for bucket k in [1, 30], unbounded (2^256 - 1) for bucket 31.
 */
export function bucketUpperTokens(bucket: number): bigint {
  if (!Number.isInteger(bucket) || bucket < 0) throw new CogFiError(`bucket ${bucket} is not a histogram bucket`);
  if (bucket === 0) return 0n;
  if (bucket >= HISTOGRAM_BUCKETS - 1) return UNBOUNDED;
  return (1n << BigInt(bucket)) - 1n;
}

/** The insured excess of one request of `tokens` generated tokens: above the strike, at most the per-request limit. */
export function insuredExcess(tokens: bigint, strikeTokens: bigint, limitTokens: bigint): bigint {
  if (tokens <= strikeTokens) return 0n;
  const excess = tokens - strikeTokens;
  return excess < limitTokens ? excess : limitTokens;
}

/**
 * Sum of the histogram's insured excess tokens (each request at its bucket's upper bound) and its number of requests
 * (`PremiumLib.excessTokens`).
 * @example
 * const { excessSum, observations } = excessTokens(histogram, 1_000n, 4_000n);
 */
export function excessTokens(
  histogram: readonly bigint[],
  strikeTokens: bigint,
  limitTokens: bigint,
): { excessSum: bigint; observations: bigint } {
  if (histogram.length !== HISTOGRAM_BUCKETS) {
    throw new CogFiError(`a usage histogram has ${HISTOGRAM_BUCKETS} buckets, got ${histogram.length}`);
  }
  let excessSum = 0n;
  let observations = 0n;
  histogram.forEach((count, bucket) => {
    if (count === 0n) return;
    observations += count;
    excessSum += count * insuredExcess(bucketUpperTokens(bucket), strikeTokens, limitTokens);
  });
  return { excessSum, observations };
}

/**
 * Expected claims of a policy, rounded up (`PremiumLib.expectedClaims`): requests x mean insured excess x rate / 1e6
 * x co-insurance / 1e4; zero without observations.
 */
export function expectedClaims(
  excessSum: bigint,
  observations: bigint,
  requests: bigint,
  ratePerMTok: bigint,
  coinsuranceBps: bigint,
): bigint {
  if (observations === 0n) return 0n;
  return ceilDiv(requests * excessSum * ratePerMTok * coinsuranceBps, observations * PREMIUM_MTOK * PREMIUM_BPS);
}

/** The experience factor in bps (`PremiumLib.experienceBps`): past claims over expected, rounded up, at least 1x. */
export function experienceBps(claims: bigint, expected: bigint): bigint {
  if (expected === 0n) return PREMIUM_BPS;
  const ratio = ceilDiv(claims * PREMIUM_BPS, expected);
  return ratio > PREMIUM_BPS ? ratio : PREMIUM_BPS;
}

/** Capital charge on `aggregateLimit` for `periodSeconds` at `capitalChargeBps` a year, rounded up. */
export function capitalCharge(aggregateLimit: bigint, capitalChargeBps: bigint, periodSeconds: bigint): bigint {
  return ceilDiv(aggregateLimit * capitalChargeBps * periodSeconds, PREMIUM_BPS * PREMIUM_YEAR);
}

/** The premium (`PremiumLib.premium`): expected x experience x (1 + loading), rounded up, plus the capital charge. */
export function premiumOf(parameters: {
  expectedClaims: bigint;
  experienceBps: bigint;
  loadingBps: bigint;
  aggregateLimit: bigint;
  capitalChargeBps: bigint;
  periodSeconds: bigint;
}): bigint {
  const { loadingBps } = parameters;
  return (
    ceilDiv(parameters.expectedClaims * parameters.experienceBps * (PREMIUM_BPS + loadingBps), PREMIUM_BPS * PREMIUM_BPS) +
    capitalCharge(parameters.aggregateLimit, parameters.capitalChargeBps, parameters.periodSeconds)
  );
}

/** What a buyer asks for (`PolicyTerms`, docs/insurance.md §2). Stablecoin amounts in its units. */
export type PolicyTerms = {
  modelId: bigint;
  /** Seconds from purchase during which sessions may be opened under the policy (at most `MAX_POLICY_PERIOD`). */
  period: bigint;
  /** Generated tokens per request the buyer pays in full. */
  strikeTokens: bigint;
  /** Per-request limit: at most this many generated tokens above the strike are insured. */
  limitTokens: bigint;
  /** The pool's share of the excess, in bps (at most `MAX_COINSURANCE_BPS`). */
  coinsuranceBps: bigint;
  /** Cap on insured requests (the policy's first settled ones). */
  requests: bigint;
  /** The most the policy pays in total. */
  aggregateLimit: bigint;
};

const UINT32_MAX = (1n << 32n) - 1n;
const UINT48_MAX = (1n << 48n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * The field the InsurancePool refuses `terms` for (`InvalidTerms(field)`: 0 period or model id, 1 strike, 2 per-request
 * limit, 3 co-insurance, 4 requests, 5 aggregate limit, 6 rate), checked in the contract's order; null when they are
 * in range. `ratePerMTok` is the lower of the model's output and reasoning prices.
 * @example
 * if (invalidTermsField(terms, rate) !== null) throw new Error("terms out of range");
 */
export function invalidTermsField(terms: PolicyTerms, ratePerMTok: bigint): number | null {
  if (terms.period === 0n || terms.period > MAX_POLICY_PERIOD) return 0;
  if (terms.strikeTokens < 0n || terms.strikeTokens > UINT32_MAX) return 1;
  if (terms.limitTokens === 0n || terms.limitTokens > UINT32_MAX) return 2;
  if (terms.coinsuranceBps === 0n || terms.coinsuranceBps > MAX_COINSURANCE_BPS) return 3;
  if (terms.requests === 0n || terms.requests > UINT32_MAX) return 4;
  if (terms.aggregateLimit === 0n || terms.aggregateLimit > UINT64_MAX) return 5;
  if (terms.modelId > UINT48_MAX) return 0;
  if (ratePerMTok > UINT48_MAX) return 6;
  return null;
}

/** The inputs of a quote the contract reads from the chain. */
export type PremiumInputs = {
  /** The model's usage histogram (`InferenceLedger.usageHistogram`), 32 counts. */
  histogram: readonly bigint[];
  /** The lower of the model's output and reasoning prices in force, per million tokens. */
  ratePerMTok: bigint;
  /** The pool's `loadingBps` and `capitalChargeBps`. */
  loadingBps: bigint;
  capitalChargeBps: bigint;
  /** The buyer's record on the model (claims and expected claims, the latest policy folded in); none by default. */
  experience?: { claims: bigint; expectedClaims: bigint };
};

/**
 * The premium and expected claims `InsurancePool.quotePremium` returns for `terms`, computed offline from what it
 * reads (it does not check the terms' ranges nor the minimum history: `quotePremium` the action does).
 * @example
 * const { premium } = quotePremiumOffline(terms, { histogram, ratePerMTok: 1_500_000n, loadingBps: 2000n, capitalChargeBps: 500n });
 */
export function quotePremiumOffline(terms: PolicyTerms, inputs: PremiumInputs): { premium: bigint; expectedClaims: bigint; observations: bigint } {
  const { excessSum, observations } = excessTokens(inputs.histogram, terms.strikeTokens, terms.limitTokens);
  const expected = expectedClaims(excessSum, observations, terms.requests, inputs.ratePerMTok, terms.coinsuranceBps);
  const experience = inputs.experience ?? { claims: 0n, expectedClaims: 0n };
  const premium = premiumOf({
    expectedClaims: expected,
    experienceBps: experienceBps(experience.claims, experience.expectedClaims),
    loadingBps: inputs.loadingBps,
    aggregateLimit: terms.aggregateLimit,
    capitalChargeBps: inputs.capitalChargeBps,
    periodSeconds: terms.period,
  });
  return { premium, expectedClaims: expected, observations };
}
