/**
 * The insurance upkeep job on anvil: policies and withdrawal requests are indexed from the pool's events into the
 * keeper's state (schema v3, a v2 file upgrades in place); nothing is sent before a policy's claims window closes or
 * a request matures; then one pass releases the expired policy and completes every matured withdrawal, paying each
 * owner (never the keeper); a restart on the same state file sends nothing more.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WITHDRAW_COOLDOWN, buyPolicy, deposit, getPolicy, insuranceAddresses, insurancePoolAbi, mockStablecoinAbi, requestWithdraw } from "@cogfi/sdk";
import {
  BUYER,
  KEEPER as SECOND_KEEPER,
  OTHER_BUYER,
  OTHER_UNDERWRITER,
  UNDERWRITER,
  USDC,
  creditLimit,
  startInsuranceChain,
  termsOf,
  type InsuranceChain,
} from "../../sdk/test/insurance/harness.js";
import { InsuranceUpkeepJob } from "../src/jobs/insuranceUpkeep.js";
import { KeeperStore, MIGRATIONS } from "../src/state/store.js";
import { jobContext } from "./context.js";

const KEEPER = 8;
let chain: InsuranceChain;
let dir: string;

const options = { intervalMs: 1_000, releasePolicies: true, completeWithdrawals: true, maxTransactionsPerPass: 20, fromBlock: 0n, logChunkBlocks: 10_000n, reorgDepth: 64n };
const balanceOf = (account: `0x${string}`) =>
  chain.reader.publicClient.readContract({ address: chain.deployment.contracts.Stablecoin, abi: mockStablecoinAbi, functionName: "balanceOf", args: [account] });

beforeAll(async () => {
  chain = await startInsuranceChain("keeper-insurance");
  dir = mkdtempSync(join(tmpdir(), "keeper-insurance-"));
}, 180_000);
afterAll(async () => {
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("keeper state schema", () => {
  test("a v2 state file upgrades to the current schema in place, keeping its cursors", () => {
    const file = join(dir, "v2", "keeper.sqlite");
    // A keeper of the previous version: the first two migrations only.
    mkdirSync(join(dir, "v2"));
    const db = new Database(file);
    db.exec(MIGRATIONS[0]!);
    db.exec(MIGRATIONS[1]!);
    db.pragma("user_version = 2");
    db.prepare("INSERT INTO cursors (job, key, value, updated_at) VALUES ('usage-relay', 'http://gw', '41', 1)").run();
    db.close();
    const store = KeeperStore.open(file);
    try {
      expect(store.schemaVersion()).toBe(MIGRATIONS.length);
      expect(MIGRATIONS.length).toBe(5); // v3 retries and dead letters, v4 the insurance index, v5 the finality watch
      expect(store.getCursor("usage-relay", "http://gw")).toBe("41");
      store.addPolicies([{ pool: "0xPool", policyId: 7n, holder: "0xHolder", end: 100 }]);
      expect(store.endedPolicies("0xpool", 100)).toEqual([{ pool: "0xpool", policyId: 7n, holder: "0xholder", end: 100, released: false }]);
    } finally {
      store.close();
    }
  });
});

describe("insurance upkeep", () => {
  test("releases the expired policy and completes matured withdrawals for their owners, once", async () => {
    const pool = insuranceAddresses(chain.reader).insurancePool;
    const underwriter = chain.accounts[UNDERWRITER]!.address;
    const other = chain.accounts[OTHER_UNDERWRITER]!.address;
    const keeper = chain.accounts[KEEPER]!.address;
    await chain.fund(UNDERWRITER, USDC("1000"));
    await chain.fund(OTHER_UNDERWRITER, USDC("500"));
    await chain.fund(BUYER, USDC("100"));
    const { shares } = await deposit(chain.client(UNDERWRITER), { assets: USDC("1000") });
    const { shares: otherShares } = await deposit(chain.client(OTHER_UNDERWRITER), { assets: USDC("500") });
    const { policyId } = await buyPolicy(chain.client(BUYER), { terms: termsOf(chain.modelId, 200n, await creditLimit(chain, BUYER, 200n)) });
    await requestWithdraw(chain.client(UNDERWRITER), { shares });
    await requestWithdraw(chain.client(OTHER_UNDERWRITER), { shares: otherShares / 2n });
    const exposureBefore = await chain.reader.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "exposure" });
    expect(exposureBefore).toBeGreaterThan(0n);

    const file = join(dir, "run", "keeper.sqlite");
    let store = KeeperStore.open(file);
    let context = jobContext(chain.client(KEEPER), { store });
    // Nothing is due yet: indexed, nothing sent.
    await new InsuranceUpkeepJob(options).run(context);
    expect(store.workCounts()).toEqual([]);
    expect(store.policyCounts(pool)).toEqual({ open: 1, released: 0 });
    expect(store.withdrawals(pool).map((w) => w.owner).sort()).toEqual([underwriter.toLowerCase(), other.toLowerCase()].sort());

    // The cooldown outlasts every policy's claims window: both are due now.
    await chain.warp(WITHDRAW_COOLDOWN);
    const keeperBalance = await balanceOf(keeper);
    const [underwriterBefore, otherBefore] = await Promise.all([balanceOf(underwriter), balanceOf(other)]);
    const job = new InsuranceUpkeepJob(options);
    await job.run(context);
    expect((await getPolicy(chain.reader, { policyId })).released).toBe(true);
    expect(await chain.reader.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "exposure" })).toBe(0n);
    expect(job.status()).toMatchObject({ released: 1, withdrawalsCompleted: 2, failed: 0, openPolicies: 0, releasedPolicies: 1, queuedWithdrawals: 0 });
    // Each owner was paid its queued shares' worth (the premium made the shares worth a little more than deposited).
    expect((await balanceOf(underwriter)) - underwriterBefore).toBeGreaterThanOrEqual(USDC("1000") - 1n);
    expect((await balanceOf(other)) - otherBefore).toBeGreaterThanOrEqual(USDC("250") - 1n);
    expect(await balanceOf(keeper)).toBe(keeperBalance);
    for (const owner of [underwriter, other]) {
      const request = await chain.reader.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "withdrawRequestOf", args: [owner] });
      expect(request.shares).toBe(0n);
    }
    const done = store.workCounts();
    expect(done).toEqual([
      { kind: "complete-withdraw", status: "done", count: 2 },
      { kind: "release-policy", status: "done", count: 1 },
    ]);

    // A restart on the same state: the cursor and the index come back, nothing is sent again.
    store.close();
    store = KeeperStore.open(file);
    context = jobContext(chain.client(KEEPER), { store });
    expect(store.getCursor("insurance-upkeep", `events:${pool.toLowerCase()}`)).toMatch(/^\d+:0x[0-9a-f]{64}$/);
    const restarted = new InsuranceUpkeepJob(options);
    await restarted.run(context);
    expect(store.workCounts()).toEqual(done);
    expect(restarted.status()).toMatchObject({ released: 0, withdrawalsCompleted: 0, failed: 0, releasedPolicies: 1 });
    store.close();
  }, 180_000);
  test("two keepers on the same pool at once: the policy is released once, each owner is paid once, reverts bounded", async () => {
    const pool = insuranceAddresses(chain.reader).insurancePool;
    const underwriter = chain.accounts[UNDERWRITER]!.address;
    const other = chain.accounts[OTHER_UNDERWRITER]!.address;
    await chain.fund(UNDERWRITER, USDC("400"));
    await chain.fund(OTHER_UNDERWRITER, USDC("400"));
    await chain.fund(OTHER_BUYER, USDC("100"));
    const { shares } = await deposit(chain.client(UNDERWRITER), { assets: USDC("400") });
    const { shares: otherShares } = await deposit(chain.client(OTHER_UNDERWRITER), { assets: USDC("400") });
    const { policyId } = await buyPolicy(chain.client(OTHER_BUYER), { terms: termsOf(chain.modelId, 200n, await creditLimit(chain, OTHER_BUYER, 200n)) });
    await requestWithdraw(chain.client(UNDERWRITER), { shares });
    await requestWithdraw(chain.client(OTHER_UNDERWRITER), { shares: otherShares });
    await chain.warp(WITHDRAW_COOLDOWN);
    const from = (await chain.reader.publicClient.getBlockNumber()) + 1n;
    const [underwriterBefore, otherBefore] = await Promise.all([balanceOf(underwriter), balanceOf(other)]);
    const expected = await Promise.all(
      [shares, otherShares].map((s) => chain.reader.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "previewRedeem", args: [s] })),
    );

    // Two independent keepers (own key, own state file) run their passes at the same moment.
    const first = new InsuranceUpkeepJob(options);
    const second = new InsuranceUpkeepJob(options);
    const stores = [KeeperStore.open(join(dir, "race-a.sqlite")), KeeperStore.open(join(dir, "race-b.sqlite"))];
    await Promise.all([first.run(jobContext(chain.client(KEEPER), { store: stores[0]! })), second.run(jobContext(chain.client(SECOND_KEEPER), { store: stores[1]! }))]);
    // A second round: whoever lost a race sees the work done and sends nothing.
    await Promise.all([first.run(jobContext(chain.client(KEEPER), { store: stores[0]! })), second.run(jobContext(chain.client(SECOND_KEEPER), { store: stores[1]! }))]);

    const events = await chain.reader.publicClient.getContractEvents({ address: pool, abi: insurancePoolAbi, fromBlock: from });
    expect(events.filter((e) => e.eventName === "PolicyReleased").map((e) => (e.args as { policyId: bigint }).policyId)).toEqual([policyId]);
    const completed = events.filter((e) => e.eventName === "WithdrawCompletedFor").map((e) => (e.args as { owner: string }).owner.toLowerCase());
    expect(completed.sort()).toEqual([underwriter.toLowerCase(), other.toLowerCase()].sort());
    // Each owner paid exactly its queued shares' worth, once.
    expect((await balanceOf(underwriter)) - underwriterBefore).toBe(expected[0]);
    expect((await balanceOf(other)) - otherBefore).toBe(expected[1]);
    type Counts = { released: number; withdrawalsCompleted: number; failed: number };
    const a = first.status() as Counts;
    const b = second.status() as Counts;
    expect(a.released + b.released).toBe(1);
    expect(a.withdrawalsCompleted + b.withdrawalsCompleted).toBe(2);
    // The loser's simulation usually catches the race for free; at most one on-chain revert per unit of work.
    expect(a.failed + b.failed).toBeLessThanOrEqual(3);
    for (const store of stores) store.close();
  }, 180_000);
});
