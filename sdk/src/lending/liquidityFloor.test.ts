import { TickMath, Tick } from "@uniswap/v3-sdk";
import { Token } from "@uniswap/sdk-core";
import fc from "fast-check";
import JSBI from "jsbi";
import { parseUnits, type Address } from "viem";
import { describe, expect, test } from "vitest";
import type { PoolState } from "../amm/pool.js";
import { CogFiError } from "../errors.js";
import { fcParams } from "../testing/fastCheck.js";
import { suggestLiquidityFloor } from "./liquidityFloor.js";
import { liquidationFloorSqrtPriceX96 } from "./sellable.js";

const TOKEN0: Address = "0x1000000000000000000000000000000000000001";
const TOKEN1: Address = "0x2000000000000000000000000000000000000002";
const LLTV_86 = parseUnits("0.86", 18);
const LLTV_50 = parseUnits("0.5", 18);

type Position = { lower: number; upper: number; liquidity: bigint };

/** The liquidity in range at tick t: every position with lower <= t < upper. */
const liquidityAt = (positions: Position[], t: number) =>
  positions.reduce((sum, p) => (p.lower <= t && t < p.upper ? sum + p.liquidity : sum), 0n);

/** A pool state (only what the floor reads) at `tick` with `positions`. */
function stateOf(positions: Position[], tick: number): PoolState {
  const net = new Map<number, bigint>();
  for (const p of positions) {
    net.set(p.lower, (net.get(p.lower) ?? 0n) + p.liquidity);
    net.set(p.upper, (net.get(p.upper) ?? 0n) - p.liquidity);
  }
  const gross = new Map<number, bigint>();
  for (const p of positions) for (const t of [p.lower, p.upper]) gross.set(t, (gross.get(t) ?? 0n) + p.liquidity);
  const ticks = [...net.keys()]
    .sort((a, b) => a - b)
    .map((index) => new Tick({ index, liquidityNet: JSBI.BigInt(net.get(index)!.toString()), liquidityGross: JSBI.BigInt(gross.get(index)!.toString()) }));
  return {
    address: "0x3000000000000000000000000000000000000003",
    token0: new Token(31337, TOKEN0, 18),
    token1: new Token(31337, TOKEN1, 6),
    fee: 3000,
    tickSpacing: 60,
    sqrtPriceX96: BigInt(TickMath.getSqrtRatioAtTick(tick).toString()),
    tick,
    liquidity: liquidityAt(positions, tick),
    ticks,
  } as unknown as PoolState;
}

describe("suggestLiquidityFloor", () => {
  // 1,000 over [-1200, 1200) and 500 over [-600, 600): 1,500 at tick 0.
  const positions: Position[] = [
    { lower: -1200, upper: 1200, liquidity: 1_000n },
    { lower: -600, upper: 600, liquidity: 500n },
  ];

  test("share as token0, LLTV 86%: the band (price / 1.0438, ~429 ticks down) stays in the 1,500: floor 750", () => {
    const r = suggestLiquidityFloor({ pool: stateOf(positions, 0), share: TOKEN0, lltv: LLTV_86 });
    expect(r.floorTick).toBe(-430);
    expect(r.lowestLiquidity).toBe(1_500n);
    expect(r.minInRangeLiquidity).toBe(750n);
  });

  test("share as token1: the band goes up; LLTV 50% (incentive 1.176, ~1,624 ticks) runs past every position: floor 1", () => {
    const r = suggestLiquidityFloor({ pool: stateOf(positions, 0), share: TOKEN1, lltv: LLTV_50 });
    expect(r.floorTick).toBeGreaterThan(1200);
    expect(r.lowestLiquidity).toBe(0n);
    expect(r.minInRangeLiquidity).toBe(1n);
  });

  test("fractionBps scales it, and is validated", () => {
    const state = stateOf(positions, 0);
    expect(suggestLiquidityFloor({ pool: state, share: TOKEN0, lltv: LLTV_86, fractionBps: 10_000 }).minInRangeLiquidity).toBe(1_500n);
    expect(suggestLiquidityFloor({ pool: state, share: TOKEN0, lltv: LLTV_86, fractionBps: 1_000 }).minInRangeLiquidity).toBe(150n);
    for (const fractionBps of [0, 10_001, 1.5]) {
      expect(() => suggestLiquidityFloor({ pool: state, share: TOKEN0, lltv: LLTV_86, fractionBps })).toThrow(CogFiError);
    }
    expect(() => suggestLiquidityFloor({ pool: state, share: "0x4000000000000000000000000000000000000004", lltv: LLTV_86 })).toThrow(CogFiError);
  });

  test("property: the lowest liquidity is the brute-force minimum over every tick between the price and the liquidation floor", () => {
    const position = fc
      .tuple(fc.integer({ min: -100, max: 100 }), fc.integer({ min: 1, max: 100 }), fc.bigInt({ min: 1n, max: 10n ** 24n }))
      .map(([lower, width, liquidity]) => ({ lower: lower * 60, upper: (lower + width) * 60, liquidity }));
    fc.assert(
      fc.property(
        fc.array(position, { minLength: 0, maxLength: 6 }),
        fc.integer({ min: -3000, max: 3000 }),
        fc.boolean(),
        fc.bigInt({ min: parseUnits("0.3", 18), max: parseUnits("0.98", 18) }),
        (positions, tick, shareIsToken0, lltv) => {
          const state = stateOf(positions, tick);
          const r = suggestLiquidityFloor({ pool: state, share: shareIsToken0 ? TOKEN0 : TOKEN1, lltv });
          const expectedFloorTick = TickMath.getTickAtSqrtRatio(
            JSBI.BigInt(liquidationFloorSqrtPriceX96(state.sqrtPriceX96, shareIsToken0, lltv).toString()),
          );
          expect(r.floorTick).toBe(expectedFloorTick);
          const [from, to] = shareIsToken0 ? [r.floorTick, tick] : [tick, r.floorTick];
          let lowest = liquidityAt(positions, tick);
          for (let t = from; t <= to; t++) {
            const l = liquidityAt(positions, t);
            if (l < lowest) lowest = l;
          }
          expect(r.lowestLiquidity).toBe(lowest);
          const scaled = lowest / 2n;
          expect(r.minInRangeLiquidity).toBe(scaled > 0n ? scaled : 1n);
        },
      ),
      fcParams({ numRuns: 200 }),
    );
  });
});
