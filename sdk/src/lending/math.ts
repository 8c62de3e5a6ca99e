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

/* State transitions (for simulations and keepers that look ahead) */

/** What a liquidation does to a market and a position (`LendingMarket.liquidate`, interest and revenue aside). */
export type LiquidationOutcome = {
  seizedAssets: bigint;
  repaidShares: bigint;
  /** Loan token the liquidator pays: the repaid shares' assets, rounded up. */
  repaidAssets: bigint;
  /** Debt taken from the suppliers when the position has no collateral left (rounded up, capped by the total). */
  badDebtAssets: bigint;
  badDebtShares: bigint;
  market: MarketTotals;
  position: Omit<PositionBalances, "supplyShares">;
};

/**
 * The market and position after `liquidate(seizedAssets, repaidShares)` (exactly one of them non-zero) at `price`, as
 * `LendingMarket._liquidationAmounts` and `_liquidateAccounting` compute them: the other amount from the incentive,
 * the repaid shares burnt (assets rounded up, floored at zero), the collateral taken, and bad debt realized when no
 * collateral is left. Throws for a healthy position, a zero price, both or neither amount, or more than the position
 * holds (the contract reverts on each). Interest must be accrued and revenue repaid first (`accrueInterest`,
 * `repayWithRevenue`), as the contract does.
 * @example
 * const seized = seizableCollateral(position, market, price, lltv);
 * const { repaidAssets, badDebtAssets, market: after } = liquidationOutcome(position, market, price, lltv, { seizedAssets: seized });
 */
export function liquidationOutcome(
  position: Omit<PositionBalances, "supplyShares">,
  market: MarketTotals,
  price: bigint,
  lltv: bigint,
  amounts: { seizedAssets?: bigint; repaidShares?: bigint },
): LiquidationOutcome {
  if (price === 0n) throw new CogFiError("liquidationOutcome: zero price (ZeroPrice)");
  const seizedIn = amounts.seizedAssets ?? 0n;
  const repaidIn = amounts.repaidShares ?? 0n;
  if ((seizedIn === 0n) === (repaidIn === 0n)) throw new CogFiError("liquidationOutcome: give exactly one of seizedAssets, repaidShares");
  if (isHealthy(position, market, price, lltv)) throw new CogFiError("liquidationOutcome: the position is healthy (HealthyPosition)");
  const seizedAssets = seizedIn !== 0n ? seizedIn : liquidationSeizedAssets(repaidIn, market, price, lltv);
  const repaidShares = seizedIn !== 0n ? liquidationRepaidShares(seizedIn, market, price, lltv) : repaidIn;
  if (repaidShares > position.borrowShares) throw new CogFiError(`liquidationOutcome: repays ${repaidShares} shares of ${position.borrowShares}`);
  if (seizedAssets > position.collateral) throw new CogFiError(`liquidationOutcome: seizes ${seizedAssets} of ${position.collateral} collateral`);
  const repaidAssets = toAssetsUp(repaidShares, market.totalBorrowAssets, market.totalBorrowShares);
  let after: MarketTotals = {
    ...market,
    totalBorrowShares: market.totalBorrowShares - repaidShares,
    totalBorrowAssets: zeroFloorSub(market.totalBorrowAssets, repaidAssets),
  };
  let borrowShares = position.borrowShares - repaidShares;
  const collateral = position.collateral - seizedAssets;
  let badDebtAssets = 0n;
  let badDebtShares = 0n;
  if (collateral === 0n && borrowShares !== 0n) {
    badDebtShares = borrowShares;
    badDebtAssets = min(after.totalBorrowAssets, toAssetsUp(badDebtShares, after.totalBorrowAssets, after.totalBorrowShares));
    after = {
      ...after,
      totalBorrowAssets: after.totalBorrowAssets - badDebtAssets,
      totalSupplyAssets: after.totalSupplyAssets - badDebtAssets,
      totalBorrowShares: after.totalBorrowShares - badDebtShares,
    };
    borrowShares = 0n;
  }
  return { seizedAssets, repaidShares, repaidAssets, badDebtAssets, badDebtShares, market: after, position: { borrowShares, collateral } };
}

/** What repaying a borrower's debt from the revenue its collateral earned does (`LendingMarket._repayWithRevenue`). */
export type RepayWithRevenueOutcome = {
  repaidAssets: bigint;
  repaidShares: bigint;
  /** Revenue still owed to the borrower (nothing left to repay, or less than one share's worth). */
  owedLeft: bigint;
  market: MarketTotals;
  position: Omit<PositionBalances, "supplyShares">;
};

/**
 * A self-repaying market's repayment of `owed` revenue against a position's debt, as `_repayWithRevenue`: all the
 * debt (its assets rounded up) when `owed` covers it, else `owed` as shares rounded down (nothing when that is zero
 * shares); the total borrow assets floored at zero.
 * @example
 * const { market: after, position: p, owedLeft } = repayWithRevenue(position, market, owed);
 */
export function repayWithRevenue(position: Omit<PositionBalances, "supplyShares">, market: MarketTotals, owed: bigint): RepayWithRevenueOutcome {
  const none = { repaidAssets: 0n, repaidShares: 0n, owedLeft: owed, market, position };
  if (owed === 0n || position.borrowShares === 0n) return none;
  let shares = position.borrowShares;
  let assets = toAssetsUp(shares, market.totalBorrowAssets, market.totalBorrowShares);
  if (owed < assets) {
    assets = owed;
    shares = toSharesDown(owed, market.totalBorrowAssets, market.totalBorrowShares);
    if (shares === 0n) return none;
  }
  return {
    repaidAssets: assets,
    repaidShares: shares,
    owedLeft: owed - assets,
    market: {
      ...market,
      totalBorrowShares: market.totalBorrowShares - shares,
      totalBorrowAssets: zeroFloorSub(market.totalBorrowAssets, assets),
    },
    position: { ...position, borrowShares: position.borrowShares - shares },
  };
}
