/**
 * Lending math (pure), once for the whole TypeScript side: the LendingMarket's accounting, which is Morpho Blue's
 * (shares with virtual shares, Taylor-compounded interest, health at a 1e36 price scale, the LLTV's liquidation
 * incentive), with the contract's rounding in every function. `getMarket`, `getPosition`, `liquidate`, the caps
 * helper, the keeper and `npm start` use it; `sdk/test/lending/differential.test.ts` checks it against the contract
 * on anvil and against `@morpho-org/blue-sdk` to the wei.
 */
import { CogFiError } from "../errors.js";

/** 1e18: rates, LLTVs, fees and incentive factors are WAD-scaled, as in Morpho Blue. */
export const WAD = 10n ** 18n;
/** Scale of oracle prices (`LendingMarket.ORACLE_PRICE_SCALE`): collateral value = collateral x price / 1e36. */
export const ORACLE_PRICE_SCALE = 10n ** 36n;
/** Virtual shares of every total (`SharesLib.VIRTUAL_SHARES`). */
export const VIRTUAL_SHARES = 10n ** 6n;
/** Virtual assets of every total (`SharesLib.VIRTUAL_ASSETS`). */
export const VIRTUAL_ASSETS = 1n;
/** Cursor of the incentive formula (`LendingMarket.LIQUIDATION_CURSOR`, 0.3). */
export const LIQUIDATION_CURSOR = 3n * 10n ** 17n;
/** Cap on the liquidation incentive factor (`LendingMarket.MAX_LIQUIDATION_INCENTIVE_FACTOR`, 1.15). */
export const MAX_LIQUIDATION_INCENTIVE_FACTOR = 115n * 10n ** 16n;
/** Largest fee on interest (`LendingMarket.MAX_FEE`, 25%). */
export const MAX_LENDING_FEE = 25n * 10n ** 16n;
/** Seconds in the year APYs are quoted over (365 days). */
export const SECONDS_PER_YEAR = 31_536_000n;
/** Largest uint256: the health factor of a position without debt. */
export const MAX_UINT256 = (1n << 256n) - 1n;

/* Rounding primitives (WadMathLib) */

/** x * y / d, rounded down. */
export const mulDivDown = (x: bigint, y: bigint, d: bigint): bigint => (x * y) / d;
/** x * y / d, rounded up. */
export const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => (x * y + d - 1n) / d;
/** x * y / WAD, rounded down. */
export const wMulDown = (x: bigint, y: bigint): bigint => (x * y) / WAD;
/** x * WAD / y, rounded down. */
export const wDivDown = (x: bigint, y: bigint): bigint => (x * WAD) / y;
/** x * WAD / y, rounded up. */
export const wDivUp = (x: bigint, y: bigint): bigint => mulDivUp(x, WAD, y);
/** max(x - y, 0). */
export const zeroFloorSub = (x: bigint, y: bigint): bigint => (x > y ? x - y : 0n);
const min = (x: bigint, y: bigint): bigint => (x < y ? x : y);

/**
 * e^(rate x elapsed) - 1 by its first three Taylor terms, WAD (`WadMathLib.wTaylorCompounded`): the interest factor
 * of a period. Each term rounded down.
 */
export function wTaylorCompounded(ratePerSecondWad: bigint, elapsedSeconds: bigint): bigint {
  const t = ratePerSecondWad * elapsedSeconds;
  const t2Half = (t * t) / (2n * WAD);
  const t3Sixth = (t2Half * t) / (3n * WAD);
  return t + t2Half + t3Sixth;
}

/* Shares (SharesLib) */

/** Shares worth `assets`, rounded down (supply, repay by assets). */
export const toSharesDown = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
/** Shares worth `assets`, rounded up (withdraw, borrow by assets). */
export const toSharesUp = (assets: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(assets, totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
/** Assets of `shares`, rounded down (withdraw, borrow by shares; supply positions). */
export const toAssetsDown = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivDown(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
/** Assets of `shares`, rounded up (supply, repay by shares; debt). */
export const toAssetsUp = (shares: bigint, totalAssets: bigint, totalShares: bigint): bigint =>
  mulDivUp(shares, totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);

/* Markets */

/** A market's totals, as `LendingMarket.market(id)` returns them (and Morpho Blue's `Market`). */
export type MarketTotals = {
  totalSupplyAssets: bigint;
  totalSupplyShares: bigint;
  totalBorrowAssets: bigint;
  totalBorrowShares: bigint;
  /** Unix seconds of the last accrual. */
  lastUpdate: bigint;
  /** Share of interest minted to the fee recipient, WAD. */
  fee: bigint;
};

/** A position's stored balances, as `LendingMarket.position(id, user)` returns them. */
export type PositionBalances = { supplyShares: bigint; borrowShares: bigint; collateral: bigint };

export type AccrueInterestReturnType = { market: MarketTotals; interest: bigint; feeShares: bigint };

/**
 * The market's totals after accruing interest up to `timestamp` at `borrowRate` (per second, WAD: the IRM's
 * `borrowRateView` for the period), as `LendingMarket._accrueInterest` does: interest = totalBorrow x
 * wTaylorCompounded(rate, elapsed) rounded down, added to both totals; the fee's share of it minted as supply shares
 * priced as if the fee were not yet supplied (rounded down).
 * @example
 * const { market: now } = accrueInterest(market, rate, BigInt(block.timestamp));
 */
export function accrueInterest(market: MarketTotals, borrowRate: bigint, timestamp: bigint): AccrueInterestReturnType {
  const elapsed = timestamp - market.lastUpdate;
  if (elapsed < 0n) throw new CogFiError(`accrueInterest: timestamp ${timestamp} is before the last update ${market.lastUpdate}`);
  if (elapsed === 0n) return { market, interest: 0n, feeShares: 0n };
  const interest = wMulDown(market.totalBorrowAssets, wTaylorCompounded(borrowRate, elapsed));
  const totalSupplyAssets = market.totalSupplyAssets + interest;
  let feeShares = 0n;
  if (market.fee !== 0n) {
    const feeAmount = wMulDown(interest, market.fee);
    feeShares = toSharesDown(feeAmount, totalSupplyAssets - feeAmount, market.totalSupplyShares);
  }
  return {
    market: {
      ...market,
      totalSupplyAssets,
      totalBorrowAssets: market.totalBorrowAssets + interest,
      totalSupplyShares: market.totalSupplyShares + feeShares,
      lastUpdate: timestamp,
    },
    interest,
    feeShares,
  };
}

/** Borrowed / supplied, WAD, rounded down (0 for an empty market). */
export function utilization(market: Pick<MarketTotals, "totalSupplyAssets" | "totalBorrowAssets">): bigint {
  return market.totalSupplyAssets === 0n ? 0n : wDivDown(market.totalBorrowAssets, market.totalSupplyAssets);
}

/** Idle liquidity: supplied minus borrowed (what withdrawals and borrows can take). */
export const liquidity = (market: Pick<MarketTotals, "totalSupplyAssets" | "totalBorrowAssets">): bigint =>
  zeroFloorSub(market.totalSupplyAssets, market.totalBorrowAssets);

/** The supply rate of a borrow rate: rate x utilization x (1 - fee), WAD (rounded down, then up, as Morpho's tools). */
export function supplyRate(borrowRate: bigint, market: MarketTotals): bigint {
  return mulDivUp(wMulDown(borrowRate, utilization(market)), WAD - market.fee, WAD);
}

/** The APY of a per-second rate, continuously compounded over a year: e^(rate x year) - 1 (a float, 0.05 = 5%). */
export function rateToApy(ratePerSecondWad: bigint): number {
  return Math.expm1(Number(ratePerSecondWad * SECONDS_PER_YEAR) / 1e18);
}

/* Health and liquidation */

/**
 * The liquidation incentive factor of a market, WAD-scaled, with Morpho Blue's formula and rounding:
 * `min(1.15, 1 / (1 - 0.3 * (1 - lltv)))` (wMulDown, then wDivDown). LLTV 86%: 1.043841336116910229 (+4.38%).
 * @example
 * liquidationIncentiveFactor(860_000_000_000_000_000n); // 1_043_841_336_116_910_229n
 */
export function liquidationIncentiveFactor(lltv: bigint): bigint {
  if (lltv <= 0n || lltv >= WAD) throw new CogFiError(`liquidationIncentiveFactor: lltv ${lltv} is not in (0, 1e18)`);
  const factor = wDivDown(WAD, WAD - wMulDown(LIQUIDATION_CURSOR, WAD - lltv));
  return factor < MAX_LIQUIDATION_INCENTIVE_FACTOR ? factor : MAX_LIQUIDATION_INCENTIVE_FACTOR;
}

/** Collateral value in loan-token units at a 1e36-scaled price, rounded down. */
export const collateralValue = (collateral: bigint, price: bigint): bigint => mulDivDown(collateral, price, ORACLE_PRICE_SCALE);

/** The most debt `collateral` supports: value x LLTV, rounded down (the contract's health bound). */
export const maxBorrow = (collateral: bigint, price: bigint, lltv: bigint): bigint => wMulDown(collateralValue(collateral, price), lltv);

/** A position's debt: its borrow shares' assets, rounded up (as health checks count it). */
export const debtOf = (borrowShares: bigint, market: MarketTotals): bigint =>
  toAssetsUp(borrowShares, market.totalBorrowAssets, market.totalBorrowShares);

/** Whether a position is healthy at `price`: no debt, or debt (rounded up) <= maxBorrow (rounded down). */
export function isHealthy(position: Omit<PositionBalances, "supplyShares">, market: MarketTotals, price: bigint, lltv: bigint): boolean {
  if (position.borrowShares === 0n) return true;
  return maxBorrow(position.collateral, price, lltv) >= debtOf(position.borrowShares, market);
}

/** maxBorrow / debt, WAD, rounded down; `MAX_UINT256` without debt. Below 1e18 the position is liquidatable. */
export function healthFactor(position: Omit<PositionBalances, "supplyShares">, market: MarketTotals, price: bigint, lltv: bigint): bigint {
  const debt = debtOf(position.borrowShares, market);
  if (debt === 0n) return MAX_UINT256;
  return wDivDown(maxBorrow(position.collateral, price, lltv), debt);
}

/**
 * The price (1e36-scaled) at or below which the position becomes liquidatable: debt / (collateral x LLTV), rounded
 * up; null without debt, `MAX_UINT256` without collateral.
 */
export function liquidationPrice(position: Omit<PositionBalances, "supplyShares">, market: MarketTotals, lltv: bigint): bigint | null {
  if (position.borrowShares === 0n || market.totalBorrowShares === 0n) return null;
  const power = wMulDown(position.collateral, lltv);
  if (power === 0n) return MAX_UINT256;
  return mulDivUp(debtOf(position.borrowShares, market), ORACLE_PRICE_SCALE, power);
}

/** What the position can still borrow at `price`: maxBorrow - debt, floored at zero. */
export const maxBorrowable = (position: Omit<PositionBalances, "supplyShares">, market: MarketTotals, price: bigint, lltv: bigint): bigint =>
  zeroFloorSub(maxBorrow(position.collateral, price, lltv), debtOf(position.borrowShares, market));

/**
 * Borrow shares a liquidation seizing `seizedAssets` of collateral repays, rounded up
 * (`LendingMarket._liquidationAmounts`): seized x price / 1e36 (up) / incentive (up), in shares (up).
 */
export function liquidationRepaidShares(seizedAssets: bigint, market: MarketTotals, price: bigint, lltv: bigint): bigint {
  const assets = wDivUp(mulDivUp(seizedAssets, price, ORACLE_PRICE_SCALE), liquidationIncentiveFactor(lltv));
  return toSharesUp(assets, market.totalBorrowAssets, market.totalBorrowShares);
}

/**
 * Collateral a liquidation repaying `repaidShares` seizes, rounded down: the shares' assets (down) x incentive (down)
 * x 1e36 / price (down). Zero price: the contract reverts (`ZeroPrice`), so this throws.
 */
export function liquidationSeizedAssets(repaidShares: bigint, market: MarketTotals, price: bigint, lltv: bigint): bigint {
  if (price === 0n) throw new CogFiError("liquidationSeizedAssets: zero price (the market refuses it: ZeroPrice)");
  const assets = wMulDown(toAssetsDown(repaidShares, market.totalBorrowAssets, market.totalBorrowShares), liquidationIncentiveFactor(lltv));
  return mulDivDown(assets, ORACLE_PRICE_SCALE, price);
}

/** Loan token a liquidation repaying `repaidShares` pulls: their assets, rounded up. */
export const liquidationRepaidAssets = (repaidShares: bigint, market: MarketTotals): bigint =>
  toAssetsUp(repaidShares, market.totalBorrowAssets, market.totalBorrowShares);

/**
 * The most collateral one liquidation can seize from a position now: zero while it is healthy (or the price is zero),
 * else all its collateral or what repaying all its debt seizes, whichever is smaller (Morpho's `seizableCollateral`).
 */
export function seizableCollateral(position: Omit<PositionBalances, "supplyShares">, market: MarketTotals, price: bigint, lltv: bigint): bigint {
  if (price === 0n || isHealthy(position, market, price, lltv)) return 0n;
  return min(position.collateral, liquidationSeizedAssets(position.borrowShares, market, price, lltv));
}

export type LiquidationOutcome = {
  seizedAssets: bigint;
  repaidShares: bigint;
  /** Loan token pulled from the liquidator: the repaid shares' assets, rounded up. */
  repaidAssets: bigint;
  /** Debt realized as bad debt because the liquidation took the last collateral (zero otherwise). */
  badDebtShares: bigint;
  badDebtAssets: bigint;
  /** The position's borrow shares and collateral afterwards. */
  position: Omit<PositionBalances, "supplyShares">;
  /** The market's totals afterwards (`market` must be accrued to the liquidation's time). */
  market: MarketTotals;
};

/**
 * The whole accounting of one liquidation (`LendingMarket._liquidationAmounts` and `_liquidateAccounting`), given the
 * seized collateral or the repaid shares: the other amount, the repaid assets (rounded up), and, when no collateral
 * is left, the rest of the debt realized as bad debt (its assets rounded up, capped by the total borrow) and taken
 * from the suppliers. Health is not checked (the contract refuses a healthy position: `HealthyPosition`); `market`
 * must be accrued to the liquidation's time and the position's revenue credit already applied (`getPosition` after a
 * `settleRevenue`, or a position without credit).
 * @example
 * const p = await getPosition(client, { marketParams, user });
 * const { badDebtAssets } = liquidationOutcome(p, p.market, p.price, marketParams.lltv, { seizedAssets: p.collateral });
 */
export function liquidationOutcome(
  position: Omit<PositionBalances, "supplyShares">,
  market: MarketTotals,
  price: bigint,
  lltv: bigint,
  amount: { seizedAssets: bigint; repaidShares?: never } | { repaidShares: bigint; seizedAssets?: never },
): LiquidationOutcome {
  const seizedAssets = amount.seizedAssets ?? liquidationSeizedAssets(amount.repaidShares!, market, price, lltv);
  const repaidShares = amount.repaidShares ?? liquidationRepaidShares(amount.seizedAssets!, market, price, lltv);
  if (seizedAssets > position.collateral) throw new CogFiError(`liquidationOutcome: seizes ${seizedAssets} of ${position.collateral} collateral`);
  if (repaidShares > position.borrowShares) throw new CogFiError(`liquidationOutcome: repays ${repaidShares} of ${position.borrowShares} borrow shares`);
  const repaidAssets = liquidationRepaidAssets(repaidShares, market);
  let totalBorrowAssets = zeroFloorSub(market.totalBorrowAssets, repaidAssets);
  let totalBorrowShares = market.totalBorrowShares - repaidShares;
  let totalSupplyAssets = market.totalSupplyAssets;
  let borrowShares = position.borrowShares - repaidShares;
  const collateral = position.collateral - seizedAssets;
  let badDebtShares = 0n;
  let badDebtAssets = 0n;
  if (collateral === 0n && borrowShares > 0n) {
    badDebtShares = borrowShares;
    badDebtAssets = min(totalBorrowAssets, toAssetsUp(badDebtShares, totalBorrowAssets, totalBorrowShares));
    totalBorrowAssets -= badDebtAssets;
    totalSupplyAssets -= badDebtAssets;
    totalBorrowShares -= badDebtShares;
    borrowShares = 0n;
  }
  return {
    seizedAssets,
    repaidShares,
    repaidAssets,
    badDebtShares,
    badDebtAssets,
    position: { borrowShares, collateral },
    market: { ...market, totalBorrowAssets, totalBorrowShares, totalSupplyAssets },
  };
}
