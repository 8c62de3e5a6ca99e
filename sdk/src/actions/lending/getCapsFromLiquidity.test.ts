import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMarket, createPool, getCapsFromLiquidity, getMarket, getSellableCollateral, MAX_SUPPLY_CAP, maxBorrow, sortTokens } from "../../index.js";
import { mintPosition, twoStablePerShare, type TestPool } from "../../../test/amm/pool.js";
import { LENDER, OWNER, PRICE_TWO, SHARE_OWNER, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
let p: TestPool;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-caps");
  const [token0, token1] = sortTokens(m.share, m.stablecoin);
  const { pool } = await createPool(chain.client(SHARE_OWNER), { share: m.share, fee: 3000, sqrtPriceX96: twoStablePerShare(token0, m.share) });
  p = { share: m.share, stablecoin: m.stablecoin, token0, token1, pool };
  await mintPosition(chain, p, LENDER);
});
afterAll(() => chain?.stop());

describe("getCapsFromLiquidity", () => {
  test("the borrow cap is the max borrow of the sellable collateral at the oracle's price; the supply cap stays open", async () => {
    const caps = await getCapsFromLiquidity(chain.reader, { marketParams: m.marketParams, pool: p.pool });
    const sellable = await getSellableCollateral(chain.reader, { pool: p.pool, lltv: m.marketParams.lltv });
    expect(caps.sellable.shares).toBe(sellable.shares);
    expect(sellable.shares).toBeGreaterThan(0n);
    expect(caps.price).toBe(PRICE_TWO);
    expect(caps.borrowCap).toBe(maxBorrow(sellable.shares, PRICE_TWO, m.marketParams.lltv));
    expect(caps.borrowCap).toBeGreaterThan(0n);
    expect(caps.supplyCap).toBe(MAX_SUPPLY_CAP);

    // Set on a new market (the owner's setCaps through createMarket).
    const marketParams = { ...m.marketParams, lltv: 625n * 10n ** 15n };
    // Before the market exists: its params are enough.
    const forNew = await getCapsFromLiquidity(chain.reader, { marketParams, pool: p.pool });
    // A lower LLTV pays a larger incentive: the floor is lower, so more can be sold within it.
    expect(forNew.sellable.shares).toBeGreaterThan(caps.sellable.shares);
    expect(forNew.borrowCap).toBe(maxBorrow(forNew.sellable.shares, PRICE_TWO, marketParams.lltv));
    const { id } = await createMarket(chain.client(OWNER), { marketParams, caps: forNew });
    expect((await getMarket(chain.reader, { id })).borrowCap).toBe(forNew.borrowCap);
  });

  test("a pool without liquidity supports no borrowing", async () => {
    const [token0] = sortTokens(m.share, m.stablecoin);
    const { pool } = await createPool(chain.client(SHARE_OWNER), { share: m.share, fee: 500, sqrtPriceX96: twoStablePerShare(token0, m.share) });
    const caps = await getCapsFromLiquidity(chain.reader, { marketParams: m.marketParams, pool });
    expect(caps.borrowCap).toBe(0n);
  });
});
