import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, getPosition, isCogFiError, repay, supply, supplyCollateral } from "../../index.js";
import { BORROWER, LENDER, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-repay");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("10000", 6) });
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 18) });
  await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 6) });
});
afterAll(() => chain?.stop());

describe("repay", () => {
  test("part by assets, then all by shares after interest: the debt is gone", async () => {
    const user = chain.accounts[BORROWER]!.address;
    const part = await repay(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("400", 6) });
    expect(part.assets).toBe(parseUnits("400", 6));
    await chain.warp(30 * 86_400);
    const { borrowShares, debt } = await getPosition(chain.reader, { marketParams: m.marketParams, user });
    expect(debt).toBeGreaterThan(parseUnits("600", 6)); // a month of interest
    const rest = await repay(chain.client(BORROWER), { marketParams: m.marketParams, shares: borrowShares });
    expect(rest.shares).toBe(borrowShares);
    // One more second of interest than the read.
    expect(rest.assets).toBeGreaterThanOrEqual(debt);
    expect(rest.assets - debt).toBeLessThan(10n);
    expect((await getPosition(chain.reader, { marketParams: m.marketParams, user })).borrowShares).toBe(0n);
  });

  test("decodes InconsistentInput (a zero amount)", async () => {
    const error = await repay(chain.client(BORROWER), { marketParams: m.marketParams, assets: 0n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "InconsistentInput")).toBe(true);
  });
});
