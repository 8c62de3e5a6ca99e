import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getPosition, isCogFiError, supplyCollateral } from "../../index.js";
import { BORROWER, LENDER, PRICE_TWO, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-collateral");
});
afterAll(() => chain?.stop());

describe("supplyCollateral", () => {
  test("posts shares for oneself and for another; the position values them at the oracle's price", async () => {
    await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("100", 18) });
    await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1", 18), onBehalf: chain.accounts[LENDER]!.address });
    const own = await getPosition(chain.reader, { marketParams: m.marketParams, user: chain.accounts[BORROWER]!.address });
    expect(own.collateral).toBe(parseUnits("100", 18));
    expect(own.price).toBe(PRICE_TWO);
    // 100 shares at $2 = 200 mUSD; max borrow at 77% = 154 mUSD.
    expect(own.collateralValue).toBe(parseUnits("200", 6));
    expect(own.maxBorrow).toBe(parseUnits("154", 6));
    expect((await getPosition(chain.reader, { marketParams: m.marketParams, user: chain.accounts[LENDER]!.address })).collateral).toBe(parseUnits("1", 18));
  });

  test("decodes ZeroAmount", async () => {
    const error = await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: 0n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "ZeroAmount")).toBe(true);
  });
});
