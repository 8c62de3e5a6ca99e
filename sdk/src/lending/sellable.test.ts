import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CogFiError } from "../errors.js";
import { fcParams } from "../testing/fastCheck.js";
import { liquidationIncentiveFactor, MAX_LIQUIDATION_INCENTIVE_FACTOR, sqrtFloor, WAD } from "./sellable.js";

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
});

describe("sqrtFloor", () => {
  test("property: r = floor(sqrt(n)), r^2 <= n < (r + 1)^2", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 320n) - 1n }), (n) => {
        const r = sqrtFloor(n);
        expect(r * r <= n && n < (r + 1n) * (r + 1n)).toBe(true);
      }),
      fcParams({ numRuns: 500 }),
    );
  });
});
