import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, getPosition, isCogFiError, supply, supplyCollateral, withdrawCollateral } from "../../index.js";
import { BORROWER, LENDER, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-withdraw-collateral");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("10000", 6) });
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 18) });
  await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("770", 6) });
});
afterAll(() => chain?.stop());

describe("withdrawCollateral", () => {
  test("takes out what the debt does not need", async () => {
    const user = chain.accounts[BORROWER]!.address;
    // 770 mUSD of debt needs 500 shares at $2 and 77%.
    const done = await withdrawCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("400", 18) });
    expect(done.repaidWithRevenue).toBe(0n);
    expect((await getPosition(chain.reader, { marketParams: m.marketParams, user })).collateral).toBe(parseUnits("600", 18));
  });

  test("decodes InsufficientCollateral", async () => {
    const error = await withdrawCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("101", 18) }).catch((e: unknown) => e);
    expect(isCogFiError(error, "InsufficientCollateral")).toBe(true);
  });
});
