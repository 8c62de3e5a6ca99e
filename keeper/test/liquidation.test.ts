/**
 * The liquidation job on anvil, Gearbox's "optimistic" way: a scripted crash of the market's oracle makes every open
 * position liquidatable at once; the keeper (no capital: the FlashLiquidator sells the seized shares in the share's
 * pool) liquidates all of them within 2 blocks, realizes the bad debt of those whose collateral is gone,
 * and a restart finds nothing left to do.
 */
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getMarket, getPosition, lendingAddresses, lendingMarketAbi, marketId, mockStablecoinAbi } from "@cogfi/sdk";
import { rpc } from "@cogfi/sdk/node";
import { setOraclePrice, startLendingChain, type LendingChain, type TestMarket } from "../../sdk/test/lending/harness.js";
import { LiquidationJob } from "../src/jobs/liquidation.js";
import { KeeperStore } from "../src/state/store.js";
import { jobContext } from "./context.js";
import { CRASH_PRICE, openMarketWithPositions, POSITIONS } from "./lendingFixture.js";

const KEEPER = 8;
let chain: LendingChain;
let market: TestMarket;

/** Runs one pass of each job with blocks held, waits until `expected` transactions are broadcast, then mines one block. */
async function passesInOneBlock(runs: Array<() => Promise<void>>, stores: KeeperStore[], expected: number): Promise<void> {
  await rpc(chain.rpcUrl, "evm_setAutomine", [false]);
  let passes: Promise<void[]> | undefined;
  try {
    passes = Promise.all(runs.map((run) => run()));
    const deadline = Date.now() + 60_000;
    // Broadcast, not only recorded: a transaction that reaches the node after the block would wait for the next.
    const sent = () => stores.reduce((n, store) => n + store.openAttempts().filter((attempt) => attempt.status === "sent").length, 0);
    // Up to `expected`, or until the count has not moved for 3 s (a pass may skip what it finds already done).
    let last = -1;
    let stableSince = Date.now();
    while (sent() < expected && !(sent() > 0 && Date.now() - stableSince > 3_000)) {
      if (Date.now() > deadline) throw new Error(`only ${sent()} of ${expected} liquidations sent`);
      if (sent() !== last) [last, stableSince] = [sent(), Date.now()];
      await new Promise((r) => setTimeout(r, 50));
    }
    await rpc(chain.rpcUrl, "evm_mine");
  } finally {
    await rpc(chain.rpcUrl, "evm_setAutomine", [true]);
  }
  await passes;
}

beforeAll(async () => {
  chain = await startLendingChain();
  market = await openMarketWithPositions(chain, "liquidated");
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

/** The market's `Liquidate` events since genesis. */
async function liquidateEvents(of: TestMarket) {
  const { lendingMarket } = lendingAddresses(chain.reader);
  return chain.reader.publicClient.getContractEvents({
    address: lendingMarket,
    abi: lendingMarketAbi,
    eventName: "Liquidate",
    args: { id: marketId(of.marketParams) },
    fromBlock: 0n,
  });
}

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

  test("optimistic mode: after a crash every position is liquidated within 2 blocks, the insolvent ones' bad debt realized", async () => {
    await setOraclePrice(chain, market.oracle, CRASH_PRICE);
    for (const { account } of POSITIONS) expect((await positionOf(account)).healthy).toBe(false);
    const keeperAddress = chain.accounts[KEEPER]!.address;
    const profitBefore = await stableOf(keeperAddress);

    const store = KeeperStore.open(":memory:");
    const context = jobContext(chain.client(KEEPER), { store });
    const liquidation = job();
    // Blocks wait: the pass sends every liquidation, then one block takes them all. A position the pass could not
    // act on (it simulates against the pending block, where its own transactions already are) gets a second pass
    // and block: the target is every profitable position within 2 blocks.
    await passesInOneBlock([() => liquidation.run(context)], [store], POSITIONS.length);
    const firstPass = liquidation.status();
    expect(firstPass).toMatchObject({ unhealthy: POSITIONS.length, unprofitable: 0, reverted: 0 });
    if (firstPass.liquidated < POSITIONS.length) {
      // Seen about once in ten loaded runs: a position skipped or failed in the first pass (`lastFailure` says why).
      console.log(`first pass left ${POSITIONS.length - firstPass.liquidated} position(s): ${JSON.stringify(firstPass)}`);
      await liquidation.run(context);
    }
    expect(liquidation.status().liquidated).toBe(POSITIONS.length);
    expect(liquidation.status().unprofitable).toBe(0);

    const events = await liquidateEvents(market);
    expect(events).toHaveLength(POSITIONS.length);
    expect(new Set(events.map((e) => e.blockNumber)).size).toBeLessThanOrEqual(2);
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
    if (new Set(events.map((e) => e.blockNumber)).size === 1) {
      const block = await chain.reader.publicClient.getBlock({ blockNumber: events[0]!.blockNumber });
      const before = await getMarket(chain.reader, { marketParams: market.marketParams, blockNumber: block.number - 1n, timestamp: block.timestamp });
      const after = await getMarket(chain.reader, { marketParams: market.marketParams, blockNumber: block.number });
      expect(before.totalSupplyAssets - after.stored.totalSupplyAssets).toBe(badDebt);
    }
    // The seized shares sold above the crashed oracle price: the keeper kept the spread, with no capital of its own.
    expect(await stableOf(keeperAddress)).toBeGreaterThan(profitBefore);
    expect(store.workCounts()).toEqual([{ kind: "liquidate", status: "done", count: POSITIONS.length }]);

    // A second pass (or a restart on the same state) finds nothing to do.
    await liquidation.run(context);
    expect(store.workCounts()).toEqual([{ kind: "liquidate", status: "done", count: POSITIONS.length }]);
    expect(liquidation.status()).toMatchObject({ unhealthy: 0 });
  });
  test("two keepers on the same market at once: every position liquidated once; the other keeper skips or reverts, at most once per position", async () => {
    const raced = await openMarketWithPositions(chain, "raced");
    await setOraclePrice(chain, raced.oracle, CRASH_PRICE);
    const keepers = [8, 9].map((index) => {
      const store = KeeperStore.open(":memory:");
      return { store, job: job(), context: jobContext(chain.client(index), { store }) };
    });
    // Blocks as they come (one per transaction): each keeper sees the other's liquidations as they land, or finds
    // them already in the mempool when it simulates.
    await Promise.all(keepers.map((k) => k.job.run(k.context)));

    const events = await liquidateEvents(raced);
    expect(events).toHaveLength(POSITIONS.length);
    expect(new Set(events.map((e) => e.args.borrower)).size).toBe(POSITIONS.length);
    for (const { account } of POSITIONS) {
      expect((await getPosition(chain.reader, { marketParams: raced.marketParams, user: chain.accounts[account]!.address })).borrowShares).toBe(0n);
    }
    const [a, b] = keepers.map((k) => k.job.status());
    expect(a!.liquidated + b!.liquidated).toBe(POSITIONS.length);
    // Every unhealthy position was either liquidated by this keeper, skipped, or lost on chain (a counted revert).
    for (const status of [a!, b!]) {
      expect(status.liquidated + status.skipped + status.reverted).toBe(POSITIONS.length);
      expect(status.failed).toBe(0);
    }
    expect(a!.reverted + b!.reverted).toBeLessThanOrEqual(POSITIONS.length);
  });
});
