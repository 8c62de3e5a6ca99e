import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { collectFees, getPositionValue, isCogFiError, swap } from "../../index.js";
import { startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { LP, mintPosition, setupPool, TRADER, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
let positionId: bigint;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "collect-fees");
  ({ positionId } = await mintPosition(chain, p));
  await swap(chain.amm(TRADER), { tokenIn: p.stablecoin, tokenOut: p.share, fee: 3000, amountIn: 50_000_000n, amountOutMinimum: 0n });
});
afterAll(() => chain?.stop());

describe("collectFees", () => {
  test("pays the position's owner the swap fees it earned", async () => {
    const before = await getPositionValue(chain.ammReader, { positionId });
    const stableIs0 = p.token0 === p.stablecoin;
    const owed = stableIs0 ? before.collectable0 : before.collectable1;
    expect(owed).toBeGreaterThan(0n);
    const fees = await collectFees(chain.amm(LP), { positionId });
    expect(stableIs0 ? fees.amount0 : fees.amount1).toBeGreaterThanOrEqual(owed);
    const after = await getPositionValue(chain.ammReader, { positionId });
    expect(after.collectable0 + after.collectable1).toBe(0n);
  });

  test("decodes NotPositionOwner", async () => {
    const error = await collectFees(chain.amm(TRADER), { positionId }).catch((e: unknown) => e);
    expect(isCogFiError(error, "NotPositionOwner")).toBe(true);
  });
});
