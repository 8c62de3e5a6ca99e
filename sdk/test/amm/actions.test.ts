import { Position, encodeSqrtRatioX96, maxLiquidityForAmounts, nearestUsableTick, TickMath } from "@uniswap/v3-sdk";
import { parseUnits, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { isCogFiError } from "../../src/errors.js";
import { modelShareAbi, mockStablecoinAbi } from "../../src/generated/abis.js";
import { startAmmChain, setupShare, type AmmChain } from "./harness.js";
import {
  addLiquidity,
  collectFees,
  createPool,
  getPool,
  getPoolAddress,
  getPositionValue,
  getTwap,
  increaseObservationCardinality,
  quoteExactInput,
  quoteExactOutput,
  removeLiquidity,
  swap,
} from "../../src/index.js";
import { sortTokens, toBigInt } from "../../src/amm/internal.js";

let chain: AmmChain;
let share: Address;
let stablecoin: Address;
let token0: Address;
let token1: Address;
let pool: Address;
const LP = 2;
const TRADER = 3;

beforeAll(async () => {
  chain = await startAmmChain();
  ({ share, stablecoin } = await setupShare(chain, "amm-actions", 1, [LP, TRADER]));
  [token0, token1] = sortTokens(share, stablecoin);
  // 1 share = 2 stablecoin units-of-account: price of token1 in token0 terms depends on the order.
  const price = token0 === share ? encodeSqrtRatioX96("2000000", "1000000000000000000") : encodeSqrtRatioX96("1000000000000000000", "2000000");
  ({ pool } = await createPool(chain.amm(1), { share, fee: 3000, sqrtPriceX96: toBigInt(price) }));
});
afterAll(() => chain.stop());

describe("createPool / getPoolAddress", () => {
  test("finds the pool in either token order", async () => {
    expect(await getPoolAddress(chain.ammReader, { tokenA: stablecoin, tokenB: share, fee: 3000 })).toBe(pool);
    expect(await getPoolAddress(chain.ammReader, { tokenA: share, tokenB: stablecoin, fee: 500 })).toBeUndefined();
  });

  test("decodes PoolExists and InvalidFeeTier", async () => {
    const exists = await createPool(chain.amm(1), { share, fee: 3000 }).catch((e: unknown) => e);
    expect(isCogFiError(exists, "PoolExists")).toBe(true);
    const badFee = await createPool(chain.amm(1), { share, fee: 100 as never }).catch((e: unknown) => e);
    expect(isCogFiError(badFee, "InvalidFeeTier")).toBe(true);
  });
});

describe("addLiquidity / getPositionValue", () => {
  test("mints exactly the v3-sdk's maxLiquidityForAmounts and values the position", async () => {
    const state = await getPool(chain.ammReader, { pool });
    const tickLower = nearestUsableTick(state.tick - 6000, 60);
    const tickUpper = nearestUsableTick(state.tick + 6000, 60);
    const amount0Desired = token0 === share ? parseUnits("1000", 18) : 2_000_000_000n;
    const amount1Desired = token0 === share ? 2_000_000_000n : parseUnits("1000", 18);
    const expected = Position.fromAmounts({
      pool: state.pool,
      tickLower,
      tickUpper,
      amount0: amount0Desired.toString(),
      amount1: amount1Desired.toString(),
      useFullPrecision: false,
    });
    const added = await addLiquidity(chain.amm(LP), {
      token0,
      token1,
      fee: 3000,
      tickLower,
      tickUpper,
      amount0Desired,
      amount1Desired,
    });
    expect(added.liquidity).toBe(toBigInt(expected.liquidity));
    expect(added.liquidity).toBe(
      toBigInt(
        maxLiquidityForAmounts(
          state.pool.sqrtRatioX96,
          TickMath.getSqrtRatioAtTick(tickLower),
          TickMath.getSqrtRatioAtTick(tickUpper),
          amount0Desired.toString(),
          amount1Desired.toString(),
          false,
        ),
      ),
    );
    const value = await getPositionValue(chain.ammReader, { positionId: added.positionId });
    expect(value.owner).toBe(chain.accounts[LP]!.address);
    expect(value.liquidity).toBe(added.liquidity);
    expect(added.amount0 - value.amount0).toBeLessThanOrEqual(1n);
    expect(added.amount1 - value.amount1).toBeLessThanOrEqual(1n);
    expect(value.collectable0 + value.collectable1).toBe(0n);
    expect(value.valueInStablecoin).toBeGreaterThan(0n);

    const more = await addLiquidity(chain.amm(TRADER), { positionId: added.positionId, amount0Desired, amount1Desired });
    expect(more.positionId).toBe(added.positionId);
  });

  test("decodes TickMisaligned from the pool through the manager", async () => {
    const error = await addLiquidity(chain.amm(LP), {
      token0,
      token1,
      fee: 3000,
      tickLower: -61,
      tickUpper: 60,
      amount0Desired: 1000n,
      amount1Desired: 1000n,
    }).catch((e: unknown) => e);
    expect(isCogFiError(error, "TickMisaligned")).toBe(true);
  });
});

describe("swap", () => {
  test("executes exactly the v3-sdk quote, both ways", async () => {
    let state = await getPool(chain.ammReader, { pool });
    const quoteIn = await quoteExactInput({ pool: state, tokenIn: stablecoin, amountIn: 5_000_000n });
    const done = await swap(chain.amm(TRADER), {
      tokenIn: stablecoin,
      tokenOut: share,
      fee: 3000,
      amountIn: 5_000_000n,
      amountOutMinimum: quoteIn.amountOut,
    });
    expect(done.amountOut).toBe(quoteIn.amountOut);
    expect(done.sqrtPriceX96After).toBe(quoteIn.sqrtPriceX96After);
    expect(done.tickAfter).toBe(quoteIn.tickAfter);

    state = await getPool(chain.ammReader, { pool, ticks: state.ticks, tokens: [state.token0, state.token1] });
    const quoteOut = await quoteExactOutput({ pool: state, tokenOut: stablecoin, amountOut: 1_000_000n });
    const back = await swap(chain.amm(TRADER), {
      tokenIn: share,
      tokenOut: stablecoin,
      fee: 3000,
      amountOut: 1_000_000n,
      amountInMaximum: quoteOut.amountIn,
    });
    expect(back.amountIn).toBe(quoteOut.amountIn);
    expect(back.amountOut).toBe(1_000_000n);
    expect(back.liquidityAfter).toBe(quoteOut.liquidityAfter);
  });

  test("decodes slippage, deadline and unknown-pool errors", async () => {
    const state = await getPool(chain.ammReader, { pool });
    const quote = await quoteExactInput({ pool: state, tokenIn: stablecoin, amountIn: 1_000_000n });
    const slip = await swap(chain.amm(TRADER), {
      tokenIn: stablecoin,
      tokenOut: share,
      fee: 3000,
      amountIn: 1_000_000n,
      amountOutMinimum: quote.amountOut + 1n,
    }).catch((e: unknown) => e);
    expect(isCogFiError(slip, "TooLittleReceived")).toBe(true);
    if (isCogFiError(slip, "TooLittleReceived")) expect(slip.args).toEqual([quote.amountOut, quote.amountOut + 1n]);
    const late = await swap(chain.amm(TRADER), {
      tokenIn: stablecoin,
      tokenOut: share,
      fee: 3000,
      amountIn: 1_000_000n,
      amountOutMinimum: 0n,
      deadline: 1n,
    }).catch((e: unknown) => e);
    expect(isCogFiError(late, "DeadlineExpired")).toBe(true);
    const none = await swap(chain.amm(TRADER), {
      tokenIn: stablecoin,
      tokenOut: share,
      fee: 500,
      amountIn: 1_000_000n,
      amountOutMinimum: 0n,
    }).catch((e: unknown) => e);
    expect(isCogFiError(none, "PoolNotFound")).toBe(true);
  });
});

describe("getTwap", () => {
  test("averages the tick over the window", async () => {
    await increaseObservationCardinality(chain.amm(1), { pool, cardinality: 10 });
    await chain.warp(600);
    const { tick } = await getPool(chain.ammReader, { pool });
    const twap = await getTwap(chain.ammReader, { pool, secondsAgo: 300 });
    expect(twap.arithmeticMeanTick).toBe(tick);
    expect(twap.harmonicMeanLiquidity).toBeGreaterThan(0n);
    const tooOld = await getTwap(chain.ammReader, { pool, secondsAgo: 1_000_000 }).catch((e: unknown) => e);
    expect(isCogFiError(tooOld, "ObservationTooOld")).toBe(true);
  });
});

describe("collectFees / removeLiquidity", () => {
  test("pays swap fees and streamed model-share revenue, then the principal", async () => {
    const owner = chain.amm(1).walletClient!;
    const revenue = 1_000_000_000n;
    await owner.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "mint", args: [owner.account.address, revenue] });
    await owner.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "approve", args: [share, revenue] });
    await owner.writeContract({ address: share, abi: modelShareAbi, functionName: "depositRevenue", args: [revenue] });
    await chain.warp(86_400);

    const before = await getPositionValue(chain.ammReader, { positionId: 1n });
    const stableIs0 = token0 === stablecoin;
    const collectableStable = stableIs0 ? before.collectable0 : before.collectable1;
    expect(collectableStable).toBeGreaterThan(0n);

    const fees = await collectFees(chain.amm(LP), { positionId: 1n });
    expect(stableIs0 ? fees.amount0 : fees.amount1).toBeGreaterThanOrEqual(collectableStable);

    const notOwner = await collectFees(chain.amm(TRADER), { positionId: 1n }).catch((e: unknown) => e);
    expect(isCogFiError(notOwner, "NotPositionOwner")).toBe(true);

    const removed = await removeLiquidity(chain.amm(LP), { positionId: 1n, liquidity: before.liquidity });
    expect(removed.collected!.amount0).toBeGreaterThanOrEqual(removed.amount0);
    expect(removed.collected!.amount1).toBeGreaterThanOrEqual(removed.amount1);
    const after = await getPositionValue(chain.ammReader, { positionId: 1n });
    expect(after.liquidity).toBe(0n);
  });
});
