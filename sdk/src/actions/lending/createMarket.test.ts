import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createMarket, getMarket, isCogFiError, LENDING_LLTVS, lendingAddresses, marketId } from "../../index.js";
import { deployMockOracle, OWNER, PRICE_TWO, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-create");
});
afterAll(() => chain?.stop());

describe("createMarket", () => {
  test("creates a self-repaying market (loan token = the share's revenue token) with the given caps", async () => {
    const oracle = await deployMockOracle(chain, PRICE_TWO);
    const marketParams = { ...m.marketParams, oracle, lltv: LENDING_LLTVS[0] };
    const created = await createMarket(chain.client(OWNER), { marketParams, caps: { supplyCap: 10n ** 12n, borrowCap: 5n * 10n ** 11n } });
    expect(created.id).toBe(marketId(marketParams));
    expect(created.selfRepaying).toBe(true);
    expect(created.capsHash).toBeDefined();
    const market = await getMarket(chain.reader, { id: created.id });
    expect(market).toMatchObject({ supplyCap: 10n ** 12n, borrowCap: 5n * 10n ** 11n, selfRepaying: true, totalSupplyAssets: 0n });
    expect(market.params.irm).toBe(lendingAddresses(chain.reader).adaptiveIrm);
  });

  test("decodes MarketAlreadyCreated and LltvNotEnabled", async () => {
    const again = await createMarket(chain.client(OWNER), { marketParams: m.marketParams }).catch((e: unknown) => e);
    expect(isCogFiError(again, "MarketAlreadyCreated")).toBe(true);
    const odd = await createMarket(chain.client(OWNER), { marketParams: { ...m.marketParams, lltv: parseUnits("0.5", 18) } }).catch((e: unknown) => e);
    expect(isCogFiError(odd, "LltvNotEnabled")).toBe(true);
  });
});
