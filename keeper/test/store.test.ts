/**
 * The keeper state's finality-watch pieces without a chain: the schema-4 migration on a state file of schema 3, and
 * an attempt re-signed with the very same bytes after a deep reorg (deterministic signatures).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import type { Hash, Hex } from "viem";
import { describe, expect, test } from "vitest";
import { KeeperStore } from "../src/state/store.js";

const attempt = (workKey: string, hash: Hash) => ({
  workKey,
  address: "0x00000000000000000000000000000000000000aa" as const,
  nonce: 7,
  hash,
  raw: "0x02" as Hex,
  maxFeePerGas: 2n,
  maxPriorityFeePerGas: 1n,
  gas: 21_000n,
});
const HASH = `0x${"ab".repeat(32)}` as Hash;

describe("keeper state", () => {
  test("a schema-4 state file gains the work references and keeps its rows", () => {
    const file = resolve(mkdtempSync(resolve(tmpdir(), "cogfi-store-")), "keeper.sqlite");
    const v3 = KeeperStore.open(file);
    v3.recordAttempt("settle", attempt("settle:a", HASH));
    v3.close();
    // Back to schema 4, as a keeper before this one left it.
    const db = new Database(file);
    db.exec("DROP TABLE work_refs; DROP INDEX attempts_confirmed_block;");
    db.pragma("user_version = 4");
    db.close();

    const store = KeeperStore.open(file);
    try {
      expect(store.attempts("settle:a").map((a) => a.hash)).toEqual([HASH]);
      store.setWorkRef("settle:a", "usage-relay", '{"gateway":"http://g","cursor":4}');
      expect(store.workRef("settle:a")).toEqual({ job: "usage-relay", ref: '{"gateway":"http://g","cursor":4}' });
    } finally {
      store.close();
    }
  });

  test("the same bytes signed again revive a reorged attempt; they never duplicate one still standing", () => {
    const store = KeeperStore.open(":memory:");
    const first = store.recordAttempt("settle", attempt("settle:b", HASH));
    store.setAttemptStatus(first.id, "confirmed", { number: 10n, hash: `0x${"01".repeat(32)}` });
    store.setWorkStatus("settle:b", "done");
    expect(store.confirmedSince(10n).map((a) => a.id)).toEqual([first.id]);
    expect(store.confirmedSince(11n)).toEqual([]);
    expect(() => store.recordAttempt("settle", attempt("settle:b", HASH))).toThrow(/already recorded/);

    store.reopenWork("settle:b", [first.id], 10n);
    expect(store.work("settle:b")).toMatchObject({ status: "pending", detail: "reorged-out:10" });
    expect(store.reorgedWork("settle").map((w) => w.key)).toEqual(["settle:b"]);
    expect(store.confirmedSince(0n)).toEqual([]);

    const again = store.recordAttempt("settle", attempt("settle:b", HASH));
    expect(again.id).toBe(first.id);
    expect(store.attempts("settle:b")).toEqual([expect.objectContaining({ id: first.id, status: "signed", blockNumber: undefined, blockHash: undefined })]);
    expect(store.work("settle:b")).toMatchObject({ status: "pending", detail: undefined });
    // In flight again: no longer waiting for its job.
    expect(store.reorgedWork("settle")).toEqual([]);
    // Another work's bytes can never take the row.
    store.setAttemptStatus(first.id, "reorged");
    expect(() => store.recordAttempt("settle", attempt("settle:other", HASH))).toThrow(/already recorded/);
    store.close();
  });
});
