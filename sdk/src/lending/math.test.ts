import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CogFiError } from "../errors.js";
import { fcParams } from "../testing/fastCheck.js";
import {
  accrueInterest,
  healthFactor,
  isHealthy,
  liquidationIncentiveFactor,
  liquidationOutcome,
  liquidationPrice,
  liquidationRepaidAssets,
  liquidationRepaidShares,
  liquidationSeizedAssets,
  MAX_LIQUIDATION_INCENTIVE_FACTOR,
  maxBorrow,
  ORACLE_PRICE_SCALE,
  toAssetsDown,
  toAssetsUp,
  toSharesDown,
  toSharesUp,
  WAD,
  wTaylorCompounded,
  zeroFloorSub,
  type MarketTotals,
} from "./math.js";

const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
const amount = fc.bigInt({ min: 0n, max: 10n ** 30n });
const lltvArb = fc.bigInt({ min: 10n ** 16n, max: WAD - 10n ** 15n });
const priceArb = fc.bigInt({ min: 1n, max: 10n ** 40n });

const marketArb: fc.Arbitrary<MarketTotals> = fc
  .record({ supply: amount, borrowPermille: fc.integer({ min: 0, max: 1000 }), sharesPerAsset: fc.bigInt({ min: 1n, max: 10n ** 9n }), fee: fc.bigInt({ min: 0n, max: 25n * 10n ** 16n }) })
  .map(({ supply, borrowPermille, sharesPerAsset, fee }) => {
    const borrow = (supply * BigInt(borrowPermille)) / 1000n;
    return { totalSupplyAssets: supply, totalSupplyShares: supply * sharesPerAsset, totalBorrowAssets: borrow, totalBorrowShares: borrow * sharesPerAsset, lastUpdate: 1_000n, fee };
  });

describe("liquidationIncentiveFactor", () => {
  test("Morpho Blue's formula and rounding: min(1.15, 1 / (1 - 0.3 * (1 - lltv)))", () => {
    expect(liquidationIncentiveFactor(860_000_000_000_000_000n)).toBe(1_043_841_336_116_910_229n);
    expect(liquidationIncentiveFactor(980_000_000_000_000_000n)).toBe(1_006_036_217_303_822_937n);
    // 1 / (1 - 0.3 * 0.5) = 1.176...: capped.
    expect(liquidationIncentiveFactor(500_000_000_000_000_000n)).toBe(MAX_LIQUIDATION_INCENTIVE_FACTOR);
  });

  test("an LLTV outside (0, 1) is refused", () => {
    expect(() => liquidationIncentiveFactor(0n)).toThrow(CogFiError);
    expect(() => liquidationIncentiveFactor(WAD)).toThrow(CogFiError);
  });

  test("property: lltv x incentive < 1, so a liquidation at the health boundary never seizes more than the collateral", () => {
    fc.assert(
      fc.property(lltvArb, (lltv) => {
        expect((lltv * liquidationIncentiveFactor(lltv)) / WAD).toBeLessThan(WAD);
      }),
      fcParams({ numRuns: 300 }),
    );
  });
});

describe("shares", () => {
  test("property: round trips never create value (virtual shares), and up >= down by at most one", () => {
    fc.assert(
      fc.property(amount, u128, u128, (assets, totalAssets, totalShares) => {
        const down = toSharesDown(assets, totalAssets, totalShares);
        const up = toSharesUp(assets, totalAssets, totalShares);
        expect(up - down === 0n || up - down === 1n).toBe(true);
        expect(toAssetsDown(down, totalAssets, totalShares)).toBeLessThanOrEqual(assets);
        expect(toAssetsUp(up, totalAssets, totalShares)).toBeGreaterThanOrEqual(assets);
      }),
      fcParams({ numRuns: 500 }),
    );
  });
});

describe("accrueInterest", () => {
  test("Taylor compounding: e^x - 1 to three terms, below the exponential and above x", () => {
    // 10% a year for a year: 0.1 + 0.005 + 0.000166... (e^0.1 - 1 = 0.10517...).
    const rate = (10n ** 17n) / 31_536_000n;
    const factor = wTaylorCompounded(rate, 31_536_000n);
    expect(Number(factor) / 1e18).toBeCloseTo(0.1051666, 6);
    expect(Number(factor) / 1e18).toBeLessThan(Math.expm1(0.1));
  });

  test("property: supply and borrow grow by the same interest, fee shares never dilute lenders beyond the fee", () => {
    fc.assert(
      fc.property(marketArb, fc.bigInt({ min: 0n, max: 10n ** 11n }), fc.bigInt({ min: 0n, max: 10n ** 8n }), (market, rate, elapsed) => {
        const { market: next, interest, feeShares } = accrueInterest(market, rate, market.lastUpdate + elapsed);
        expect(next.totalBorrowAssets - market.totalBorrowAssets).toBe(interest);
        expect(next.totalSupplyAssets - market.totalSupplyAssets).toBe(interest);
        expect(next.totalSupplyShares - market.totalSupplyShares).toBe(feeShares);
        // The fee recipient's shares are worth at most the fee on the interest.
        expect(toAssetsDown(feeShares, next.totalSupplyAssets, next.totalSupplyShares)).toBeLessThanOrEqual((interest * market.fee) / WAD);
        if (market.fee === 0n) expect(feeShares).toBe(0n);
      }),
      fcParams({ numRuns: 500 }),
    );
  });

  test("time running backwards is refused", () => {
    const market = { totalSupplyAssets: 1n, totalSupplyShares: 1n, totalBorrowAssets: 0n, totalBorrowShares: 0n, lastUpdate: 10n, fee: 0n };
    expect(() => accrueInterest(market, 1n, 9n)).toThrow(CogFiError);
  });
});

describe("health and liquidation", () => {
  test("property: healthy iff health factor >= 1; at or above the liquidation price with large amounts, healthy", () => {
    fc.assert(
      fc.property(marketArb, amount, fc.integer({ min: 1, max: 1000 }), priceArb, lltvArb, (market, collateral, sharePermille, price, lltv) => {
        const borrowShares = (market.totalBorrowShares * BigInt(sharePermille)) / 1000n;
        const position = { borrowShares, collateral };
        const healthy = isHealthy(position, market, price, lltv);
        expect(healthFactor(position, market, price, lltv) >= WAD).toBe(healthy);
        const boundary = liquidationPrice(position, market, lltv);
        // The liquidation price is blue-sdk's (debt / (collateral x lltv), the product rounded first), so it is exact
        // up to the roundings of the two paths: with 1e12+ units of collateral and 1e9+ of debt, 0.01% above it is healthy.
        if (boundary !== null && collateral >= 10n ** 12n && toAssetsUp(borrowShares, market.totalBorrowAssets, market.totalBorrowShares) >= 10n ** 9n && boundary < 10n ** 60n) {
          expect(isHealthy(position, market, boundary + boundary / 10_000n + 1n, lltv)).toBe(true);
        }
        const debtRoom = maxBorrow(collateral, price, lltv);
        expect(debtRoom).toBeLessThanOrEqual((collateral * price) / ORACLE_PRICE_SCALE);
      }),
      fcParams({ numRuns: 500 }),
    );
  });

  test("property: seizing the collateral of repaid shares repays at least those shares (rounding favours the market)", () => {
    fc.assert(
      fc.property(marketArb, fc.integer({ min: 1, max: 1000 }), priceArb, lltvArb, (market, sharePermille, price, lltv) => {
        const repaidShares = (market.totalBorrowShares * BigInt(sharePermille)) / 1000n;
        const seized = liquidationSeizedAssets(repaidShares, market, price, lltv);
        // Asking to seize that collateral repays at most the shares one asked to repay.
        expect(liquidationRepaidShares(seized, market, price, lltv)).toBeLessThanOrEqual(repaidShares + 1n);
        expect(liquidationSeizedAssets(repaidShares, market, price, lltv)).toBe(seized);
      }),
      fcParams({ numRuns: 500 }),
    );
  });

  test("a zero price is refused for liquidation amounts", () => {
    const market = { totalSupplyAssets: 10n, totalSupplyShares: 10n, totalBorrowAssets: 5n, totalBorrowShares: 5n, lastUpdate: 0n, fee: 0n };
    expect(() => liquidationSeizedAssets(1n, market, 0n, 86n * 10n ** 16n)).toThrow(CogFiError);
  });
});

describe("liquidationOutcome", () => {
  // One borrower with all the borrow shares: 100 loan units of debt (1e6 shares each, as a first borrow mints).
  const market: MarketTotals = { totalSupplyAssets: 1_000n, totalSupplyShares: 10n ** 9n, totalBorrowAssets: 100n, totalBorrowShares: 10n ** 8n, lastUpdate: 0n, fee: 0n };
  const lltv = 77n * 10n ** 16n;

  test("seizing all the collateral of an underwater position realizes the rest of its debt as bad debt", () => {
    // 1,000 collateral units at 0.05 loan units each (50 loan units) against 100 of debt.
    const position = { borrowShares: 10n ** 8n, collateral: 1_000n };
    const price = ORACLE_PRICE_SCALE / 20n;
    const out = liquidationOutcome(position, market, price, lltv, { seizedAssets: 1_000n });
    // 50 / 1.074...: 47 loan units repaid (rounded up in shares, then in assets).
    expect(out.repaidShares).toBe(liquidationRepaidShares(1_000n, market, price, lltv));
    expect(out.repaidAssets).toBe(liquidationRepaidAssets(out.repaidShares, market));
    expect(out.repaidAssets).toBe(47n);
    expect(out.badDebtShares).toBe(10n ** 8n - out.repaidShares);
    expect(out.badDebtAssets).toBe(53n);
    expect(out.position).toEqual({ borrowShares: 0n, collateral: 0n });
    expect(out.market).toMatchObject({ totalBorrowAssets: 0n, totalBorrowShares: 0n, totalSupplyAssets: 1_000n - 53n });
  });

  test("a partial liquidation realizes no bad debt; amounts beyond the position are refused", () => {
    const position = { borrowShares: 10n ** 8n, collateral: 1_000n };
    const price = ORACLE_PRICE_SCALE / 8n;
    const out = liquidationOutcome(position, market, price, lltv, { repaidShares: 5n * 10n ** 7n });
    expect(out.seizedAssets).toBe(liquidationSeizedAssets(5n * 10n ** 7n, market, price, lltv));
    expect(out).toMatchObject({ badDebtShares: 0n, badDebtAssets: 0n });
    expect(out.position).toEqual({ borrowShares: 5n * 10n ** 7n, collateral: 1_000n - out.seizedAssets });
    expect(out.market.totalSupplyAssets).toBe(market.totalSupplyAssets);
    expect(() => liquidationOutcome(position, market, price, lltv, { seizedAssets: 1_001n })).toThrow(CogFiError);
    expect(() => liquidationOutcome(position, market, price, lltv, { repaidShares: 10n ** 8n + 1n })).toThrow(CogFiError);
  });

  test("property: the suppliers lose exactly the bad debt, the borrow side drops by repaid plus bad debt, no debt is left without collateral", () => {
    fc.assert(
      fc.property(marketArb, fc.integer({ min: 1, max: 1000 }), amount, priceArb, lltvArb, fc.integer({ min: 1, max: 1000 }), (m, sharePermille, collateral, price, lltv, seizePermille) => {
        const position = { borrowShares: (m.totalBorrowShares * BigInt(sharePermille)) / 1000n, collateral };
        const seizedAssets = (collateral * BigInt(seizePermille)) / 1000n;
        // Repaying more shares than the position has underflows in the contract: refused, not drawn.
        fc.pre(liquidationRepaidShares(seizedAssets, m, price, lltv) <= position.borrowShares);
        // Only an unhealthy position with something to seize can be liquidated (the contract refuses the rest).
        fc.pre(seizedAssets > 0n && !isHealthy(position, m, price, lltv));
        const out = liquidationOutcome(position, m, price, lltv, { seizedAssets });
        expect(m.totalSupplyAssets - out.market.totalSupplyAssets).toBe(out.badDebtAssets);
        expect(out.market.totalBorrowAssets).toBe(zeroFloorSub(zeroFloorSub(m.totalBorrowAssets, out.repaidAssets), out.badDebtAssets));
        expect(m.totalBorrowShares - out.market.totalBorrowShares).toBe(out.repaidShares + out.badDebtShares);
        expect(out.position.borrowShares + out.repaidShares + out.badDebtShares).toBe(position.borrowShares);
        if (out.position.collateral === 0n) expect(out.position.borrowShares).toBe(0n);
        else expect(out.badDebtShares).toBe(0n);
      }),
      fcParams({ numRuns: 500 }),
    );
  });
});
