/** The prepared deployment's lending contracts match the sdk's constants (`LENDING_LLTVS`, the protocol owner). */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { adaptiveIrmAbi, LENDING_LLTVS, lendingAddresses, lendingMarketAbi } from "../../src/index.js";
import { OWNER, startLendingChain, type LendingChain } from "./harness.js";

let chain: LendingChain;
beforeAll(async () => {
  chain = await startLendingChain();
});
afterAll(() => chain?.stop());

describe("lending deployment", () => {
  test("the LendingMarket is owned by the protocol owner with the AdaptiveIrm and exactly LENDING_LLTVS enabled", async () => {
    const { lendingMarket, adaptiveIrm } = lendingAddresses(chain.reader);
    const read = chain.reader.publicClient.readContract;
    expect(await read({ address: lendingMarket, abi: lendingMarketAbi, functionName: "owner" })).toBe(chain.accounts[OWNER]!.address);
    expect(await read({ address: lendingMarket, abi: lendingMarketAbi, functionName: "isIrmEnabled", args: [adaptiveIrm] })).toBe(true);
    expect(await read({ address: adaptiveIrm, abi: adaptiveIrmAbi, functionName: "LENDING_MARKET" })).toBe(lendingMarket);
    for (const lltv of LENDING_LLTVS) {
      expect(await read({ address: lendingMarket, abi: lendingMarketAbi, functionName: "isLltvEnabled", args: [lltv] }), String(lltv)).toBe(true);
    }
    for (const lltv of [0n, 5n * 10n ** 17n, 945n * 10n ** 15n]) {
      expect(await read({ address: lendingMarket, abi: lendingMarketAbi, functionName: "isLltvEnabled", args: [lltv] })).toBe(false);
    }
  });
});
