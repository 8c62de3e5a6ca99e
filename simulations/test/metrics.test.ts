import { describe, expect, test } from "vitest";
import { bootstrap, expectedShortfall, meanEstimate, normalQuantile, quantile, wilson } from "../src/metrics.js";

describe("metrics", () => {
  test("empirical quantile and expected shortfall", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
    expect(quantile(sorted, 0.95)).toBe(95);
    expect(quantile(sorted, 0.99)).toBe(99);
    expect(expectedShortfall(sorted, 0.95)).toBe((95 + 96 + 97 + 98 + 99 + 100) / 6);
    expect(quantile([], 0.5)).toBe(0);
  });

  test("normal quantile, Wilson and normal intervals against known values", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
    const w = wilson(0, 100, 0.95); // rule of three, Wilson form: upper ~ 3.7%
    expect(w.value).toBe(0);
    expect(w.ci[1]).toBeCloseTo(0.037, 3);
    const m = meanEstimate([1, 2, 3, 4, 5], 0.95);
    expect(m.value).toBe(3);
    expect(m.ci[1] - 3).toBeCloseTo((1.959964 * Math.sqrt(2.5)) / Math.sqrt(5), 5);
  });

  test("bootstrap intervals are seeded (same seed, same interval) and bracket the estimate", () => {
    const values = Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000);
    const a = bootstrap(values, (s) => quantile(s, 0.95), "t", 1, 200, 0.95);
    const b = bootstrap(values, (s) => quantile(s, 0.95), "t", 1, 200, 0.95);
    expect(a).toEqual(b);
    expect(a.ci[0]).toBeLessThanOrEqual(a.value);
    expect(a.ci[1]).toBeGreaterThanOrEqual(a.value);
    expect(bootstrap(values, (s) => quantile(s, 0.95), "t", 2, 200, 0.95).ci).not.toEqual(a.ci);
  });
});
