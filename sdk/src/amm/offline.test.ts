import { describe, expect, test } from "vitest";
import { parseUnits, type Address } from "viem";
import { fullRangeBounds, fullRangeTicks, offlinePoolState, poolStateAfter, withFullRangeLiquidity } from "./offline.js";
import { quoteExactInput } from "./quoteExactInput.js";
import { sqrtFloor } from "../lending/sellable.js";

const usd = { address: "0x00000000000000000000000000000000000000a1" as Address, decimals: 6 };
const share = { address: "0x00000000000000000000000000000000000000b2" as Address, decimals: 18 };

describe("offlinePoolState", () => {
  // 1,000,000 shares against 2,000,000 USD: price 2 USD = 2e6 / 1e18 units; share is token1 (higher address).
  const x = parseUnits("2000000", 6); // token0 = usd
  const y = parseUnits("1000000", 18); // token1 = share
  const liquidity = sqrtFloor(x * y);
  const sqrtPriceX96 = sqrtFloor(((y << 192n) / x));
  const state = offlinePoolState({ address: "0x00000000000000000000000000000000000000c3", tokenA: share, tokenB: usd, fee: 3000, sqrtPriceX96, liquidity, ticks: fullRangeTicks(60, liquidity) });

  test("orders tokens as pools do and holds full-range liquidity", () => {
    expect(state.token0.address.toLowerCase()).toBe(usd.address);
    expect(state.ticks.map((t) => t.index)).toEqual(fullRangeBounds(60));
    expect(state.liquidity).toBe(liquidity);
  });

  test("a swap matches the constant product net of the 0.3% fee (to rounding), and the state after it quotes on", async () => {
    const amountIn = parseUnits("1000", 18);
    const quote = await quoteExactInput({ pool: state, tokenIn: share.address, amountIn });
    const net = (amountIn * 997n) / 1000n;
    const expected = x - (x * y + (y + net) - 1n) / (y + net);
    expect(quote.amountOut - expected).toBeGreaterThanOrEqual(-2n);
    expect(quote.amountOut - expected).toBeLessThanOrEqual(2n);
    const after = poolStateAfter(state, quote);
    expect(after.sqrtPriceX96).toBeGreaterThan(state.sqrtPriceX96); // more share per usd
    const again = await quoteExactInput({ pool: after, tokenIn: share.address, amountIn });
    expect(again.amountOut).toBeLessThan(quote.amountOut);
  });

  test("withFullRangeLiquidity halves what a swap moves when liquidity halves", async () => {
    const half = withFullRangeLiquidity(state, liquidity / 2n);
    expect(half.liquidity).toBe(liquidity / 2n);
    const amountIn = parseUnits("1000", 18);
    const full = await quoteExactInput({ pool: state, tokenIn: share.address, amountIn });
    const thin = await quoteExactInput({ pool: half, tokenIn: share.address, amountIn });
    expect(thin.amountOut).toBeLessThan(full.amountOut);
    expect(withFullRangeLiquidity(state, 0n).ticks).toEqual([]);
  });
});
