/**
 * The protocol constants the SDK works with, in one place. Each mirrors a contract constant; those the contracts
 * expose (public constants, immutables, views) are compared with a deployed suite by
 * `sdk/test/ledger/constants.test.ts`, and enum orders by calls that return each member. The receipt layout is
 * internal to the ledger's `ReceiptLib`: it is checked by behaviour there and by `test/vectors/receipts.json`.
 * Durations are seconds; on-chain `uint256` values are bigints.
 */
import { keccak256, toHex, type Hex } from "viem";
import recommended from "./recommended-params.json" with { type: "json" };

/* ModelRegistry */

/** Delay before a scheduled pricing change takes effect (`ModelRegistry.PRICING_DELAY`, 7 days). */
export const PRICING_DELAY = 604_800n;
/** Largest royalty a derivative pays its parent, in basis points (`ModelRegistry.MAX_ROYALTY_BPS`, 50%). */
export const MAX_ROYALTY_BPS = 5_000n;
/** Most ancestors a model may have (`ModelRegistry.MAX_ANCESTRY_DEPTH`). */
export const MAX_ANCESTRY_DEPTH = 4n;
/** Longest model name, in bytes (`ModelRegistry.MAX_NAME_LENGTH`). */
export const MAX_NAME_LENGTH = 64n;

/* ModelShare */

/**
 * A revenue deposit streams to holders over `ModelShare.REVENUE_STREAM_PERIOD()`, a deployment parameter (an
 * immutable of the share implementation, set by the registry's constructor): read it from the chain
 * (`getModelRevenue` returns it). This is the default `script/Deploy.s.sol` deploys with, one day, kept in
 * production; `npm start` deploys its local chain with 60 s.
 */
export const DEFAULT_REVENUE_STREAM_PERIOD = 86_400n;
/** Shortest stream period a share accepts (`ModelShare.MIN_REVENUE_STREAM_PERIOD`, 1 minute). */
export const MIN_REVENUE_STREAM_PERIOD = 60n;
/** Longest stream period a share accepts (`ModelShare.MAX_REVENUE_STREAM_PERIOD`, 30 days). */
export const MAX_REVENUE_STREAM_PERIOD = 2_592_000n;

/* InferenceLedger */

/** Seconds after expiry during which receipts can still be settled and charged (`InferenceLedger.SETTLEMENT_GRACE`). */
export const SETTLEMENT_GRACE = 3_600n;
/**
 * Longest a session may run, from its opening (`InferenceLedger.MAX_SESSION_DURATION` =
 * `PRICING_DELAY - SETTLEMENT_GRACE`), so no pricing change takes effect while it can still be charged.
 */
export const MAX_SESSION_DURATION = PRICING_DELAY - SETTLEMENT_GRACE;
/** Highest protocol fee, in basis points (`InferenceLedger.MAX_PROTOCOL_FEE_BPS`). */
export const MAX_PROTOCOL_FEE_BPS = 1_000n;
/** Highest submitter fee, in basis points (`InferenceLedger.MAX_SUBMITTER_FEE_BPS`). */
export const MAX_SUBMITTER_FEE_BPS = 500n;
/** Histogram buckets of generated tokens per request (`InferenceLedger.HISTOGRAM_BUCKETS`; see `histogramBucket`). */
export const HISTOGRAM_BUCKETS = 32;
/**
 * Most sessions one batch can list (session indexes are 16 bits). The ledger's `MAX_SESSIONS_PER_BATCH` is
 * internal (no getter); the constants test checks it by behaviour (one more session reverts `InvalidSessionCount`).
 */
export const MAX_SESSIONS_PER_BATCH = 1 << 16;
/** EIP-712 domain name and version of the InferenceLedger (its `DOMAIN_SEPARATOR()` hashes them). */
export const LEDGER_DOMAIN_NAME = "CogFi InferenceLedger";
export const LEDGER_DOMAIN_VERSION = "1";
/** The EIP-712 type string of `UsageBatch` (its hash is the ledger's `USAGE_BATCH_TYPEHASH`). */
export const USAGE_BATCH_TYPE =
  "UsageBatch(uint256 modelId,uint256 gatewayId,uint256 batchNumber,uint256 servedPricing,uint256[] sessionIds," +
  "uint256[] receipts,bytes32 requestsCommitment,address enclave)";
/** `IInferenceLedger.SkipReason`, in declaration order (the `reason` of `ReceiptsSkipped`). */
export const SKIP_REASONS = ["stale", "otherGateway"] as const;
export type SkipReasonName = (typeof SKIP_REASONS)[number];

/* Receipt words (ReceiptLib, internal: no getters) */

/* LAYOUT (most significant bit first): index 16 | sequence 48 | reserved 96 | input 32 | output 32 | reasoning 32 */
export const SESSION_INDEX_BITS = 16;
export const SEQUENCE_BITS = 48;
export const TOKEN_BITS = 32;
export const MAX_SESSION_INDEX = (1n << 16n) - 1n;
export const MAX_SEQUENCE = (1n << 48n) - 1n;
export const MAX_TOKENS = (1n << 32n) - 1n;
/** Bits 96..191 of a receipt word: must be zero. */
export const RESERVED_MASK = ((1n << 96n) - 1n) << 96n;

/* Served pricing words */

/** Bits of each price in a packed pricing word. */
export const PRICE_BITS = 80;
/** Largest price a packed pricing word holds (the registry stores prices as uint80). */
export const MAX_PRICE = (1n << 80n) - 1n;

/* EnclaveRegistry */

/** Bounds of the registry's `maxAttestationAge` (`MIN_ATTESTATION_AGE`, 1 hour; `MAX_ATTESTATION_AGE`, 30 days). */
export const MIN_ATTESTATION_AGE = 3_600n;
export const MAX_ATTESTATION_AGE = 2_592_000n;
/** Tag the EnclaveRegistry hashes into report data (`REPORT_DATA_TAG`). */
export const REPORT_DATA_TAG: Hex = keccak256(toHex("CogFi.EnclaveRegistry.reportData.v1"));
/** The EnclaveRegistry's `KeyStatus`, in declaration order. */
export const KEY_STATUSES = ["Valid", "Unknown", "Revoked", "WrongModel", "VerifierReplaced", "Expired", "MeasurementNotAllowed"] as const;
export type KeyStatusName = (typeof KEY_STATUSES)[number];
/** The EnclaveRegistry's `MeasurementStatus`, in declaration order. */
export const MEASUREMENT_STATUSES = ["Unset", "Allowed", "Revoked"] as const;
export type MeasurementStatusName = (typeof MEASUREMENT_STATUSES)[number];

/* DevAttestationVerifier (local chains) */

/** EIP-712 domain name and version of the DevAttestationVerifier's quotes (its `eip712Domain()`). */
export const DEV_QUOTE_DOMAIN_NAME = "CogFi DevAttestationVerifier";
export const DEV_QUOTE_DOMAIN_VERSION = "1";
/** The EIP-712 types of a dev quote (their hash is the verifier's `DEV_QUOTE_TYPEHASH`). */
export const devQuoteTypes = {
  DevQuote: [
    { name: "measurement", type: "bytes32" },
    { name: "enclaveKey", type: "address" },
    { name: "reportData", type: "bytes32" },
    { name: "timestamp", type: "uint64" },
  ],
} as const;

/* ComputeCostFeed */

/** Shortest time between two rounds of a model's cost feed (`ComputeCostFeed.MIN_ROUND_INTERVAL`). */
export const MIN_ROUND_INTERVAL = 3_600n;
/** Decimals of the feed's answers (`ComputeCostFeed.ANSWER_DECIMALS`). */
export const COST_ANSWER_DECIMALS = 18;
/** `CostKind`, in declaration order: which average a cost feed answers. */
export const COST_KINDS = ["perRequest", "perMillionTokens"] as const;

/**
 * ShareOracle (`BORROW_WINDOWS`): `borrowPrice` reads the lowest mean of this many consecutive TWAP windows, so a pool
 * must hold `ceil(windows x window / blockTime) + 1` observations and that much history before borrowing.
 */
export const SHARE_ORACLE_BORROW_WINDOWS = 2;

/**
 * The sdk's suggested ShareOracle liquidity floor, in bps of the lowest in-range liquidity between a pool's price and
 * its liquidation floor price (`suggestLiquidityFloor`): half. While the pool's time-weighted in-range liquidity over
 * a window is below half of what the market's caps were sized on, `borrowPrice` stops.
 */
export const SHARE_ORACLE_LIQUIDITY_FLOOR_BPS = 5_000;
/**
 * The sdk's default ShareOracle answer band for a USD stablecoin's USD feed, 18 decimals: [0.2, 5] USD. A feed off by a
 * factor 10 or more either way (a mis-scaled aggregator) is outside it; a depeg down to $0.20 is inside it, so
 * liquidations continue through it. Set the band's min above the aggregator's own `minAnswer`, so that a feed stuck
 * at its circuit breaker during a crash reads as out of band.
 */
export const SHARE_ORACLE_STABLE_USD_BAND_WAD = { min: 200_000_000_000_000_000n, max: 5_000_000_000_000_000_000n } as const;

/* InsurancePool (docs/insurance.md) */

/** Longest policy period, from purchase (`InsurancePool.MAX_POLICY_PERIOD`, 30 days). */
export const MAX_POLICY_PERIOD = 2_592_000n;
/** Settled requests of a model below which no policy is quoted (`InsurancePool.MIN_OBSERVATIONS`). */
export const MIN_POLICY_OBSERVATIONS = 1_000n;
/** Highest share of the excess the pool pays, in bps (`InsurancePool.MAX_COINSURANCE_BPS`, 90%). */
export const MAX_COINSURANCE_BPS = 9_000n;
/** Aggregate limit, as a multiple of the premium in bps, a buyer with a loss ratio <= 1 may take (`MAX_LIMIT_MULTIPLE_BPS`, 4x). */
export const MAX_LIMIT_MULTIPLE_BPS = 40_000n;
/**
 * An underwriter's withdrawal cooldown (`InsurancePool.WITHDRAW_COOLDOWN` = `MAX_POLICY_PERIOD + SETTLEMENT_GRACE`):
 * longer than any policy running when the withdrawal is requested.
 */
export const WITHDRAW_COOLDOWN = MAX_POLICY_PERIOD + SETTLEMENT_GRACE;
/**
 * Pricing and capacity `script/Deploy.s.sol` deploys the pool with (`InsuranceDeployer`): the loading `cogfi-sim
 * search` recommends (`recommended-params.json`, the file the deploy script reads; see `RECOMMENDED_PARAMETERS`), 5% a
 * year capital charge, 1x leverage (fully collateralized), one model at most half of the capital. Deployment
 * parameters: `getPoolState` reads them from the chain.
 */
export const DEFAULT_INSURANCE_PARAMETERS = {
  loadingBps: BigInt(recommended.insurance.loadingBps),
  capitalChargeBps: 500n,
  maxLeverageBps: 10_000n,
  maxModelExposureBps: 5_000n,
} as const;
