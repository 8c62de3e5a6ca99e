/**
 * The keeper's transaction sender on a real anvil: one nonce per unit of work across restarts, fee bumps, a nonce
 * taken by a transaction the keeper did not sign, a reorg, and a call that would revert.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import {
  createPublicClient,
  createWalletClient,
  http,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { ANVIL_PRIVATE_KEYS, rpc, startAnvil, type AnvilInstance } from "@cogfi/sdk/node";
import { KeeperStore } from "../src/state/store.js";
import { TxSender, type TxSenderOptions } from "../src/tx/sender.js";

let anvil: AnvilInstance;
let publicClient: PublicClient;
const log = pino({ level: "silent" });
const recipient: Address = "0x000000000000000000000000000000000000c0de";
/** Runtime that always reverts (PUSH1 0 PUSH1 0 REVERT), behind init code that returns it. */
const REVERTER_INIT: Hex = "0x6005600c60003960056000f360006000fd";
let reverter: Address;

function stateFile(): string {
  return resolve(mkdtempSync(resolve(tmpdir(), "cogfi-sender-")), "keeper.sqlite");
}

function sender(keyIndex: number, store: KeeperStore, options: Partial<TxSenderOptions> = {}, client: PublicClient = publicClient) {
  const events: Record<string, number> = {};
  const count = (name: string) => () => void (events[name] = (events[name] ?? 0) + 1);
  const instance = new TxSender(client, privateKeyToAccount(ANVIL_PRIVATE_KEYS[keyIndex]!), 31337, store, log, { pollIntervalMs: 20, ...options }, {
    sent: count("sent"),
    confirmed: count("confirmed"),
    bumped: count("bumped"),
    dropped: count("dropped"),
    reorged: count("reorged"),
    deepReorg: (_kind: string, outcome: string) => void (events[`deep-${outcome}`] = (events[`deep-${outcome}`] ?? 0) + 1),
  });
  return { instance, events };
}

const nonceOf = (keyIndex: number) =>
  publicClient.getTransactionCount({ address: privateKeyToAccount(ANVIL_PRIVATE_KEYS[keyIndex]!).address, blockTag: "latest" });
const automine = (on: boolean) => rpc(anvil.rpcUrl, "evm_setAutomine", [on]);
const mine = () => rpc(anvil.rpcUrl, "evm_mine");
const transfer = (workKey: string, wei = 1n) => ({ workKey, kind: "test", to: recipient, data: "0x" as Hex, value: wei });

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `promise`, or a loud failure after `ms`. A send waits for its block without a deadline of its own; with automine off
 * a missed block would otherwise hang the test until vitest's timeout, leaving automine off for the next ones.
 */
async function within<T>(promise: Promise<T>, what: string, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until every attempt of `workKey` has reached the node (status past `signed`): mining before that leaves it behind. */
const broadcast = (store: KeeperStore, workKey: string, count = 1) =>
  until(() => {
    const attempts = store.attempts(workKey);
    return attempts.length >= count && attempts.every((attempt) => attempt.status !== "signed");
  }, `${count} broadcast attempt(s) of ${workKey}`);

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), pollingInterval: 20 }) as PublicClient;
  const deployer = createWalletClient({ chain: foundry, transport: http(anvil.rpcUrl), account: privateKeyToAccount(ANVIL_PRIVATE_KEYS[0]!) });
  const hash = await deployer.sendTransaction({ data: REVERTER_INIT });
  reverter = (await publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
});
afterEach(async () => {
  // Whatever a test did, the next one starts with blocks mined on demand again.
  await automine(true);
});
afterAll(async () => {
  await anvil?.stop();
});

describe("TxSender", () => {
  test("sends a unit of work once: a second send of the same work returns the same transaction", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance } = sender(1, store);
    const before = await nonceOf(1);
    const first = await instance.send(transfer("work-a"));
    expect(first).toMatchObject({ status: "success", attempts: 1, resumed: false });
    const again = await instance.send(transfer("work-a"));
    expect(again).toMatchObject({ status: "success", hash: first.hash, attempts: 1, resumed: true });
    expect(await nonceOf(1)).toBe(before + 1);
    expect(store.work("work-a")?.status).toBe("done");
    expect(store.nextNonce(instance.address)).toBe(before + 1);
  });

  test("a call that would revert throws its error and spends no nonce", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance } = sender(1, store);
    const before = await nonceOf(1);
    await expect(instance.send({ workKey: "doomed", kind: "test", to: reverter, data: "0x" })).rejects.toThrow(/test: /);
    expect(store.attempts("doomed")).toEqual([]);
    expect(await nonceOf(1)).toBe(before);
  });

  test("a keeper killed between recording and broadcasting sends the recorded bytes after a restart, no second nonce", async () => {
    const file = stateFile();
    const before = await nonceOf(2);
    // The first process records its transaction but every broadcast fails (the RPC is gone), then it dies.
    const deadRpc = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
    deadRpc.sendRawTransaction = async () => {
      throw new Error("fetch failed (connection refused)");
    };
    const first = KeeperStore.open(file);
    const abort = new AbortController();
    const pending = sender(2, first, {}, deadRpc).instance.send(transfer("crash-work"), abort.signal);
    await until(() => first.attempts("crash-work").length === 1, "the attempt to be recorded");
    abort.abort(new Error("killed"));
    await expect(pending).rejects.toThrow(/killed/);
    const [recorded] = first.attempts("crash-work");
    expect(recorded?.status).toBe("signed");
    first.close();
    expect(await nonceOf(2)).toBe(before);

    // The restart re-broadcasts what was recorded and resumes the work.
    const second = KeeperStore.open(file);
    const { instance, events } = sender(2, second);
    expect(await instance.rebroadcastOpen()).toBe(1);
    const outcome = await instance.send(transfer("crash-work"));
    expect(outcome).toMatchObject({ status: "success", hash: recorded!.hash, attempts: 1, resumed: true });
    expect(events.sent).toBeUndefined();
    expect(await nonceOf(2)).toBe(before + 1);
    second.close();
  });

  test("a second keeper on the same state file is refused at start", () => {
    const file = stateFile();
    const owner = KeeperStore.open(file);
    expect(() => KeeperStore.open(file)).toThrow(/another keeper/);
    owner.close();
  });

  test("a transaction not mined in time is re-signed with the same nonce and higher fees; one of them lands", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance, events } = sender(3, store, { bumpAfterMs: 150, bumpPercent: 20 });
    const before = await nonceOf(3);
    await automine(false);
    try {
      const pending = instance.send(transfer("slow-work"));
      await until(() => store.attempts("slow-work").length >= 3, "two fee bumps");
      await broadcast(store, "slow-work", 3);
      await mine();
      const outcome = await within(pending, "the bumped transaction");
      const attempts = store.attempts("slow-work");
      expect(outcome.status).toBe("success");
      expect(new Set(attempts.map((attempt) => attempt.nonce))).toEqual(new Set([before]));
      // Each bump pays at least 20% more than the one before.
      for (let i = 1; i < attempts.length; i++) {
        expect(attempts[i]!.maxFeePerGas * 100n).toBeGreaterThanOrEqual(attempts[i - 1]!.maxFeePerGas * 120n);
        expect(attempts[i]!.maxPriorityFeePerGas * 100n).toBeGreaterThanOrEqual(attempts[i - 1]!.maxPriorityFeePerGas * 120n);
      }
      expect(attempts.filter((attempt) => attempt.status === "confirmed").map((attempt) => attempt.hash)).toEqual([outcome.hash]);
      expect(attempts.filter((attempt) => attempt.status === "replaced")).toHaveLength(attempts.length - 1);
      expect(events.bumped).toBe(attempts.length - 1);
      expect(await nonceOf(3)).toBe(before + 1);
    } finally {
      await automine(true);
    }
  });

  test("fees stop at the ceiling: the transaction is sent again instead of re-priced", async () => {
    const store = KeeperStore.open(":memory:");
    const fees = await publicClient.estimateFeesPerGas();
    const { instance, events } = sender(3, store, { bumpAfterMs: 100, maxFeePerGas: fees.maxFeePerGas });
    await automine(false);
    try {
      const pending = instance.send(transfer("capped-work"));
      await broadcast(store, "capped-work");
      await new Promise((r) => setTimeout(r, 500));
      expect(store.attempts("capped-work")).toHaveLength(1);
      expect(events.bumped).toBeUndefined();
      await mine();
      expect((await within(pending, "the capped transaction")).attempts).toBe(1);
    } finally {
      await automine(true);
    }
  });

  test("a nonce taken by a transaction the keeper did not sign drops the attempt; the work is signed again", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance, events } = sender(4, store, { bumpAfterMs: 60_000 });
    const nonce = await nonceOf(4);
    await automine(false);
    try {
      const pending = instance.send(transfer("stolen-nonce"));
      await until(() => store.attempts("stolen-nonce")[0]?.status === "sent", "the broadcast");
      // The same key, used elsewhere, replaces the keeper's transaction in the pool with a richer one.
      const other = createWalletClient({ chain: foundry, transport: http(anvil.rpcUrl), account: privateKeyToAccount(ANVIL_PRIVATE_KEYS[4]!) });
      const ours = store.attempts("stolen-nonce")[0]!;
      await other.sendTransaction({
        to: recipient,
        value: 7n,
        nonce,
        maxFeePerGas: ours.maxFeePerGas * 2n,
        maxPriorityFeePerGas: ours.maxPriorityFeePerGas * 2n,
      });
      await mine();
      await until(() => store.attempts("stolen-nonce").length === 2, "the work to be signed again");
      // Recorded before it is broadcast: a block mined in between would leave the new transaction in the pool.
      await broadcast(store, "stolen-nonce", 2);
      await mine();
      const outcome = await within(pending, "the re-signed transaction");
      const [dropped, resigned] = store.attempts("stolen-nonce");
      expect(dropped).toMatchObject({ nonce, status: "dropped" });
      expect(resigned).toMatchObject({ nonce: nonce + 1, status: "confirmed", hash: outcome.hash });
      expect(events.dropped).toBe(1);
    } finally {
      await automine(true);
    }
  });

  test("a transaction whose block is reorged out is broadcast again and confirmed once", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance, events } = sender(5, store, { confirmations: 3 });
    const before = await nonceOf(5);
    const pending = instance.send(transfer("reorged-work"));
    await until(() => store.attempts("reorged-work")[0]?.status === "mined", "the transaction to be mined");
    const minedIn = store.attempts("reorged-work")[0]!.blockNumber!;
    // Drop the block (and the transaction with it), as a reorg would; automine puts it in a new block when resent.
    await rpc(anvil.rpcUrl, "anvil_rollback", [1]);
    await until(() => events.reorged === 1, "the reorg to be seen");
    await until(async () => (await nonceOf(5)) === before + 1, "the transaction to be mined again");
    await mine();
    await mine();
    const outcome = await within(pending, "the re-mined transaction");
    expect(outcome.status).toBe("success");
    expect(outcome.receipt.blockNumber).toBeGreaterThanOrEqual(minedIn);
    expect(store.attempts("reorged-work")).toHaveLength(1);
    expect(await nonceOf(5)).toBe(before + 1);
  });

  test("followers of the same work in one process (a job, a second send, the restart's resumeOpen) share its transaction: confirmed once, no drop, no second nonce", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance, events } = sender(7, store, { bumpAfterMs: 60_000 });
    const before = await nonceOf(7);
    await automine(false);
    const first = instance.send(transfer("shared-work"));
    await broadcast(store, "shared-work");
    const followers = [first, instance.send(transfer("shared-work")), instance.send(transfer("shared-work"))];
    const resumed = instance.resumeOpen();
    await new Promise((r) => setTimeout(r, 100));
    await mine();
    const outcomes = await within(Promise.all(followers), "every follower");
    expect(await within(resumed, "resumeOpen")).toBe(1);
    expect(new Set(outcomes.map((outcome) => outcome.hash)).size).toBe(1);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(["success", "success", "success"]);
    expect(store.attempts("shared-work")).toHaveLength(1);
    expect(store.work("shared-work")?.status).toBe("done");
    expect(events).toMatchObject({ sent: 1, confirmed: 1 });
    expect(events.dropped).toBeUndefined();
    expect(await nonceOf(7)).toBe(before + 1);
  });

  test("a transaction reorged out whose re-broadcast fails is sent again on the next poll, not at the next fee bump", async () => {
    const store = KeeperStore.open(":memory:");
    const flaky = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), pollingInterval: 20 }) as PublicClient;
    let failBroadcasts = 0;
    const sendRaw = flaky.sendRawTransaction.bind(flaky);
    flaky.sendRawTransaction = async (args) => {
      if (failBroadcasts > 0) {
        failBroadcasts--;
        throw new Error("fetch failed (502 Bad Gateway)");
      }
      return sendRaw(args);
    };
    const { instance, events } = sender(8, store, { confirmations: 3, bumpAfterMs: 600_000 }, flaky);
    const before = await nonceOf(8);
    const pending = instance.send(transfer("reorged-flaky"));
    await until(() => store.attempts("reorged-flaky")[0]?.status === "mined", "the transaction to be mined");
    // The reorg replaces its block with an empty one: the transaction is neither on chain nor in the pool.
    failBroadcasts = 2;
    await rpc(anvil.rpcUrl, "anvil_reorg", [1, []]);
    await until(() => events.reorged === 1, "the reorg to be seen");
    await until(async () => (await nonceOf(8)) === before + 1, "the transaction to be mined again");
    expect(failBroadcasts).toBe(0);
    await mine();
    await mine();
    const outcome = await within(pending, "the re-mined transaction");
    expect(outcome).toMatchObject({ status: "success", attempts: 1 });
    expect(events.bumped).toBeUndefined();
    expect(await nonceOf(8)).toBe(before + 1);
  });

  test("the finality watch reopens confirmed work a deep reorg took off the chain, leaves final work alone, and a re-sign of the same bytes revives the reorged attempt", async () => {
    const store = KeeperStore.open(stateFile());
    const { instance, events } = sender(6, store, { confirmations: 1, finalityDepth: 3 });
    expect(() => sender(6, KeeperStore.open(":memory:"), { confirmations: 4, finalityDepth: 3 })).toThrow(/finalityDepth must be at least confirmations/);
    const head = () => publicClient.getBlockNumber({ cacheTime: 0 });

    // Final: 3 blocks deep (finalityDepth) when the reorg comes; not watched, the work stays done.
    const old = await within(instance.send(transfer("final-work")), "the first transfer");
    await mine();
    await mine();
    expect((await head()) - old.receipt.blockNumber + 1n).toBe(3n);
    expect(await within(instance.checkFinality(), "a quiet check")).toEqual([]);
    await rpc(anvil.rpcUrl, "anvil_reorg", [3, []]);
    expect(await within(instance.checkFinality(), "the check after a reorg of final work")).toEqual([]);
    expect(store.work("final-work")?.status).toBe("done");
    expect(store.attempts("final-work").map((a) => a.status)).toEqual(["confirmed"]);

    // Watched: 2 blocks deep, then reorged out: the work is reopened, its attempt kept as `reorged`.
    const before = await nonceOf(6);
    const watched = await within(instance.send(transfer("watched-work")), "the second transfer");
    await mine();
    await rpc(anvil.rpcUrl, "anvil_reorg", [2, []]);
    expect(await nonceOf(6)).toBe(before);
    const found = await within(instance.checkFinality(), "the check after the deep reorg");
    expect(found).toEqual([{ workKey: "watched-work", kind: "test", hash: watched.hash, blockNumber: watched.receipt.blockNumber, outcome: "reopened" }]);
    expect(store.work("watched-work")).toMatchObject({ status: "pending", detail: `reorged-out:${watched.receipt.blockNumber}` });
    expect(store.reorgedWork("test").map((w) => w.key)).toEqual(["watched-work"]);
    expect(events["deep-reopened"]).toBe(1);
    // A second check finds nothing more (the reorged attempt is no longer watched).
    expect(await within(instance.checkFinality(), "a second check")).toEqual([]);

    // Sent again, it gets the same nonce back: a new transaction, or the very same bytes (same fees), which revive
    // the reorged row instead of colliding with it.
    const again = await within(instance.send(transfer("watched-work")), "the re-send");
    expect(again.status).toBe("success");
    expect(await nonceOf(6)).toBe(before + 1);
    const attempts = store.attempts("watched-work");
    expect(attempts.filter((a) => a.status === "confirmed").map((a) => a.hash)).toEqual([again.hash]);
    expect(attempts.every((a) => a.status === "confirmed" || (a.status === "reorged" && a.hash !== again.hash))).toBe(true);
    expect(store.work("watched-work")?.status).toBe("done");
    expect(store.reorgedWork("test")).toEqual([]);
    store.close();
  });

  test("dispatched work takes consecutive nonces without waiting and is mined in one block; send follows it, signing nothing", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance, events } = sender(9, store);
    const before = await nonceOf(9);
    await automine(false);
    const keys = ["pipe-1", "pipe-2", "pipe-3"];
    for (const key of keys) await instance.dispatch({ ...transfer(key), simulateOn: "pending" });
    expect(keys.map((key) => store.attempts(key).map((attempt) => [attempt.nonce, attempt.status]))).toEqual(keys.map((_, i) => [[before + i, "sent"]]));
    // A second dispatch of work in flight is a no-op.
    await instance.dispatch(transfer("pipe-2"));
    expect(store.attempts("pipe-2")).toHaveLength(1);
    await mine();
    const outcomes = await within(Promise.all(keys.map((key) => instance.send(transfer(key)))), "the dispatched work");
    expect(outcomes.map((o) => [o.status, o.resumed, o.attempts])).toEqual(keys.map(() => ["success", true, 1]));
    expect(new Set(outcomes.map((o) => o.receipt.blockNumber)).size).toBe(1);
    expect(events.sent).toBe(3);
    expect(await nonceOf(9)).toBe(before + 3);
  });

  test("work sent again after a revert confirms its new transaction: done, nothing left in flight", async () => {
    const store = KeeperStore.open(":memory:");
    const { instance } = sender(9, store);
    const first = await instance.send(transfer("again"));
    // As after a mined revert: the work is open to a new send, its first attempt stays confirmed.
    store.setWorkStatus("again", "reverted");
    const second = await instance.send(transfer("again"));
    expect(second).toMatchObject({ status: "success", resumed: false, attempts: 2 });
    expect(second.hash).not.toBe(first.hash);
    expect(store.work("again")?.status).toBe("done");
    expect(store.attempts("again").map((attempt) => [attempt.hash, attempt.status])).toEqual([
      [first.hash, "confirmed"],
      [second.hash, "confirmed"],
    ]);
    expect(instance.openWork()).toEqual([]);
    // A later send of the done work answers with the newest transaction.
    expect(await instance.send(transfer("again"))).toMatchObject({ hash: second.hash, resumed: true });
  });
});
