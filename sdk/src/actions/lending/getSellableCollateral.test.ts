import { nearestUsableTick } from "@uniswap/v3-sdk";
import fc from "fast-check";
import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  addLiquidity,
  CogFiError,
  cognitionPoolAbi,
  createPool,
  getSellableCollateral,
  liquidationIncentiveFactor,
  swap,
  WAD,
} from "../../index.js";
import { rpc } from "../../node/anvil.js";
import { fcParams } from "../../testing/fastCheck.js";
import { setupShare, startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { LP, POOL_OWNER, setupPool, TRADER, type TestPool } from "../../../test/amm/pool.js";

const LLTV_86 = parseUnits("0.86", 18);

let chain: AmmChain;
/** One pool with the share as token0 and one with it as token1, no liquidity yet. */
const pools: TestPool[] = [];

beforeAll(async () => {
  chain = await startAmmChain();
  // Shares are clones at fresh addresses: register until both token orders exist.
  for (let i = 0; i < 12 && (pools.length < 2); i++) {
    const p = await setupPool(chain, `sellable-${i}`);
    const shareIsToken0 = p.token0 === p.share;
    if (!pools.some((q) => (q.token0 === q.share) === shareIsToken0)) pools.push(p);
  }
  if (pools.length < 2) throw new Error("could not get both token orders");
});
afterAll(() => chain?.stop());

async function sqrtPrice(p: TestPool): Promise<bigint> {
  const [sqrtPriceX96] = await chain.ammReader.publicClient.readContract({ address: p.pool, abi: cognitionPoolAbi, functionName: "slot0" });
  return sqrtPriceX96;
}

/** Sells `shares` through the router and returns the pool's sqrt price after it. */
async function sell(p: TestPool, shares: bigint): Promise<bigint> {
  await swap(chain.amm(TRADER), { tokenIn: p.share, tokenOut: p.stablecoin, fee: 3000, amountIn: shares, amountOutMinimum: 0n });
  return sqrtPrice(p);
}

/** The share's price in the stablecoin, as the ratio of the pool's squared sqrt prices: after / before. */
function shareRatio(p: TestPool, before: bigint, after: bigint): { num: bigint; den: bigint } {
  return p.token0 === p.share ? { num: after * after, den: before * before } : { num: before * before, den: after * after };
}

type PositionDraw = { offset: number; width: number; shares: number; stable: number };
const positionArb: fc.Arbitrary<PositionDraw> = fc.record({
  offset: fc.integer({ min: -40, max: 40 }),
  width: fc.integer({ min: 1, max: 80 }),
  shares: fc.integer({ min: 1, max: 100_000 }),
  stable: fc.integer({ min: 1, max: 200_000 }),
});

/** Mints positions of account LP around the current tick (the first one always contains it). */
async function mint(p: TestPool, draws: PositionDraw[]): Promise<void> {
  const [, tick] = await chain.ammReader.publicClient.readContract({ address: p.pool, abi: cognitionPoolAbi, functionName: "slot0" });
  for (const [i, d] of draws.entries()) {
    const tickLower = nearestUsableTick(i === 0 ? tick - 60 * d.width : tick + 60 * d.offset, 60);
    const tickUpper = i === 0 ? nearestUsableTick(tick + 60 * d.width, 60) + 60 : tickLower + 60 * d.width;
    const shares = parseUnits(String(d.shares), 18);
    const stable = parseUnits(String(d.stable), 6);
    await addLiquidity(chain.amm(LP), {
      token0: p.token0,
      token1: p.token1,
      fee: 3000,
      tickLower,
      tickUpper,
      amount0Desired: p.token0 === p.share ? shares : stable,
      amount1Desired: p.token0 === p.share ? stable : shares,
    });
  }
}

describe("getSellableCollateral", () => {
  test("the sellable amount is the largest sale that stays within the incentive floor; 1% more goes past it", async () => {
    for (const p of pools) {
      const base = (await rpc(chain.rpcUrl, "evm_snapshot")) as string;
      try {
        await mint(p, [{ offset: 0, width: 100, shares: 1_000, stable: 2_000 }]);
        const before = await sqrtPrice(p);
        const result = await getSellableCollateral(chain.ammReader, { pool: p.pool, lltv: LLTV_86 });
        expect(result.share).toBe(p.share);
        expect(result.sqrtPriceX96).toBe(before);
        // min(1.15, 1 / (1 - 0.3 * 0.14)) = 1 / 0.958, WAD-scaled and rounded down as Morpho Blue does.
        expect(result.liquidationIncentiveFactor).toBe(1_043_841_336_116_910_229n);
        expect(result.shares).toBeGreaterThan(0n);
        const shareIsToken0 = p.token0 === p.share;
        const minted = (await rpc(chain.rpcUrl, "evm_snapshot")) as string;
        const after = await sell(p, result.shares);
        expect(shareIsToken0 ? after >= result.sqrtPriceFloorX96 : after <= result.sqrtPriceFloorX96).toBe(true);
        await rpc(chain.rpcUrl, "evm_revert", [minted]);
        const again = (await rpc(chain.rpcUrl, "evm_snapshot")) as string;
        const oneMore = await sell(p, result.shares + 1n);
        expect(shareIsToken0 ? oneMore < result.sqrtPriceFloorX96 : oneMore > result.sqrtPriceFloorX96).toBe(true);
        await rpc(chain.rpcUrl, "evm_revert", [again]);
        const past = shareRatio(p, before, await sell(p, (result.shares * 101n) / 100n));
        expect(past.num * result.liquidationIncentiveFactor).toBeLessThan(past.den * WAD);
      } finally {
        await rpc(chain.rpcUrl, "evm_revert", [base]);
      }
    }
  });

  test("property: at any LLTV and liquidity shape, the sellable amount moves the price by at most the incentive and 1% more moves it past", async () => {
    let checked = 0;
    let runs = 0;
    for (const p of pools) {
      const params = fcParams<[PositionDraw[], number]>({ numRuns: 25 });
      runs += params.numRuns!;
      await fc.assert(
        fc.asyncProperty(
          fc.array(positionArb, { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 385, max: 980 }),
          async (draws, lltvPermille) => {
            const base = (await rpc(chain.rpcUrl, "evm_snapshot")) as string;
            try {
              await mint(p, draws);
              const lltv = (BigInt(lltvPermille) * WAD) / 1000n;
              const factor = liquidationIncentiveFactor(lltv);
              const before = await sqrtPrice(p);
              const result = await getSellableCollateral(chain.ammReader, { pool: p.pool, lltv });
              expect(result.liquidationIncentiveFactor).toBe(factor);
              expect(result.shares).toBeGreaterThan(0n);
              const minted = (await rpc(chain.rpcUrl, "evm_snapshot")) as string;
              // At most the incentive: priceAfter * factor >= priceBefore.
              const within = shareRatio(p, before, await sell(p, result.shares));
              expect(within.num * factor).toBeGreaterThanOrEqual(within.den * WAD);
              await rpc(chain.rpcUrl, "evm_revert", [minted]);
              // 1% more: priceAfter * factor < priceBefore.
              const past = shareRatio(p, before, await sell(p, (result.shares * 101n) / 100n));
              expect(past.num * factor).toBeLessThan(past.den * WAD);
              checked++;
            } finally {
              await rpc(chain.rpcUrl, "evm_revert", [base]);
            }
          },
        ),
        params,
      );
    }
    // Every run checked (25 per token order, times FC_RUNS_FACTOR when exploring).
    expect(checked).toBe(runs);
  }, 240_000);

  test("an LLTV outside (0, 1) and a pool without a price are CogFiErrors", async () => {
    const p = pools[0]!;
    await expect(getSellableCollateral(chain.ammReader, { pool: p.pool, lltv: WAD })).rejects.toThrow(CogFiError);
    const { share } = await setupShare(chain, "sellable-uninitialized", POOL_OWNER, []);
    const { pool } = await createPool(chain.amm(POOL_OWNER), { share, fee: 3000 });
    await expect(getSellableCollateral(chain.ammReader, { pool, lltv: LLTV_86 })).rejects.toThrow(/not initialized/);
  });

  test("a pool without liquidity: nothing is sellable", async () => {
    const result = await getSellableCollateral(chain.ammReader, { pool: pools[0]!.pool, lltv: LLTV_86 });
    expect(result.shares).toBe(0n);
    expect(result.proceeds).toBe(0n);
  });
});
