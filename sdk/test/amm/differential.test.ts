/**
 * Differential test: the CognitionPool contracts against @uniswap/v3-sdk, to the wei.
 * For each fee tier: a pool with >= 20 random positions (minted liquidity == Position.fromAmounts ==
 * maxLiquidityForAmounts), then random swaps through the router (both directions, exact in / exact out, with and
 * without price limits, some crossing many initialized ticks). Every swap's executed amounts and post-swap
 * sqrtPrice / tick / liquidity must equal the v3-sdk quote. Seeded: rerun with AMM_DIFF_SEED to reproduce.
 */
import { Position, TickMath, maxLiquidityForAmounts, nearestUsableTick } from "@uniswap/v3-sdk";
import fc from "fast-check";
import { erc20Abi, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isCogFiError } from "../../src/errors.js";
import {
  addLiquidity,
  createPool,
  getPool,
  quoteExactInput,
  quoteExactOutput,
  swap,
  type FeeTier,
  type PoolState,
} from "../../src/index.js";
import { sortTokens, toBigInt } from "../../src/amm/internal.js";
import { setupShare, startAmmChain, type AmmChain } from "./harness.js";

const SEED = Number(process.env.AMM_DIFF_SEED ?? 20_251_009);
const POSITIONS_PER_TIER = 24;
const SWAPS_PER_TIER = 340; // 1,020 in total
const TIERS: FeeTier[] = [500, 3000, 10000];
const SPACING: Record<FeeTier, number> = { 500: 10, 3000: 60, 10000: 200 };
const MIN_TICK = TickMath.MIN_TICK;
const MAX_TICK = TickMath.MAX_TICK;
const MAX_UINT256 = (1n << 256n) - 1n;
const LP = 4;
const TRADER = 5;

type PositionDraw = { offset: number; width: number; full: boolean; exp0: number; exp1: number; mant0: number; mant1: number };
type SwapDraw = {
  zeroForOne: boolean;
  exactIn: boolean;
  exp: number;
  mantissa: number;
  limit: boolean;
  limitTicks: number;
};

const positionArb: fc.Arbitrary<PositionDraw> = fc.record({
  offset: fc.integer({ min: -12, max: 12 }),
  width: fc.integer({ min: 1, max: 10 }),
  full: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
  exp0: fc.integer({ min: 15, max: 24 }),
  exp1: fc.integer({ min: 15, max: 24 }),
  mant0: fc.integer({ min: 1, max: 9_999 }),
  mant1: fc.integer({ min: 1, max: 9_999 }),
});
const swapArb: fc.Arbitrary<SwapDraw> = fc.record({
  zeroForOne: fc.boolean(),
  exactIn: fc.boolean(),
  exp: fc.integer({ min: 0, max: 25 }),
  mantissa: fc.integer({ min: 1, max: 9_999 }),
  limit: fc.boolean(),
  limitTicks: fc.integer({ min: 2, max: 6_000 }),
});

let chain: AmmChain;
let crossedMany = 0;
let totalSwaps = 0;
let refused = 0;

beforeAll(async () => {
  chain = await startAmmChain();
}, 180_000);
afterAll(() => chain?.stop());

/** With AMM_DIFF_DEBUG set, prints gas used vs limit of a reverted transaction before rethrowing. */
async function explain(e: Error): Promise<never> {
  const hash = /0x[0-9a-f]{64}/.exec(e.message)?.[0];
  if (hash && process.env.AMM_DIFF_DEBUG) {
    const { rpc } = await import("../../src/node/anvil.js");
    const r = (await rpc(chain.rpcUrl, "eth_getTransactionReceipt", [hash])) as { gasUsed: string; blockNumber: string };
    const t = (await rpc(chain.rpcUrl, "eth_getTransactionByHash", [hash])) as { gas: string };
    console.log("FAILED TX", hash, "gasUsed", BigInt(r.gasUsed), "gasLimit", BigInt(t.gas));
  }
  throw e;
}

async function balanceOf(token: Address, who: Address): Promise<bigint> {
  return chain.ammReader.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [who] });
}

describe("CognitionPool vs @uniswap/v3-sdk (differential)", () => {
  TIERS.forEach((fee, tierIndex) => {
    test(
      `fee ${fee}: minted liquidity and ${SWAPS_PER_TIER} swaps match the v3-sdk exactly`,
      async () => {
        const seed = SEED + tierIndex;
        const where = (what: string) => `${what} (fee ${fee}, seed ${seed}; rerun with AMM_DIFF_SEED=${SEED})`;
        const spacing = SPACING[fee];
        const huge = 10n ** 30n;
        const { share, stablecoin } = await setupShare(chain, `diff-${fee}`, 1, [LP, TRADER], {
          shares: huge,
          stablecoin: huge,
        });
        const [token0, token1] = sortTokens(share, stablecoin);
        const startTick = fc.sample(fc.integer({ min: -20_000, max: 20_000 }), { seed, numRuns: 1 })[0]!;
        const { pool } = await createPool(chain.amm(1), {
          share,
          fee,
          sqrtPriceX96: toBigInt(TickMath.getSqrtRatioAtTick(startTick)) + 12_345n,
        });

        // Positions: liquidity minted by the manager equals the v3-sdk's, for every draw.
        const positions = fc.sample(positionArb, { seed, numRuns: POSITIONS_PER_TIER });
        for (const [i, p] of positions.entries()) {
          const state = await getPool(chain.ammReader, { pool });
          const usable = (t: number) => nearestUsableTick(Math.max(MIN_TICK, Math.min(MAX_TICK, t)), spacing);
          let tickLower = p.full ? usable(MIN_TICK) : usable(startTick + p.offset * spacing * 2);
          let tickUpper = p.full ? usable(MAX_TICK) : tickLower + p.width * spacing;
          if (tickUpper > usable(MAX_TICK)) [tickLower, tickUpper] = [usable(MAX_TICK) - spacing, usable(MAX_TICK)];
          // Full-range positions stay thin so that large swaps walk through the concentrated ranges.
          const scale = p.full ? 10n ** 6n : 1n;
          const amount0Desired = (BigInt(p.mant0) * 10n ** BigInt(p.exp0)) / scale + 1n;
          const amount1Desired = (BigInt(p.mant1) * 10n ** BigInt(p.exp1)) / scale + 1n;
          const sdkPosition = Position.fromAmounts({
            pool: state.pool,
            tickLower,
            tickUpper,
            amount0: amount0Desired.toString(),
            amount1: amount1Desired.toString(),
            useFullPrecision: false,
          });
          const sdkMax = maxLiquidityForAmounts(
            state.pool.sqrtRatioX96,
            TickMath.getSqrtRatioAtTick(tickLower),
            TickMath.getSqrtRatioAtTick(tickUpper),
            amount0Desired.toString(),
            amount1Desired.toString(),
            false,
          );
          const added = await addLiquidity(chain.amm(LP), {
            token0,
            token1,
            fee,
            tickLower,
            tickUpper,
            amount0Desired,
            amount1Desired,
          }).catch(explain);
          expect(added.liquidity, where(`position ${i} vs Position.fromAmounts`)).toBe(toBigInt(sdkPosition.liquidity));
          expect(added.liquidity, where(`position ${i} vs maxLiquidityForAmounts`)).toBe(toBigInt(sdkMax));
          expect(added.amount0, where(`position ${i} token0 paid`)).toBe(toBigInt(sdkPosition.mintAmounts.amount0));
          expect(added.amount1, where(`position ${i} token1 paid`)).toBe(toBigInt(sdkPosition.mintAmounts.amount1));
        }

        // Swaps: ticks never change during swaps, so the lens is read once.
        let state: PoolState = await getPool(chain.ammReader, { pool });
        expect(state.ticks.length, where("initialized ticks")).toBeGreaterThanOrEqual(20);
        const reserve0 = await balanceOf(token0, pool);
        const reserve1 = await balanceOf(token1, pool);
        let maxCrossed = 0;
        const draws = fc.sample(swapArb, { seed: seed + 1_000, numRuns: SWAPS_PER_TIER });
        for (const [i, d] of draws.entries()) {
          state = await getPool(chain.ammReader, { pool, ticks: state.ticks, tokens: [state.token0, state.token1] });
          // Mean-revert so the price stays where the liquidity is.
          let zeroForOne = d.zeroForOne;
          if (state.tick > startTick + 30 * spacing) zeroForOne = true;
          if (state.tick < startTick - 30 * spacing) zeroForOne = false;
          // Log-uniform between 1 wei and the pool's reserve of the specified token: small swaps inside one tick
          // up to swaps that walk through every range.
          const reserve = (zeroForOne === d.exactIn ? reserve0 : reserve1) || 10n ** 20n;
          const amount = (reserve * BigInt(d.mantissa) * 10n ** BigInt(d.exp)) / (10_000n * 10n ** 25n) + 1n;
          const limitTick = zeroForOne
            ? Math.max(MIN_TICK + 1, state.tick - d.limitTicks)
            : Math.min(MAX_TICK - 1, state.tick + d.limitTicks);
          const sqrtPriceLimitX96 = d.limit ? toBigInt(TickMath.getSqrtRatioAtTick(limitTick)) : undefined;
          const [tokenIn, tokenOut] = zeroForOne ? [token0, token1] : [token1, token0];
          const label = where(
            `swap ${i}: ${zeroForOne ? "0->1" : "1->0"} ${d.exactIn ? "exact in" : "exact out"} ${amount}` +
              (sqrtPriceLimitX96 ? ` limit tick ${limitTick}` : ""),
          );

          const quote = d.exactIn
            ? await quoteExactInput({ pool: state, tokenIn, amountIn: amount, sqrtPriceLimitX96 })
            : await quoteExactOutput({ pool: state, tokenOut, amountOut: amount, sqrtPriceLimitX96 });

          if (!d.exactIn && quote.limitReached && sqrtPriceLimitX96 === undefined) {
            // Not enough liquidity for the full output and no limit: the router refuses the short fill (or the
            // trader cannot even pay for the partial one, pushed to the price bound).
            const error = await swap(chain.amm(TRADER), {
              tokenIn,
              tokenOut,
              fee,
              amountOut: amount,
              amountInMaximum: MAX_UINT256,
            }).catch((e: unknown) => e);
            expect(isCogFiError(error, "OutputNotFilled") || isCogFiError(error, "PaymentFailed"), `${label}: ${error}`).toBe(
              true,
            );
            refused++;
            continue;
          }
          const done = await (d.exactIn
            ? swap(chain.amm(TRADER), { tokenIn, tokenOut, fee, amountIn: amount, amountOutMinimum: 0n, sqrtPriceLimitX96 })
            : swap(chain.amm(TRADER), {
                tokenIn,
                tokenOut,
                fee,
                amountOut: amount,
                amountInMaximum: MAX_UINT256,
                sqrtPriceLimitX96,
              })).catch(explain);
          totalSwaps++;
          if (d.exactIn) {
            expect(done.amountOut, `${label}: amount out`).toBe(quote.amountOut);
            if (quote.limitReached) expect(done.amountIn <= amount, `${label}: partial input`).toBe(true);
            else expect(done.amountIn, `${label}: amount in`).toBe(amount);
          } else {
            expect(done.amountIn, `${label}: amount in`).toBe(quote.amountIn);
            expect(done.amountOut, `${label}: amount out`).toBe(quote.amountOut);
          }
          expect(done.sqrtPriceX96After, `${label}: sqrt price`).toBe(quote.sqrtPriceX96After);
          expect(done.tickAfter, `${label}: tick`).toBe(quote.tickAfter);
          expect(done.liquidityAfter, `${label}: liquidity`).toBe(quote.liquidityAfter);

          const [lo, hi] = [Math.min(state.tick, done.tickAfter), Math.max(state.tick, done.tickAfter)];
          const crossed = state.ticks.filter((t) => t.index > lo && t.index <= hi).length;
          if (crossed >= 5) crossedMany++;
          maxCrossed = Math.max(maxCrossed, crossed);
        }
        expect(maxCrossed, where("some swap crossed many initialized ticks")).toBeGreaterThanOrEqual(5);
      },
      600_000,
    );
  });

  test("the run exercised >= 1,000 swaps, some crossing many initialized ticks", () => {
    expect(totalSwaps + refused).toBeGreaterThanOrEqual(1_000);
    expect(refused).toBeLessThan(50);
    expect(crossedMany).toBeGreaterThan(10);
  });
});
