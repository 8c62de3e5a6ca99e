/**
 * The liquidation job on anvil, Gearbox's "optimistic" way: a scripted crash of the market's oracle makes every open
 * position liquidatable at once; one pass of the keeper (no capital: the FlashLiquidator sells the seized shares in
 * the share's pool) liquidates all of them in one block, realizes the bad debt of those whose collateral is gone,
 * and a restart finds nothing left to do.
 */
import { nearestUsableTick } from "@uniswap/v3-sdk";
import { parseUnits, type Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  addLiquidity,
  borrow,
  createPool,
  getMarket,
  getPool,
  getPosition,
  lendingAddresses,
  lendingMarketAbi,
  mockStablecoinAbi,
  modelShareAbi,
  ORACLE_PRICE_SCALE,
  supply,
  supplyCollateral,
} from "@cogfi/sdk";
import { rpc } from "@cogfi/sdk/node";
import { sortTokens } from "../../sdk/src/amm/internal.js";
import { twoStablePerShare } from "../../sdk/test/amm/pool.js";
import { BORROWER, LENDER, setOraclePrice, setupMarket, SHARE_OWNER, startLendingChain, type LendingChain, type TestMarket } from "../../sdk/test/lending/harness.js";
import { LiquidationJob } from "../src/jobs/liquidation.js";
import { KeeperStore } from "../src/state/store.js";
import { jobContext } from "./context.js";

const KEEPER = 8;
/** Borrowers and their debts against 1,000 shares each ($2,000 at $2; LLTV 77%: at most $1,540). */
const POSITIONS: Array<{ account: number; debt: bigint }> = [
  { account: BORROWER, debt: parseUnits("1000", 6) },
  { account: 5, debt: parseUnits("1200", 6) },
  { account: 6, debt: parseUnits("1400", 6) },
  { account: 7, debt: parseUnits("1500", 6) },
];
const COLLATERAL = parseUnits("1000", 18);
/** $1.20 a share, 1e36-scaled per unit: every position is unhealthy; those owing more than ~$1,117 are insolvent. */
const CRASH_PRICE = (12n * 10n ** 5n * ORACLE_PRICE_SCALE) / 10n ** 18n;

let chain: LendingChain;
let market: TestMarket;

beforeAll(async () => {
  chain = await startLendingChain();
  market = await setupMarket(chain, "liquidated");
  const [token0, token1] = sortTokens(market.share, market.stablecoin);
  // The share's pool at $2 with deep liquidity from the lender (the seized shares are sold there).
  const { pool } = await createPool(chain.amm(SHARE_OWNER), { share: market.share, fee: 3000, sqrtPriceX96: twoStablePerShare(token0, market.share) });
  const { tick } = await getPool(chain.ammReader, { pool });
  const shares = parseUnits("200000", 18);
  const stable = parseUnits("400000", 6);
  await addLiquidity(chain.amm(LENDER), {
    token0,
    token1,
    fee: 3000,
    tickLower: nearestUsableTick(tick - 6000, 60),
    tickUpper: nearestUsableTick(tick + 6000, 60),
    amount0Desired: token0 === market.share ? shares : stable,
    amount1Desired: token0 === market.share ? stable : shares,
  });
  await supply(chain.client(LENDER), { marketParams: market.marketParams, assets: parseUnits("100000", 6) });
  const shareOwner = chain.client(BORROWER).walletClient!;
  for (const { account, debt } of POSITIONS) {
    if (account !== BORROWER) {
      const hash = await shareOwner.writeContract({ address: market.share, abi: modelShareAbi, functionName: "transfer", args: [chain.accounts[account]!.address, COLLATERAL] });
      await chain.reader.publicClient.waitForTransactionReceipt({ hash });
    }
    await supplyCollateral(chain.client(account), { marketParams: market.marketParams, assets: COLLATERAL });
    await borrow(chain.client(account), { marketParams: market.marketParams, assets: debt });
  }
});
afterAll(async () => {
  await chain?.stop();
});

const job = () =>
  new LiquidationJob({
    intervalMs: 1_000,
    poolFee: 3000,
    profitBufferBps: 2_000,
    nativeTokenPriceUsd: 3_000,
    realizeBadDebt: true,
    fromBlock: 0n,
    logChunkBlocks: 5_000n,
    reorgDepth: 64n,
  });

const positionOf = (account: number) => getPosition(chain.reader, { marketParams: market.marketParams, user: chain.accounts[account]!.address });
const stableOf = (who: Address) => chain.reader.publicClient.readContract({ address: market.stablecoin, abi: mockStablecoinAbi, functionName: "balanceOf", args: [who] });

describe("liquidation job", () => {
  test("a healthy market: every borrower indexed and read, nothing sent", async () => {
    const store = KeeperStore.open(":memory:");
    const context = jobContext(chain.client(KEEPER), { store });
    await job().run(context);
    expect(store.positions()).toHaveLength(POSITIONS.length);
    for (const position of store.positions()) expect(position.healthFactor! >= 10n ** 18n).toBe(true);
    expect(store.workCounts()).toEqual([]);
  });

  test("optimistic mode: after a crash every position is liquidated in one block, the insolvent ones' bad debt realized", async () => {
    await setOraclePrice(chain, market.oracle, CRASH_PRICE);
    for (const { account } of POSITIONS) expect((await positionOf(account)).healthy).toBe(false);
    const keeperAddress = chain.accounts[KEEPER]!.address;
    const profitBefore = await stableOf(keeperAddress);

    const store = KeeperStore.open(":memory:");
    const context = jobContext(chain.client(KEEPER), { store });
    const liquidation = job();
    // Blocks wait: the pass sends every liquidation, then one block takes them all.
    await rpc(chain.rpcUrl, "evm_setAutomine", [false]);
    let pass: Promise<void> | undefined;
    try {
      pass = liquidation.run(context);
      const deadline = Date.now() + 60_000;
      while (store.openAttempts().length < POSITIONS.length) {
        if (Date.now() > deadline) throw new Error(`only ${store.openAttempts().length} liquidations sent`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await rpc(chain.rpcUrl, "evm_mine");
    } finally {
      await rpc(chain.rpcUrl, "evm_setAutomine", [true]);
    }
    await pass;

    expect(liquidation.status()).toMatchObject({ unhealthy: POSITIONS.length, liquidated: POSITIONS.length, unprofitable: 0, reverted: 0, failed: 0 });
    const { lendingMarket } = lendingAddresses(chain.reader);
    const events = await chain.reader.publicClient.getContractEvents({ address: lendingMarket, abi: lendingMarketAbi, eventName: "Liquidate", fromBlock: 0n });
    expect(events).toHaveLength(POSITIONS.length);
    expect(new Set(events.map((e) => e.blockNumber)).size).toBe(1);
    let badDebt = 0n;
    for (const [i, { account }] of POSITIONS.entries()) {
      const after = await positionOf(account);
      expect(after.borrowShares).toBe(0n);
      const event = events.find((e) => e.args.borrower === chain.accounts[account]!.address)!;
      badDebt += event.args.badDebtAssets!;
      // The first owes less than its collateral is worth with the incentive: repaid in full, some collateral left.
      if (i === 0) {
        expect(event.args.badDebtAssets).toBe(0n);
        expect(after.collateral).toBeGreaterThan(0n);
      } else {
        expect(event.args.badDebtAssets).toBeGreaterThan(0n);
        expect(after.collateral).toBe(0n);
      }
    }
    // The supply lost exactly the bad debt: before, accrued to the liquidations' block time; after, as stored then.
    const block = await chain.reader.publicClient.getBlock({ blockNumber: events[0]!.blockNumber });
    const before = await getMarket(chain.reader, { marketParams: market.marketParams, blockNumber: block.number - 1n, timestamp: block.timestamp });
    const after = await getMarket(chain.reader, { marketParams: market.marketParams, blockNumber: block.number });
    expect(before.totalSupplyAssets - after.stored.totalSupplyAssets).toBe(badDebt);
    // The seized shares sold above the crashed oracle price: the keeper kept the spread, with no capital of its own.
    expect(await stableOf(keeperAddress)).toBeGreaterThan(profitBefore);
    expect(store.workCounts()).toEqual([{ kind: "liquidate", status: "done", count: POSITIONS.length }]);

    // A second pass (or a restart on the same state) finds nothing to do.
    await liquidation.run(context);
    expect(store.workCounts()).toEqual([{ kind: "liquidate", status: "done", count: POSITIONS.length }]);
    expect(liquidation.status()).toMatchObject({ unhealthy: 0 });
  });
});
