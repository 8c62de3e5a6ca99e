import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getPosition, isCogFiError, supply, withdraw } from "../../index.js";
import { BORROWER, LENDER, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-withdraw");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("500", 6) });
});
afterAll(() => chain?.stop());

describe("withdraw", () => {
  test("by assets, then everything by shares", async () => {
    const lender = chain.accounts[LENDER]!.address;
    const part = await withdraw(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("100", 6) });
    expect(part.assets).toBe(parseUnits("100", 6));
    const { supplyShares, supplyAssets } = await getPosition(chain.reader, { marketParams: m.marketParams, user: lender });
    const rest = await withdraw(chain.client(LENDER), { marketParams: m.marketParams, shares: supplyShares });
    expect(rest).toMatchObject({ shares: supplyShares, assets: supplyAssets });
    expect((await getPosition(chain.reader, { marketParams: m.marketParams, user: lender })).supplyShares).toBe(0n);
  });

  test("decodes Unauthorized (another's supply without its authorization)", async () => {
    await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("10", 6) });
    const error = await withdraw(chain.client(BORROWER), { marketParams: m.marketParams, assets: 1n, onBehalf: chain.accounts[LENDER]!.address }).catch((e: unknown) => e);
    expect(isCogFiError(error, "Unauthorized")).toBe(true);
  });
});
