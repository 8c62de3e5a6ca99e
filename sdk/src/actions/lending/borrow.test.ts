import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, getPosition, isCogFiError, supply, supplyCollateral } from "../../index.js";
import { BORROWER, LENDER, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-borrow");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("10000", 6) });
  // 1,000 shares at $2, LLTV 77%: 1,540 mUSD of room.
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 18) });
});
afterAll(() => chain?.stop());

describe("borrow", () => {
  test("borrows half the room; the debt is the borrowed assets (rounded up) and the room shrinks by it", async () => {
    const user = chain.accounts[BORROWER]!.address;
    const done = await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("770", 6) });
    expect(done.assets).toBe(parseUnits("770", 6));
    const position = await getPosition(chain.reader, { marketParams: m.marketParams, user });
    expect(position.borrowShares).toBe(done.shares);
    expect(position.debt).toBe(parseUnits("770", 6));
    expect(position.maxBorrowable).toBe(parseUnits("770", 6));
    // 1,540 / 770.
    expect(position.healthFactor).toBe(2n * 10n ** 18n);
  });

  test("decodes InsufficientCollateral one unit past the room", async () => {
    const user = chain.accounts[BORROWER]!.address;
    const { maxBorrowable } = await getPosition(chain.reader, { marketParams: m.marketParams, user });
    const error = await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: maxBorrowable + 1n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "InsufficientCollateral")).toBe(true);
  });
});
