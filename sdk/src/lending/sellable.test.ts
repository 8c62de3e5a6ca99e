import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fcParams } from "../testing/fastCheck.js";
import { sqrtFloor } from "./sellable.js";

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
