import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, claimCollateralRevenue, getPosition, isCogFiError, supply, supplyCollateral } from "../../index.js";
import { BORROWER, depositRevenue, LENDER, LIQUIDATOR, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

const DAY = 86_400;
let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-revenue");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("100000", 6) });
  // The borrower posts all its 1,000,000 shares (a quarter of the supply); the liquidator posts 100,000 and borrows nothing.
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000000", 18) });
  await supplyCollateral(chain.client(LIQUIDATOR), { marketParams: m.marketParams, assets: parseUnits("100000", 18) });
  await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 6) });
});
afterAll(() => chain?.stop());

describe("claimCollateralRevenue", () => {
  test("the posted shares' revenue repays the borrower's debt first and pays the rest; a debt-free poster gets it all", async () => {
    const borrower = chain.accounts[BORROWER]!.address;
    await depositRevenue(chain, m.share, parseUnits("20000", 6));
    await chain.warp(DAY);
    const before = await getPosition(chain.reader, { marketParams: m.marketParams, user: borrower });
    const claimed = await claimCollateralRevenue(chain.client(BORROWER), { marketParams: m.marketParams });
    // A quarter of the supply streamed a day: ~5,000 mUSD, of which the ~1,000 of debt is repaid first.
    expect(claimed.repaidWithRevenue).toBeGreaterThanOrEqual(before.debt);
    expect(claimed.amount).toBeGreaterThan(parseUnits("3900", 6));
    expect(claimed.amount + claimed.repaidWithRevenue).toBeLessThanOrEqual(parseUnits("5000", 6));
    const after = await getPosition(chain.reader, { marketParams: m.marketParams, user: borrower });
    expect(after.debt).toBe(0n);
    expect(after.revenueCredited).toBe(0n);

    const other = await claimCollateralRevenue(chain.client(LIQUIDATOR), { marketParams: m.marketParams });
    expect(other.repaidWithRevenue).toBe(0n);
    // A tenth of the borrower's stake: ~500 mUSD.
    expect(other.amount).toBeGreaterThan(parseUnits("490", 6));
    expect(other.amount).toBeLessThanOrEqual(parseUnits("500", 6));
  });

  test("decodes Unauthorized (claiming another's revenue)", async () => {
    const error = await claimCollateralRevenue(chain.client(LENDER), { marketParams: m.marketParams, onBehalf: chain.accounts[BORROWER]!.address }).catch((e: unknown) => e);
    expect(isCogFiError(error, "Unauthorized")).toBe(true);
  });
});
