/**
 * A model's lending market without a chain: the sdk's LendingMarket math on every transition (`accrueInterest`,
 * `repayWithRevenue`, `isHealthy`, `seizableCollateral`, `liquidationOutcome`, `debtOf`), never a second copy. Interest
 * at a fixed rate (the IRM's rate held constant over a path: a day moves an adaptive curve little).
 */
import {
  accrueInterest,
  debtOf,
  isHealthy,
  liquidationOutcome,
  repayWithRevenue,
  seizableCollateral,
  toSharesDown,
  toSharesUp,
  type LiquidationOutcome,
  type MarketTotals,
} from "@cogfi/sdk";
import type { Params } from "../config.js";

/** Scale of revenue per share unit (as ModelShare's accumulator keeps precision). */
export const REVENUE_SCALE = 10n ** 36n;

export type SimPosition = {
  borrower: number;
  collateral: bigint;
  borrowShares: bigint;
  /** Revenue credited to the collateral and not yet used (stablecoin units). */
  owed: bigint;
  /** First step at which the oracle found the position unhealthy (reset once healthy or closed). */
  unhealthySince: number | null;
};

export class SimMarket {
  market: MarketTotals;
  positions: SimPosition[] = [];
  readonly lltv: bigint;
  readonly borrowRatePerSecond: bigint;
  readonly selfRepaying: boolean;
  /** Supplier loss realized by liquidations that left no collateral. */
  badDebtRealized = 0n;

  constructor(params: Params) {
    this.lltv = BigInt(Math.round(params.lending.lltv * 1e6)) * 10n ** 12n;
    this.borrowRatePerSecond = BigInt(Math.round((Math.log1p(params.lending.borrowApr) / 31_536_000) * 1e18));
    this.selfRepaying = params.lending.selfRepaying;
    this.market = { totalSupplyAssets: 0n, totalSupplyShares: 0n, totalBorrowAssets: 0n, totalBorrowShares: 0n, lastUpdate: 0n, fee: 0n };
  }

  /** Suppliers deposit `assets` (shares rounded down, as `supply`). */
  supply(assets: bigint): void {
    const shares = toSharesDown(assets, this.market.totalSupplyAssets, this.market.totalSupplyShares);
    this.market = { ...this.market, totalSupplyAssets: this.market.totalSupplyAssets + assets, totalSupplyShares: this.market.totalSupplyShares + shares };
  }

  /** A borrower posts `collateral` and borrows `assets` (shares rounded up, as `borrow`). */
  open(borrower: number, collateral: bigint, assets: bigint): SimPosition {
    const shares = toSharesUp(assets, this.market.totalBorrowAssets, this.market.totalBorrowShares);
    this.market = { ...this.market, totalBorrowAssets: this.market.totalBorrowAssets + assets, totalBorrowShares: this.market.totalBorrowShares + shares };
    const position: SimPosition = { borrower, collateral, borrowShares: shares, owed: 0n, unhealthySince: null };
    this.positions.push(position);
    return position;
  }

  accrue(timestamp: bigint): void {
    this.market = accrueInterest(this.market, this.borrowRatePerSecond, timestamp).market;
  }

  /** Credits revenue per share unit (stablecoin units x 1e36, `REVENUE_SCALE`) and repays debt with it. */
  creditRevenue(revenuePerShareUnit: bigint): bigint {
    let repaid = 0n;
    for (const p of this.positions) {
      if (p.collateral === 0n) continue;
      p.owed += (p.collateral * revenuePerShareUnit) / REVENUE_SCALE;
      if (!this.selfRepaying) continue;
      const out = repayWithRevenue(p, this.market, p.owed);
      this.market = out.market;
      p.borrowShares = out.position.borrowShares;
      p.owed = out.owedLeft;
      repaid += out.repaidAssets;
    }
    return repaid;
  }

  healthy = (p: SimPosition, price: bigint): boolean => isHealthy(p, this.market, price, this.lltv);
  debt = (p: SimPosition): bigint => debtOf(p.borrowShares, this.market);
  seizable = (p: SimPosition, price: bigint): bigint => seizableCollateral(p, this.market, price, this.lltv);
  preview = (p: SimPosition, price: bigint, seizedAssets: bigint): LiquidationOutcome =>
    liquidationOutcome(p, this.market, price, this.lltv, { seizedAssets });

  previewRepay = (p: SimPosition, price: bigint, repaidShares: bigint): LiquidationOutcome =>
    liquidationOutcome(p, this.market, price, this.lltv, { repaidShares });

  apply(p: SimPosition, outcome: LiquidationOutcome): void {
    this.market = outcome.market;
    p.collateral = outcome.position.collateral;
    p.borrowShares = outcome.position.borrowShares;
    this.badDebtRealized += outcome.badDebtAssets;
  }
}
