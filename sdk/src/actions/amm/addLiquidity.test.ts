import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Position, nearestUsableTick } from "@uniswap/v3-sdk";
import { addLiquidity, getPool, getPositionValue, isCogFiError } from "../../index.js";
import { startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { desiredAmounts, LP, setupPool, TRADER, type TestPool } from "../../../test/amm/pool.js";
import { toBigInt } from "../../amm/internal.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "add-liquidity");
});
afterAll(() => chain?.stop());

describe("addLiquidity", () => {
  test("mints the liquidity the v3-sdk computes, and adds to an existing position", async () => {
    const state = await getPool(chain.ammReader, { pool: p.pool });
    const tickLower = nearestUsableTick(state.tick - 6000, 60);
    const tickUpper = nearestUsableTick(state.tick + 6000, 60);
    const { amount0Desired, amount1Desired } = desiredAmounts(p);
    const expected = Position.fromAmounts({
      pool: state.pool,
      tickLower,
      tickUpper,
      amount0: amount0Desired.toString(),
      amount1: amount1Desired.toString(),
      useFullPrecision: false,
    });
    const added = await addLiquidity(chain.amm(LP), { token0: p.token0, token1: p.token1, fee: 3000, tickLower, tickUpper, amount0Desired, amount1Desired });
    expect(added.liquidity).toBe(toBigInt(expected.liquidity));
    expect((await getPositionValue(chain.ammReader, { positionId: added.positionId })).owner).toBe(chain.accounts[LP]!.address);

    const more = await addLiquidity(chain.amm(TRADER), { positionId: added.positionId, amount0Desired, amount1Desired });
    expect(more.positionId).toBe(added.positionId);
    expect((await getPositionValue(chain.ammReader, { positionId: added.positionId })).liquidity).toBe(added.liquidity + more.liquidity);
  });

  test("decodes TickMisaligned from the pool through the manager", async () => {
    const error = await addLiquidity(chain.amm(LP), {
      token0: p.token0,
      token1: p.token1,
      fee: 3000,
      tickLower: -61,
      tickUpper: 60,
      amount0Desired: 1000n,
      amount1Desired: 1000n,
    }).catch((e: unknown) => e);
    expect(isCogFiError(error, "TickMisaligned")).toBe(true);
  });
});
