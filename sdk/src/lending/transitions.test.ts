import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CogFiError } from "../errors.js";
import { fcParams } from "../testing/fastCheck.js";
import {
  debtOf,
  liquidationOutcome,
  liquidationSeizedAssets,
  ORACLE_PRICE_SCALE,
  repayWithRevenue,
  seizableCollateral,
  toSharesUp,
  WAD,
  type MarketTotals,
} from "./math.js";

const lltv = 860_000_000_000_000_000n;
const market: MarketTotals = {
  totalSupplyAssets: 10_000_000_000n,
  totalSupplyShares: 10_000_000_000_000_000n,
  totalBorrowAssets: 5_000_000_000n,
  totalBorrowShares: 5_000_000_000_000_000n,
  lastUpdate: 0n,
  fee: 0n,
};
// 1 share (18 decimals) = 1 stablecoin unit-scaled price: 1e36 x 1e6 / 1e18 = 1 USD per share.
const onePerShare = ORACLE_PRICE_SCALE / 10n ** 12n;

describe("liquidationOutcome", () => {
  test("seizes what the repaid shares pay for and realizes bad debt when no collateral is left", () => {
    // 1,000 shares backing 900 of debt (9e8 units): unhealthy at 1 USD and LLTV 86%.
    const position = { collateral: 1_000n * WAD, borrowShares: toSharesUp(990_000_000n, market.totalBorrowAssets, market.totalBorrowShares) };
    const seizable = seizableCollateral(position, market, onePerShare, lltv);
    expect(seizable).toBe(position.collateral); // debt x incentive > collateral value: everything can be seized
    const out = liquidationOutcome(position, market, onePerShare, lltv, { seizedAssets: seizable });
    expect(out.position).toEqual({ collateral: 0n, borrowShares: 0n });
    expect(out.badDebtAssets).toBeGreaterThan(0n);
    expect(out.repaidAssets + out.badDebtAssets).toBeGreaterThanOrEqual(990_000_000n);
    expect(out.market.totalSupplyAssets).toBe(market.totalSupplyAssets - out.badDebtAssets);
    expect(out.market.totalBorrowShares).toBe(market.totalBorrowShares - position.borrowShares);
  });

  test("a partial liquidation by shares seizes liquidationSeizedAssets and leaves no bad debt", () => {
    const position = { collateral: 1_000n * WAD, borrowShares: toSharesUp(870_000_000n, market.totalBorrowAssets, market.totalBorrowShares) };
    const repaidShares = position.borrowShares / 2n;
    const out = liquidationOutcome(position, market, onePerShare, lltv, { repaidShares });
    expect(out.seizedAssets).toBe(liquidationSeizedAssets(repaidShares, market, onePerShare, lltv));
    expect(out.badDebtAssets).toBe(0n);
    expect(out.position.borrowShares).toBe(position.borrowShares - repaidShares);
  });

  test("refuses what the contract refuses", () => {
    const healthy = { collateral: 1_000n * WAD, borrowShares: toSharesUp(100_000_000n, market.totalBorrowAssets, market.totalBorrowShares) };
    expect(() => liquidationOutcome(healthy, market, onePerShare, lltv, { seizedAssets: 1n })).toThrow(CogFiError);
    expect(() => liquidationOutcome(healthy, market, 0n, lltv, { seizedAssets: 1n })).toThrow(/zero price/);
    expect(() => liquidationOutcome(healthy, market, onePerShare, lltv, {})).toThrow(/exactly one/);
  });

  test("property: shares and assets are conserved (repaid + bad debt = what the position owed in shares)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 24n }),
        fc.integer({ min: 870, max: 2000 }),
        fc.integer({ min: 1, max: 1000 }),
        (collateral, debtPermille, seizePermille) => {
          const debt = (collateral * onePerShare * BigInt(debtPermille)) / ORACLE_PRICE_SCALE / 1000n + 1n;
          const m = { ...market, totalBorrowAssets: market.totalBorrowAssets + debt, totalSupplyAssets: market.totalSupplyAssets + debt };
          const borrowShares = toSharesUp(debt, market.totalBorrowAssets, market.totalBorrowShares);
          const mm = { ...m, totalBorrowShares: market.totalBorrowShares + borrowShares };
          const position = { collateral, borrowShares };
          const seizable = seizableCollateral(position, mm, onePerShare, lltv);
          if (seizable === 0n) return;
          const seized = (seizable * BigInt(seizePermille)) / 1000n || 1n;
          const out = liquidationOutcome(position, mm, onePerShare, lltv, { seizedAssets: seized });
          expect(out.repaidShares + out.badDebtShares + out.position.borrowShares).toBe(borrowShares);
          expect(mm.totalSupplyAssets - out.market.totalSupplyAssets).toBe(out.badDebtAssets);
          expect(out.market.totalBorrowShares).toBe(mm.totalBorrowShares - borrowShares + out.position.borrowShares);
          expect(out.position.collateral).toBe(collateral - seized);
        },
      ),
      fcParams({ numRuns: 200 }),
    );
  });
});

describe("repayWithRevenue", () => {
  const position = { collateral: 1_000n * WAD, borrowShares: toSharesUp(100_000_000n, market.totalBorrowAssets, market.totalBorrowShares) };

  test("repays all the debt when the revenue covers it and keeps the rest owed", () => {
    const debt = debtOf(position.borrowShares, market);
    const out = repayWithRevenue(position, market, debt + 7n);
    expect(out.position.borrowShares).toBe(0n);
    expect(out.repaidAssets).toBe(debt);
    expect(out.owedLeft).toBe(7n);
    expect(out.market.totalBorrowShares).toBe(market.totalBorrowShares - position.borrowShares);
  });

  test("repays part as shares rounded down, and nothing below one share", () => {
    const out = repayWithRevenue(position, market, 1_000_000n);
    expect(out.repaidAssets).toBe(1_000_000n);
    expect(out.repaidShares).toBe((1_000_000n * (market.totalBorrowShares + 10n ** 6n)) / (market.totalBorrowAssets + 1n));
    const tiny = { ...market, totalBorrowShares: 1n, totalBorrowAssets: 10n ** 12n };
    expect(repayWithRevenue({ collateral: 1n, borrowShares: 1n }, tiny, 1n).repaidShares).toBe(0n);
  });
});
