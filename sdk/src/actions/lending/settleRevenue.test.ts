import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, getPosition, isCogFiError, settleRevenue, supply, supplyCollateral } from "../../index.js";
import { BORROWER, depositRevenue, LENDER, LIQUIDATOR, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-settle");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("100000", 6) });
  // A quarter of the share's supply posted, 10,000 mUSD borrowed.
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000000", 18) });
  await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("10000", 6) });
});
afterAll(() => chain?.stop());

describe("settleRevenue", () => {
  test("anyone settles: the debt shrinks by the revenue released to the posted shares", async () => {
    const borrower = chain.accounts[BORROWER]!.address;
    await depositRevenue(chain, m.share, parseUnits("8000", 6));
    // Half the day's stream: ~4,000 mUSD released, ~1,000 of it to the posted quarter.
    await chain.warp(43_200);
    const before = await getPosition(chain.reader, { marketParams: m.marketParams, user: borrower });
    const settled = await settleRevenue(chain.client(LIQUIDATOR), { marketParams: m.marketParams, borrower });
    expect(settled.repaidAssets).toBeGreaterThan(parseUnits("990", 6));
    expect(settled.repaidAssets).toBeLessThanOrEqual(parseUnits("1001", 6));
    const after = await getPosition(chain.reader, { marketParams: m.marketParams, user: borrower });
    expect(before.borrowShares - after.borrowShares).toBe(settled.repaidShares);
    expect(after.debt).toBeLessThan(before.debt - parseUnits("989", 6));
  });

  test("a market that does not exist decodes MarketNotCreated", async () => {
    const error = await settleRevenue(chain.client(LIQUIDATOR), { marketParams: { ...m.marketParams, lltv: 1n }, borrower: chain.accounts[BORROWER]!.address }).catch((e: unknown) => e);
    expect(isCogFiError(error, "MarketNotCreated")).toBe(true);
  });
});
