import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMarket, getMarket, getPosition, isCogFiError, supply, toAssetsUp } from "../../index.js";
import { LENDER, OWNER, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-supply");
});
afterAll(() => chain?.stop());

describe("supply", () => {
  test("by assets and by shares: the event's amounts, the position and the totals agree", async () => {
    const first = await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("1000", 6) });
    // An empty market: 1e6 virtual shares per virtual asset.
    expect(first).toMatchObject({ assets: parseUnits("1000", 6), shares: parseUnits("1000", 6) * 10n ** 6n });
    const before = await getMarket(chain.reader, { marketParams: m.marketParams });
    const second = await supply(chain.client(LENDER), { marketParams: m.marketParams, shares: 10n ** 12n });
    expect(second.shares).toBe(10n ** 12n);
    expect(second.assets).toBe(toAssetsUp(10n ** 12n, before.totalSupplyAssets, before.totalSupplyShares));
    const position = await getPosition(chain.reader, { marketParams: m.marketParams, user: chain.accounts[LENDER]!.address });
    expect(position.supplyShares).toBe(first.shares + second.shares);
    const after = await getMarket(chain.reader, { marketParams: m.marketParams });
    expect(after.totalSupplyAssets).toBe(first.assets + second.assets);
  });

  test("decodes SupplyCapExceeded", async () => {
    const capped = { ...m.marketParams, lltv: parseUnits("0.625", 18) };
    await createMarket(chain.client(OWNER), { marketParams: capped, caps: { supplyCap: parseUnits("10", 6), borrowCap: 0n } });
    const error = await supply(chain.client(LENDER), { marketParams: capped, assets: parseUnits("11", 6) }).catch((e: unknown) => e);
    expect(isCogFiError(error, "SupplyCapExceeded")).toBe(true);
  });
});
