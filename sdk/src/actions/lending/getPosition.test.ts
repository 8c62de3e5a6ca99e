import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, CogFiError, getPosition, healthFactor, liquidationPrice, ORACLE_PRICE_SCALE, supply, supplyCollateral, WAD } from "../../index.js";
import { BORROWER, LENDER, PRICE_TWO, setOraclePrice, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-get-position");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("10000", 6) });
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 18) });
  await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 6) });
});
afterAll(() => chain?.stop());

describe("getPosition", () => {
  test("health factor, liquidation price and max borrow; the position turns liquidatable just below its liquidation price", async () => {
    const user = chain.accounts[BORROWER]!.address;
    const position = await getPosition(chain.reader, { marketParams: m.marketParams, user });
    // 1,000 shares at $2, 77%: 1,540 of room against 1,000 of debt.
    expect(position).toMatchObject({ collateral: parseUnits("1000", 18), debt: parseUnits("1000", 6), maxBorrow: parseUnits("1540", 6), healthy: true });
    expect(position.healthFactor).toBe((parseUnits("1540", 6) * WAD) / parseUnits("1000", 6));
    expect(position.healthFactor).toBe(healthFactor(position, position.market, PRICE_TWO, m.marketParams.lltv));
    expect(position.maxBorrowable).toBe(parseUnits("540", 6));
    expect(position.seizableCollateral).toBe(0n);
    expect(position.revenueCredited).toBe(0n);
    // debt / (collateral x lltv) = 1000e6 / 770e18, 1e36-scaled: ~1.2987 mUSD per share.
    const boundary = liquidationPrice(position, position.market, m.marketParams.lltv)!;
    expect(position.liquidationPrice).toBe(boundary);
    expect(boundary).toBe((parseUnits("1000", 6) * ORACLE_PRICE_SCALE + parseUnits("770", 18) - 1n) / parseUnits("770", 18));

    await setOraclePrice(chain, m.oracle, (boundary * 999n) / 1000n);
    const below = await getPosition(chain.reader, { marketParams: m.marketParams, user });
    expect(below.healthy).toBe(false);
    expect(below.healthFactor).toBeLessThan(WAD);
    expect(below.seizableCollateral).toBeGreaterThan(0n);
  });

  test("a market that does not exist is a CogFiError", async () => {
    await expect(getPosition(chain.reader, { marketParams: { ...m.marketParams, lltv: 1n }, user: chain.accounts[BORROWER]!.address })).rejects.toThrow(CogFiError);
  });
});
