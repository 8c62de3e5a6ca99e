import { encodeDeployData, parseEventLogs, zeroAddress, type Address, type Hash } from "viem";
import { z } from "zod";
import { increaseObservationCardinality } from "../amm/increaseObservationCardinality.js";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, toCogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi, shareOracleAbi } from "../../generated/abis.js";
import { shareOracleBytecode } from "../../generated/bytecode.js";
import { readOrThrow } from "../../internal/write.js";
import { SHARE_ORACLE_BORROW_WINDOWS, SHARE_ORACLE_STABLE_USD_BAND_WAD } from "../../constants.js";

export type CreateShareOracleParameters = {
  /** The model share's CognitionPool. */
  pool: Address;
  /** The market's loan token (default: the pool's stablecoin, priced 1:1 with no feed). */
  loanToken?: Address;
  /** TWAP window, seconds (default 1,800: the oracle's minimum, 30 minutes). */
  twapWindowSeconds?: number;
  /** The chain's shortest block interval, seconds (default 12; use 1 on anvil's automine). */
  blockTimeSeconds?: number;
  /** Largest spot-vs-TWAP gap `borrowPrice` accepts, bps (default 500: 5%). */
  maxDeviationBps?: number;
  /**
   * The floor on the pool's time-weighted (harmonic-mean) in-range liquidity over each window `borrowPrice` reads, in
   * the pool's liquidity units, in [1, 2^128): `borrowPrice` reverts (`InRangeLiquidityTooLow`) below it, `price()`
   * (liquidations) does not. Take it from `getLiquidityFloor` (half the lowest liquidity the caps sell through).
   */
  minInRangeLiquidity: bigint;
  /**
   * Feeds, when the loan token is not the pool's stablecoin: stablecoin/USD and loan-token/USD, with max ages and
   * answer bands (USD, 18 decimals; an answer outside its band stops both reads: set it wide around the real price and
   * inside the aggregator's own min/max answers). The stablecoin band defaults to `SHARE_ORACLE_STABLE_USD_BAND_WAD`
   * ([0.2, 5] USD); the loan token's has no default (it need not be a stablecoin).
   */
  feeds?: {
    stableUsdFeed: Address;
    stableUsdMaxAgeSeconds: number;
    stableUsdMinAnswerWad?: bigint;
    stableUsdMaxAnswerWad?: bigint;
    loanUsdFeed: Address;
    loanUsdMaxAgeSeconds: number;
    loanUsdMinAnswerWad: bigint;
    loanUsdMaxAnswerWad: bigint;
  };
  /** Grow the pool's observation ring to what the window needs first (default true). */
  increaseCardinality?: boolean;
};
export type CreateShareOracleReturnType = {
  hash: Hash;
  /** The new ShareOracle. */
  oracle: Address;
  /** The pool cardinality the oracle needs (`ceil(SHARE_ORACLE_BORROW_WINDOWS x window / blockTime) + 1`). */
  requiredCardinality: number;
  /** The deviation bound in ticks. */
  maxDeviationTicks: number;
};
export type CreateShareOracleErrorType =
  | CogFiContractError<
      | "TwapWindowTooShort"
      | "InvalidBlockTime"
      | "InvalidDeviation"
      | "InvalidLiquidityFloor"
      | "InvalidAnswerBounds"
      | "PoolNotInitialized"
      | "LoanTokenIsShare"
      | "InvalidFeedConfig"
      | "UnsupportedDecimals"
      | "CardinalityTooLow"
    >
  | CogFiError;

const UINT128 = z.bigint().nonnegative().lt(1n << 128n);
/** The new configuration fields, checked before anything is sent (the contract checks them again). */
const boundsSchema = z
  .object({
    minInRangeLiquidity: UINT128.positive(),
    feeds: z
      .object({
        stableUsdMinAnswerWad: UINT128.positive(),
        stableUsdMaxAnswerWad: UINT128.positive(),
        loanUsdMinAnswerWad: UINT128.positive(),
        loanUsdMaxAnswerWad: UINT128.positive(),
      })
      .refine((f) => f.stableUsdMinAnswerWad <= f.stableUsdMaxAnswerWad, { message: "stableUsd band is empty", path: ["stableUsdMaxAnswerWad"] })
      .refine((f) => f.loanUsdMinAnswerWad <= f.loanUsdMaxAnswerWad, { message: "loanUsd band is empty", path: ["loanUsdMaxAnswerWad"] })
      .optional(),
  })
  .strip();

/**
 * Deploys a ShareOracle for a model's pool and a loan token: one per market (its address is the market's `oracle`).
 * By default it first grows the pool's observation ring to `ceil(SHARE_ORACLE_BORROW_WINDOWS x window / blockTime) + 1`
 * (anyone may; the pool pays nothing until the ring is used), since the oracle refuses a pool that cannot hold the
 * windows `borrowPrice` reads.
 * Validates the liquidity floor and the answer bands first (`CogFiError` naming every bad field).
 * @example
 * const { minInRangeLiquidity } = await getLiquidityFloor(client, { pool, lltv });
 * const { oracle } = await createShareOracle(client, { pool, blockTimeSeconds: 12, minInRangeLiquidity });
 */
export async function createShareOracle(client: CogFiClient, parameters: CreateShareOracleParameters): Promise<CreateShareOracleReturnType> {
  const wallet = requireWallet(client, "createShareOracle");
  const feeds = parameters.feeds;
  const bands = feeds && {
    stableUsdMinAnswerWad: feeds.stableUsdMinAnswerWad ?? SHARE_ORACLE_STABLE_USD_BAND_WAD.min,
    stableUsdMaxAnswerWad: feeds.stableUsdMaxAnswerWad ?? SHARE_ORACLE_STABLE_USD_BAND_WAD.max,
    loanUsdMinAnswerWad: feeds.loanUsdMinAnswerWad,
    loanUsdMaxAnswerWad: feeds.loanUsdMaxAnswerWad,
  };
  const checked = boundsSchema.safeParse({ minInRangeLiquidity: parameters.minInRangeLiquidity, feeds: bands });
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join(".") || "parameters"}: ${issue.message}`);
    throw new CogFiError(`createShareOracle: invalid parameters (${problems.join("; ")})`, { cause: checked.error });
  }
  const twapWindowSeconds = parameters.twapWindowSeconds ?? 1_800;
  const blockTimeSeconds = parameters.blockTimeSeconds ?? 12;
  const loanToken =
    parameters.loanToken ??
    (await readOrThrow("createShareOracle", () =>
      client.publicClient.readContract({ address: parameters.pool, abi: cognitionPoolAbi, functionName: "stablecoin" }),
    ));
  if ((parameters.increaseCardinality ?? true) && blockTimeSeconds > 0) {
    const required = Math.ceil((SHARE_ORACLE_BORROW_WINDOWS * twapWindowSeconds) / blockTimeSeconds) + 1;
    // In transactions of at most `OBSERVATION_SLOTS_PER_TRANSACTION` new slots: a one-second chain's 3,601 slots
    // are ~80M gas, more than a block holds in one.
    if (required <= 0xffff) await increaseObservationCardinality(client, { pool: parameters.pool, cardinality: required });
  }
  const config = {
    pool: parameters.pool,
    loanToken,
    twapWindowSeconds,
    blockTimeSeconds,
    maxDeviationBps: parameters.maxDeviationBps ?? 500,
    minInRangeLiquidity: parameters.minInRangeLiquidity,
    stableUsdFeed: feeds?.stableUsdFeed ?? zeroAddress,
    stableUsdMaxAgeSeconds: feeds?.stableUsdMaxAgeSeconds ?? 0,
    stableUsdMinAnswerWad: bands?.stableUsdMinAnswerWad ?? 0n,
    stableUsdMaxAnswerWad: bands?.stableUsdMaxAnswerWad ?? 0n,
    loanUsdFeed: feeds?.loanUsdFeed ?? zeroAddress,
    loanUsdMaxAgeSeconds: feeds?.loanUsdMaxAgeSeconds ?? 0,
    loanUsdMinAnswerWad: bands?.loanUsdMinAnswerWad ?? 0n,
    loanUsdMaxAnswerWad: bands?.loanUsdMaxAnswerWad ?? 0n,
  };
  try {
    // Simulated first, so a constructor revert surfaces as its custom error before any gas is spent.
    await client.publicClient.call({
      account: wallet.account,
      data: encodeDeployData({ abi: shareOracleAbi, bytecode: shareOracleBytecode, args: [config] }),
    });
    const hash = await wallet.deployContract({ abi: shareOracleAbi, bytecode: shareOracleBytecode, args: [config] });
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) throw new CogFiError(`createShareOracle: transaction ${hash} reverted`);
    const [event] = parseEventLogs({ abi: shareOracleAbi, eventName: "ShareOracleCreated", logs: receipt.logs });
    if (!event) throw new CogFiError(`createShareOracle ${hash} emitted no ShareOracleCreated event`);
    return {
      hash,
      oracle: receipt.contractAddress,
      requiredCardinality: event.args.requiredCardinality,
      maxDeviationTicks: event.args.maxDeviationTicks,
    };
  } catch (error) {
    throw toCogFiError(error, "createShareOracle");
  }
}

