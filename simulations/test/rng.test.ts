import { describe, expect, test } from "vitest";
import { philox4x32, RandomStream } from "../src/engine/rng.js";

const hex = (words: number[]) => words.map((w) => w.toString(16).padStart(8, "0")).join(" ");

describe("Philox4x32-10", () => {
  test("matches the Random123 known-answer vectors", () => {
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toBe("6627e8d5 e169c58d bc57ac4c 9b00dbd8");
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toBe("408f276d 41c83b0e a20bc7c6 6d5451fd");
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toBe("d16cfe09 94fdcceb 5001e420 24126ea1");
  });
});

describe("RandomStream", () => {
  test("a path's draws depend only on (seed, path, stream): not on other paths or streams drawn before", () => {
    const alone = new RandomStream(7, 42, "price:0");
    const first = Array.from({ length: 10 }, () => alone.normal());
    // Draw a lot from other paths and streams, then the same stream again.
    for (let p = 0; p < 50; p++) new RandomStream(7, p, "price:0").uniform();
    const other = new RandomStream(7, 42, "usage:0");
    for (let i = 0; i < 1000; i++) other.uniform();
    const again = new RandomStream(7, 42, "price:0");
    expect(Array.from({ length: 10 }, () => again.normal())).toEqual(first);
    expect(new RandomStream(8, 42, "price:0").normal()).not.toBe(first[0]);
    expect(new RandomStream(7, 43, "price:0").normal()).not.toBe(first[0]);
  });

  test("uniforms are in (0, 1) with the right mean and normals with the right moments (n = 200k)", () => {
    const s = new RandomStream(1, 0, "moments");
    const n = 200_000;
    let u = 0;
    let z = 0;
    let z2 = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = s.uniform();
      if (!(x > 0 && x < 1)) outside++;
      u += x;
      const y = s.normal();
      z += y;
      z2 += y * y;
    }
    expect(outside).toBe(0);
    // 5-sigma bounds: sd of the mean of U is 0.289/sqrt(n), of N is 1/sqrt(n); of the mean of N^2 is sqrt(2/n).
    expect(Math.abs(u / n - 0.5)).toBeLessThan((5 * 0.2887) / Math.sqrt(n));
    expect(Math.abs(z / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(z2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
  });

  test("refuses seeds and paths outside their ranges", () => {
    expect(() => new RandomStream(-1, 0, "x")).toThrow(RangeError);
    expect(() => new RandomStream(1.5, 0, "x")).toThrow(RangeError);
    expect(() => new RandomStream(1, 2 ** 32, "x")).toThrow(RangeError);
  });
});
