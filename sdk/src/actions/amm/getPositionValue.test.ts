import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CogFiContractError, CogFiError, getPositionValue } from "../../index.js";
import { startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { LP, mintPosition, setupPool, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "position-value");
});
afterAll(() => chain?.stop());

describe("getPositionValue", () => {
  test("values a fresh position at what was deposited, with nothing collectable", async () => {
    const added = await mintPosition(chain, p);
    const value = await getPositionValue(chain.ammReader, { positionId: added.positionId });
    expect(value.owner).toBe(chain.accounts[LP]!.address);
    expect(value.liquidity).toBe(added.liquidity);
    expect(added.amount0 - value.amount0).toBeLessThanOrEqual(1n);
    expect(added.amount1 - value.amount1).toBeLessThanOrEqual(1n);
    expect(value.collectable0 + value.collectable1).toBe(0n);
    expect(value.valueInStablecoin).toBeGreaterThan(0n);
  });

  // GetPositionValueErrorType lists UnknownPosition, but `positions` does not revert: the action throws on a zero owner.
  test("an unknown position is refused with a CogFiError, not a contract error", async () => {
    const error = await getPositionValue(chain.ammReader, { positionId: 9_999n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CogFiError);
    expect(error).not.toBeInstanceOf(CogFiContractError);
    expect((error as Error).message).toMatch(/unknown position 9999/);
  });
});
