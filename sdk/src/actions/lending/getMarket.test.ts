import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { borrow, CogFiError, getMarket, lendingAddresses, lendingMarketAbi, rateToApy, supply, supplyCollateral, WAD } from "../../index.js";
import { rpc } from "../../node/anvil.js";
import { BORROWER, LENDER, OWNER, setupMarket, startLendingChain, type LendingChain, type TestMarket } from "../../../test/lending/harness.js";

let chain: LendingChain;
let m: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  m = await setupMarket(chain, "lend-get-market");
  await supply(chain.client(LENDER), { marketParams: m.marketParams, assets: parseUnits("1000", 6) });
  await supplyCollateral(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("1000", 18) });
  await borrow(chain.client(BORROWER), { marketParams: m.marketParams, assets: parseUnits("900", 6) });
});
afterAll(() => chain?.stop());

describe("getMarket", () => {
  test("totals accrued to a block's time are the contract's after accrueInterest at that time; utilization and APYs", async () => {
    await chain.warp(7 * 86_400);
    const latest = await chain.reader.publicClient.getBlock();
    const at = latest.timestamp + 1n;
    const predicted = await getMarket(chain.reader, { marketParams: m.marketParams, blockNumber: latest.number, timestamp: at });
    expect(predicted.pendingInterest).toBeGreaterThan(0n);
    expect(predicted.utilization).toBe((predicted.totalBorrowAssets * WAD) / predicted.totalSupplyAssets);
    // At 90% utilization the AdaptiveIrm sits at its target rate (4% a year at start): borrowers pay more than lenders earn.
    expect(predicted.borrowApy).toBeGreaterThan(0.03);
    expect(predicted.borrowApy).toBeLessThan(0.05);
    expect(predicted.supplyApy).toBeLessThan(predicted.borrowApy);
    expect(predicted.borrowApy).toBe(rateToApy(predicted.borrowRate));

    await rpc(chain.rpcUrl, "evm_setNextBlockTimestamp", [Number(at)]);
    const owner = chain.client(OWNER).walletClient!;
    const hash = await owner.writeContract({ address: lendingAddresses(chain.reader).lendingMarket, abi: lendingMarketAbi, functionName: "accrueInterest", args: [m.marketParams] });
    await chain.reader.publicClient.waitForTransactionReceipt({ hash });
    const stored = await getMarket(chain.reader, { id: predicted.id });
    expect(stored.pendingInterest).toBe(0n);
    expect(stored.stored).toEqual({
      totalSupplyAssets: predicted.totalSupplyAssets,
      totalSupplyShares: predicted.totalSupplyShares,
      totalBorrowAssets: predicted.totalBorrowAssets,
      totalBorrowShares: predicted.totalBorrowShares,
      lastUpdate: at,
      fee: 0n,
    });
  });

  test("a market that does not exist is a CogFiError", async () => {
    await expect(getMarket(chain.reader, { marketParams: { ...m.marketParams, lltv: 1n } })).rejects.toThrow(CogFiError);
    await expect(getMarket(chain.reader, { id: `0x${"11".repeat(32)}` })).rejects.toThrow(/no market/);
  });
});
