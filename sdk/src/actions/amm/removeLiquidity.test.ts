import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getPositionValue, isCogFiError, removeLiquidity } from "../../index.js";
import { startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { LP, mintPosition, setupPool, TRADER, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "remove-liquidity");
});
afterAll(() => chain?.stop());

describe("removeLiquidity", () => {
  test("removes all liquidity and collects the principal", async () => {
    const added = await mintPosition(chain, p);
    const removed = await removeLiquidity(chain.amm(LP), { positionId: added.positionId, liquidity: added.liquidity });
    expect(added.amount0 - removed.amount0).toBeLessThanOrEqual(1n);
    expect(added.amount1 - removed.amount1).toBeLessThanOrEqual(1n);
    expect(removed.collected!.amount0).toBeGreaterThanOrEqual(removed.amount0);
    expect(removed.collected!.amount1).toBeGreaterThanOrEqual(removed.amount1);
    expect((await getPositionValue(chain.ammReader, { positionId: added.positionId })).liquidity).toBe(0n);
  });

  test("decodes NotPositionOwner", async () => {
    const added = await mintPosition(chain, p);
    const error = await removeLiquidity(chain.amm(TRADER), { positionId: added.positionId, liquidity: 1n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "NotPositionOwner")).toBe(true);
  });
});
