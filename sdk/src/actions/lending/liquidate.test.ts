import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, getMarket, getPosition, isCogFiError, liquidate, liquidationSeizedAssets, supply, supplyCollateral, WAD } from "../../index.js";
import { BORROWER, LENDER, LIQUIDATOR, PRICE_TWO, setOraclePrice, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-liquidate");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("10000", 6) });
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 18) });
  await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1500", 6) });
});
afterAll(() => chain?.stop());

describe("liquidate", () => {
  test("decodes HealthyPosition", async () => {
    const error = await liquidate(chain.client(LIQUIDATOR), { marketParams: m.marketParams, borrower: chain.accounts[BORROWER]!.address, repaidShares: 1n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "HealthyPosition")).toBe(true);
  });

  test("after a 10% drop: a partial liquidation by shares seizes the sdk's amount; after a crash, seizing all realizes bad debt", async () => {
    const borrower = chain.accounts[BORROWER]!.address;
    await setOraclePrice(chain, m.oracle, (PRICE_TWO * 9n) / 10n);
    const before = await getPosition(chain.reader, { marketParams: m.marketParams, user: borrower });
    expect(before.healthFactor).toBeLessThan(WAD);
    const repaidShares = before.borrowShares / 4n;
    const partial = await liquidate(chain.client(LIQUIDATOR), { marketParams: m.marketParams, borrower, repaidShares });
    expect(partial.repaidShares).toBe(repaidShares);
    // Same block time as the read plus one second: the seized amount moves with the debt's interest, by a unit at most.
    const expected = liquidationSeizedAssets(repaidShares, before.market, before.price, m.marketParams.lltv);
    expect(partial.seizedAssets <= expected && expected - partial.seizedAssets < 10n ** 12n).toBe(true);
    expect(partial.badDebtAssets).toBe(0n);

    await setOraclePrice(chain, m.oracle, PRICE_TWO / 10n);
    const crashed = await getPosition(chain.reader, { marketParams: m.marketParams, user: borrower });
    const supplied = (await getMarket(chain.reader, { marketParams: m.marketParams })).totalSupplyAssets;
    const all = await liquidate(chain.client(LIQUIDATOR), { marketParams: m.marketParams, borrower, seizedAssets: crashed.collateral });
    expect(all.seizedAssets).toBe(crashed.collateral);
    expect(all.badDebtAssets).toBeGreaterThan(0n);
    const after = await getPosition(chain.reader, { marketParams: m.marketParams, user: borrower });
    expect(after).toMatchObject({ collateral: 0n, borrowShares: 0n, debt: 0n });
    // The suppliers bore the bad debt (interest of the block aside).
    const market = await getMarket(chain.reader, { marketParams: m.marketParams });
    expect(market.totalSupplyAssets).toBeLessThan(supplied - all.badDebtAssets + 10n);
  });
});
