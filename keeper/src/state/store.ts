/**
 * The keeper's durable state, in one SQLite file (better-sqlite3, WAL journal, synchronous=FULL so a committed row
 * survives a power cut as well as `kill -9`): relay cursors, the next nonce of each key, every transaction attempt
 * the keeper signed (with its raw bytes, so a restart re-broadcasts the very same transaction instead of signing a
 * second one for the same work), and the outcome of each unit of work.
 *
 * One process owns a state file: it is opened with an exclusive lock (`locking_mode=EXCLUSIVE`), so a second keeper
 * pointed at the same folder fails at start instead of racing the first on nonces.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Address, Hash, Hex } from "viem";

/**
 * Where a signed transaction stands. `signed`: recorded, maybe not broadcast yet (a crash can stop between the two),
 * or to be broadcast again (its block was reorged out);
 * `sent`: broadcast; `mined`: in a block, not deep enough yet; `confirmed`: deep enough, final for the keeper;
 * `replaced`: a fee bump of the same nonce was confirmed instead; `dropped`: its nonce went to a transaction the keeper
 * did not sign; `reorged`: it was confirmed, then a reorg deeper than the confirmation depth took its block and the
 * new chain does not hold it (its work was reopened, see `TxSender.checkFinality`).
 */
export type AttemptStatus = "signed" | "sent" | "mined" | "confirmed" | "replaced" | "dropped" | "reorged";

/** One signed transaction for a unit of work; a fee bump adds an attempt with the same nonce. */
export type TxAttempt = {
  id: number;
  workKey: string;
  address: Address;
  nonce: number;
  hash: Hash;
  raw: Hex;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  gas: bigint;
  status: AttemptStatus;
  blockNumber?: bigint;
  blockHash?: Hash;
  createdAt: number;
};

/**
 * A unit of work (settle batch n of gateway g, liquidate position p...). `pending`: a transaction is in flight or
 * due; `done`: confirmed and succeeded; `reverted`: confirmed and reverted; `void`: given up without a confirmed
 * transaction (the work was done by someone else, or no longer applies).
 */
export type WorkStatus = "pending" | "done" | "reverted" | "void";

export type WorkItem = { key: string; kind: string; status: WorkStatus; detail?: string; updatedAt: number };

type AttemptRow = {
  id: number;
  work_key: string;
  address: string;
  nonce: number;
  hash: string;
  raw: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  gas: string;
  status: AttemptStatus;
  block_number: string | null;
  block_hash: string | null;
  created_at: number;
};

/**
 * Schema migrations, applied in order; a file's `user_version` is the number applied. A new migration is appended
 * (the version follows from the list's length, so two branches adding one each only need their order fixed at
 * merge); each creates only new objects (`IF NOT EXISTS`), so it does not depend on the one before it.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE cursors (job TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (job, key));
   CREATE TABLE nonces (address TEXT PRIMARY KEY, next INTEGER NOT NULL);
   CREATE TABLE work (key TEXT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, detail TEXT,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
   CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, work_key TEXT NOT NULL REFERENCES work(key),
     address TEXT NOT NULL, nonce INTEGER NOT NULL, hash TEXT NOT NULL UNIQUE, raw TEXT NOT NULL,
     max_fee_per_gas TEXT NOT NULL, max_priority_fee_per_gas TEXT NOT NULL, gas TEXT NOT NULL, status TEXT NOT NULL,
     block_number TEXT, block_hash TEXT, created_at INTEGER NOT NULL);
   CREATE INDEX attempts_work ON attempts (work_key);
   CREATE INDEX attempts_open ON attempts (status) WHERE status IN ('signed', 'sent', 'mined');`,
  `CREATE TABLE positions (market TEXT NOT NULL, borrower TEXT NOT NULL, borrow_shares TEXT, collateral TEXT,
     health_factor TEXT, read_block INTEGER, PRIMARY KEY (market, borrower));`,
  `CREATE TABLE retries (key TEXT PRIMARY KEY, job TEXT NOT NULL, failures INTEGER NOT NULL, reason TEXT NOT NULL,
     last_error TEXT NOT NULL, next_attempt_at INTEGER NOT NULL, dead_at INTEGER, detail TEXT, updated_at INTEGER NOT NULL);
   CREATE INDEX retries_dead ON retries (job) WHERE dead_at IS NOT NULL;`,
  // Insurance upkeep: policies and withdrawal requests indexed from the InsurancePool's events.
  `CREATE TABLE IF NOT EXISTS insurance_policies (pool TEXT NOT NULL, policy_id TEXT NOT NULL, holder TEXT NOT NULL,
     end_time INTEGER NOT NULL, released INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pool, policy_id));
   CREATE INDEX IF NOT EXISTS insurance_policies_open ON insurance_policies (pool, end_time) WHERE released = 0;
   CREATE TABLE IF NOT EXISTS insurance_withdrawals (pool TEXT NOT NULL, owner TEXT NOT NULL, shares TEXT NOT NULL,
     unlock_at INTEGER NOT NULL, PRIMARY KEY (pool, owner));`,
  // Finality watch (deep reorgs): where a job finds a unit of work again (a relay batch's gateway and cursor), and
  // confirmed attempts by block. Guarded, so it does not depend on the order other branches' migrations land in.
  `CREATE TABLE IF NOT EXISTS work_refs (work_key TEXT PRIMARY KEY, job TEXT NOT NULL, ref TEXT NOT NULL, updated_at INTEGER NOT NULL);
   CREATE INDEX IF NOT EXISTS attempts_confirmed_block ON attempts (CAST(block_number AS INTEGER)) WHERE status = 'confirmed';`,
];

const SCHEMA_VERSION = MIGRATIONS.length;

/** A policy the insurance upkeep watches until it is released. */
export type IndexedPolicy = { pool: string; policyId: bigint; holder: string; end: number; released: boolean };
/** A queued withdrawal as last indexed (`shares` 0: nothing queued). */
export type IndexedWithdrawal = { pool: string; owner: string; shares: bigint; unlockAt: number };

/** The `detail` a unit of work carries while it waits for its job after a deep reorg reopened it. */
export const REORGED_OUT = "reorged-out";

/**
 * A unit of work that failed in a way retrying at once will not fix (the contract reverts it, a key waits for its
 * re-attestation): retried after `nextAttemptAt`, and dead-lettered (`deadAt`) after its job's bound of failures.
 */
export type RetryState = {
  key: string;
  job: string;
  failures: number;
  /** Short machine-readable cause (a contract error name, `key-expired`, `waits-for-batch`...). */
  reason: string;
  lastError: string;
  nextAttemptAt: number;
  /** When it was given up on (a dead letter); undefined while it is still retried. */
  deadAt?: number;
  /** Job-specific JSON (what the work was: a gateway's batch number...). */
  detail?: Record<string, unknown>;
};

type RetryRow = {
  key: string;
  job: string;
  failures: number;
  reason: string;
  last_error: string;
  next_attempt_at: number;
  dead_at: number | null;
  detail: string | null;
};

export class KeeperStore {
  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating and migrating) the state file; `":memory:"` for tests. Throws if another process holds it. */
  static open(file: string): KeeperStore {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    let db: Database.Database;
    try {
      // No waiting on a lock another process holds: a second keeper should fail at once, not after 5 s.
      db = new Database(file, { timeout: 0 });
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      db.pragma("locking_mode = EXCLUSIVE");
      // Take the lock now (exclusive mode locks at the first write), so a second keeper fails at start.
      db.exec("BEGIN EXCLUSIVE; COMMIT;");
    } catch (cause) {
      throw new Error(`cannot open the keeper state ${file} (is another keeper using this data folder?)`, { cause });
    }
    const store = new KeeperStore(db);
    store.migrate();
    return store;
  }

  close(): void {
    this.db.close();
  }

  /** The schema version of the open file (`user_version`: the number of migrations applied). */
  schemaVersion(): number {
    return this.db.pragma("user_version", { simple: true }) as number;
  }

  private migrate(): void {
    const version = this.db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`the keeper state has schema ${version}, newer than this keeper's ${SCHEMA_VERSION}: upgrade the keeper`);
    }
    this.db.transaction(() => {
      for (let v = version; v < SCHEMA_VERSION; v++) this.db.exec(MIGRATIONS[v]!);
      this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  }

  /* CURSORS */

  getCursor(job: string, key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM cursors WHERE job = ? AND key = ?").get(job, key) as { value: string } | undefined;
    return row?.value;
  }

  setCursor(job: string, key: string, value: string): void {
    this.db
      .prepare(
        `INSERT INTO cursors (job, key, value, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (job, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(job, key, value, Date.now());
  }

  cursors(job?: string): Array<{ job: string; key: string; value: string; updatedAt: number }> {
    const rows = (
      job === undefined
        ? this.db.prepare("SELECT job, key, value, updated_at FROM cursors ORDER BY job, key").all()
        : this.db.prepare("SELECT job, key, value, updated_at FROM cursors WHERE job = ? ORDER BY key").all(job)
    ) as Array<{ job: string; key: string; value: string; updated_at: number }>;
    return rows.map((row) => ({ job: row.job, key: row.key, value: row.value, updatedAt: row.updated_at }));
  }

  /* POSITIONS */

  /** Adds positions to watch (found in events); known ones are kept as they are. */
  addPositions(positions: ReadonlyArray<{ market: string; borrower: string }>): number {
    const insert = this.db.prepare("INSERT OR IGNORE INTO positions (market, borrower) VALUES (?, ?)");
    return this.db.transaction(() => positions.reduce((added, p) => added + insert.run(p.market.toLowerCase(), p.borrower.toLowerCase()).changes, 0))();
  }

  /** What was read of a position, at which block. */
  recordPosition(position: { market: string; borrower: string; borrowShares: bigint; collateral: bigint; healthFactor: bigint; block: bigint }): void {
    this.db
      .prepare(
        `INSERT INTO positions (market, borrower, borrow_shares, collateral, health_factor, read_block) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (market, borrower) DO UPDATE SET borrow_shares = excluded.borrow_shares, collateral = excluded.collateral,
           health_factor = excluded.health_factor, read_block = excluded.read_block`,
      )
      .run(
        position.market.toLowerCase(),
        position.borrower.toLowerCase(),
        position.borrowShares.toString(),
        position.collateral.toString(),
        position.healthFactor.toString(),
        Number(position.block),
      );
  }

  /** Every watched position, with what was last read of it. */
  positions(): Array<{ market: string; borrower: string; borrowShares?: bigint; collateral?: bigint; healthFactor?: bigint; readBlock?: number }> {
    const rows = this.db.prepare("SELECT * FROM positions ORDER BY market, borrower").all() as Array<{
      market: string;
      borrower: string;
      borrow_shares: string | null;
      collateral: string | null;
      health_factor: string | null;
      read_block: number | null;
    }>;
    return rows.map((row) => ({
      market: row.market,
      borrower: row.borrower,
      borrowShares: row.borrow_shares === null ? undefined : BigInt(row.borrow_shares),
      collateral: row.collateral === null ? undefined : BigInt(row.collateral),
      healthFactor: row.health_factor === null ? undefined : BigInt(row.health_factor),
      readBlock: row.read_block ?? undefined,
    }));
  }

  /* RETRIES AND DEAD LETTERS */

  retryState(key: string): RetryState | undefined {
    const row = this.db.prepare("SELECT * FROM retries WHERE key = ?").get(key) as RetryRow | undefined;
    return row && toRetryState(row);
  }

  /**
   * Counts one more failure of `key`: it may be tried again at once after its first failure (a race with another
   * keeper has cleared by the next pass), then after `backoffMs x 2^(failures - 2)` (at most `maxBackoffMs`); at
   * `maxAttempts` failures it becomes a dead letter. Returns the new state.
   */
  recordFailure(failure: {
    job: string;
    key: string;
    reason: string;
    error: string;
    maxAttempts: number;
    backoffMs: number;
    maxBackoffMs: number;
    detail?: Record<string, unknown>;
    now?: number;
  }): RetryState {
    const now = failure.now ?? Date.now();
    return this.db.transaction(() => {
      const failures = (this.retryState(failure.key)?.failures ?? 0) + 1;
      const backoff = failures === 1 ? 0 : Math.min(failure.maxBackoffMs, failure.backoffMs * 2 ** (failures - 2));
      const dead = failures >= failure.maxAttempts;
      this.db
        .prepare(
          `INSERT INTO retries (key, job, failures, reason, last_error, next_attempt_at, dead_at, detail, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, reason = excluded.reason, last_error = excluded.last_error,
             next_attempt_at = excluded.next_attempt_at, dead_at = excluded.dead_at, detail = excluded.detail, updated_at = excluded.updated_at`,
        )
        .run(
          failure.key,
          failure.job,
          failures,
          failure.reason,
          failure.error,
          now + backoff,
          dead ? now : null,
          failure.detail ? JSON.stringify(failure.detail) : null,
          now,
        );
      return this.retryState(failure.key)!;
    })();
  }

  /** Forgets the failures of `key` (it succeeded, or its outcome no longer depends on it). */
  clearRetry(key: string): void {
    this.db.prepare("DELETE FROM retries WHERE key = ? AND dead_at IS NULL").run(key);
  }

  /** Work given up on, oldest first (all jobs, or one). */
  deadLetters(job?: string): RetryState[] {
    const rows = (
      job === undefined
        ? this.db.prepare("SELECT * FROM retries WHERE dead_at IS NOT NULL ORDER BY dead_at, key").all()
        : this.db.prepare("SELECT * FROM retries WHERE dead_at IS NOT NULL AND job = ? ORDER BY dead_at, key").all(job)
    ) as RetryRow[];
    return rows.map(toRetryState);
  }

  /** Work being retried after a failure (not dead yet), by soonest next attempt. */
  retrying(): RetryState[] {
    return (this.db.prepare("SELECT * FROM retries WHERE dead_at IS NULL ORDER BY next_attempt_at, key").all() as RetryRow[]).map(toRetryState);
  }

  /* INSURANCE */

  /** Records policies bought (known ones are kept as they are). */
  addPolicies(policies: ReadonlyArray<{ pool: string; policyId: bigint; holder: string; end: number }>): void {
    const insert = this.db.prepare("INSERT OR IGNORE INTO insurance_policies (pool, policy_id, holder, end_time) VALUES (?, ?, ?, ?)");
    this.db.transaction(() => {
      for (const p of policies) insert.run(p.pool.toLowerCase(), p.policyId.toString(), p.holder.toLowerCase(), p.end);
    })();
  }

  markPolicyReleased(pool: string, policyId: bigint): void {
    this.db.prepare("UPDATE insurance_policies SET released = 1 WHERE pool = ? AND policy_id = ?").run(pool.toLowerCase(), policyId.toString());
  }

  /** Unreleased policies of `pool` whose sessions could be opened only before `now` (candidates for release). */
  endedPolicies(pool: string, now: number): IndexedPolicy[] {
    const rows = this.db
      .prepare("SELECT * FROM insurance_policies WHERE pool = ? AND released = 0 AND end_time <= ? ORDER BY CAST(policy_id AS INTEGER)")
      .all(pool.toLowerCase(), now) as Array<{ pool: string; policy_id: string; holder: string; end_time: number; released: number }>;
    return rows.map((row) => ({ pool: row.pool, policyId: BigInt(row.policy_id), holder: row.holder, end: row.end_time, released: row.released === 1 }));
  }

  /** Counts of indexed policies by state. */
  policyCounts(pool: string): { open: number; released: number } {
    const row = this.db
      .prepare("SELECT SUM(released = 0) AS open, SUM(released = 1) AS released FROM insurance_policies WHERE pool = ?")
      .get(pool.toLowerCase()) as { open: number | null; released: number | null };
    return { open: row.open ?? 0, released: row.released ?? 0 };
  }

  /** Sets an owner's queued withdrawal as last seen (0 shares removes it). */
  setWithdrawal(pool: string, owner: string, shares: bigint, unlockAt: number): void {
    if (shares === 0n) {
      this.db.prepare("DELETE FROM insurance_withdrawals WHERE pool = ? AND owner = ?").run(pool.toLowerCase(), owner.toLowerCase());
      return;
    }
    this.db
      .prepare(
        `INSERT INTO insurance_withdrawals (pool, owner, shares, unlock_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (pool, owner) DO UPDATE SET shares = excluded.shares, unlock_at = excluded.unlock_at`,
      )
      .run(pool.toLowerCase(), owner.toLowerCase(), shares.toString(), unlockAt);
  }

  /** Queued withdrawals of `pool` unlocked at `now`, oldest unlock first. */
  maturedWithdrawals(pool: string, now: number): IndexedWithdrawal[] {
    const rows = this.db.prepare("SELECT * FROM insurance_withdrawals WHERE pool = ? AND unlock_at <= ? ORDER BY unlock_at, owner").all(pool.toLowerCase(), now) as Array<{
      pool: string;
      owner: string;
      shares: string;
      unlock_at: number;
    }>;
    return rows.map((row) => ({ pool: row.pool, owner: row.owner, shares: BigInt(row.shares), unlockAt: row.unlock_at }));
  }

  /** Every queued withdrawal of `pool` as indexed. */
  withdrawals(pool: string): IndexedWithdrawal[] {
    return this.maturedWithdrawals(pool, Number.MAX_SAFE_INTEGER);
  }

  /* NONCES */

  /** The next nonce this keeper will use for `address`, as recorded (undefined before its first transaction). */
  nextNonce(address: Address): number | undefined {
    const row = this.db.prepare("SELECT next FROM nonces WHERE address = ?").get(address.toLowerCase()) as { next: number } | undefined;
    return row?.next;
  }

  /* WORK AND ATTEMPTS */

  work(key: string): WorkItem | undefined {
    const row = this.db.prepare("SELECT key, kind, status, detail, updated_at FROM work WHERE key = ?").get(key) as
      | { key: string; kind: string; status: WorkStatus; detail: string | null; updated_at: number }
      | undefined;
    return row && { key: row.key, kind: row.kind, status: row.status, detail: row.detail ?? undefined, updatedAt: row.updated_at };
  }

  /** Counts of work items by kind and status. */
  workCounts(): Array<{ kind: string; status: WorkStatus; count: number }> {
    return this.db.prepare("SELECT kind, status, COUNT(*) AS count FROM work GROUP BY kind, status ORDER BY kind, status").all() as Array<{
      kind: string;
      status: WorkStatus;
      count: number;
    }>;
  }

  setWorkStatus(key: string, status: WorkStatus, detail?: string): void {
    this.db.prepare("UPDATE work SET status = ?, detail = ?, updated_at = ? WHERE key = ?").run(status, detail ?? null, Date.now(), key);
  }

  /**
   * Records a newly signed transaction, in one SQLite transaction with the nonce it takes: the work item (created
   * pending if new), the attempt, and the key's next nonce (never lowered). A crash before this commits loses only a
   * signature nobody saw; after it, the restart re-broadcasts these exact bytes.
   */
  recordAttempt(kind: string, attempt: Omit<TxAttempt, "id" | "status" | "createdAt" | "blockNumber" | "blockHash">): TxAttempt {
    const now = Date.now();
    const address = attempt.address.toLowerCase();
    const id = this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO work (key, kind, status, created_at, updated_at) VALUES (?, ?, 'pending', ?, ?)
           ON CONFLICT (key) DO UPDATE SET status = 'pending', detail = NULL, updated_at = excluded.updated_at`,
        )
        .run(attempt.workKey, kind, now, now);
      // The very bytes of an attempt a reorg took off the chain (or whose nonce went elsewhere) may be signed again
      // (same call, nonce and fees: signatures are deterministic): that attempt is back in flight, not a new row.
      const result = this.db
        .prepare(
          `INSERT INTO attempts (work_key, address, nonce, hash, raw, max_fee_per_gas, max_priority_fee_per_gas, gas, status, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'signed', ?)
           ON CONFLICT (hash) DO UPDATE SET status = 'signed', block_number = NULL, block_hash = NULL, created_at = excluded.created_at
             WHERE attempts.status IN ('reorged', 'dropped') AND attempts.work_key = excluded.work_key`,
        )
        .run(
          attempt.workKey,
          address,
          attempt.nonce,
          attempt.hash,
          attempt.raw,
          attempt.maxFeePerGas.toString(),
          attempt.maxPriorityFeePerGas.toString(),
          attempt.gas.toString(),
          now,
        );
      this.db
        .prepare(`INSERT INTO nonces (address, next) VALUES (?, ?) ON CONFLICT (address) DO UPDATE SET next = MAX(next, excluded.next)`)
        .run(address, attempt.nonce + 1);
      if (result.changes === 0) throw new Error(`transaction ${attempt.hash} is already recorded and not given up on; not recorded again for ${attempt.workKey}`);
      return (this.db.prepare("SELECT id FROM attempts WHERE hash = ?").get(attempt.hash) as { id: number }).id;
    })();
    return { ...attempt, id, status: "signed", createdAt: now };
  }

  setAttemptStatus(id: number, status: AttemptStatus, block?: { number: bigint; hash: Hash }): void {
    this.db
      .prepare("UPDATE attempts SET status = ?, block_number = ?, block_hash = ? WHERE id = ?")
      .run(status, block ? block.number.toString() : null, block ? block.hash : null, id);
  }

  /** Every attempt of `workKey`, oldest first. */
  attempts(workKey: string): TxAttempt[] {
    return (this.db.prepare("SELECT * FROM attempts WHERE work_key = ? ORDER BY id").all(workKey) as AttemptRow[]).map(toAttempt);
  }

  /** Attempts not settled yet (signed, sent, or mined but not confirmed), oldest first. */
  openAttempts(): TxAttempt[] {
    return (this.db.prepare("SELECT * FROM attempts WHERE status IN ('signed', 'sent', 'mined') ORDER BY id").all() as AttemptRow[]).map(toAttempt);
  }

  /** Attempts for one nonce of one key (a transaction and its fee bumps). */
  attemptsForNonce(address: Address, nonce: number): TxAttempt[] {
    return (
      this.db.prepare("SELECT * FROM attempts WHERE address = ? AND nonce = ? ORDER BY id").all(address.toLowerCase(), nonce) as AttemptRow[]
    ).map(toAttempt);
  }

  /** Confirmed attempts whose block is `fromBlock` or later (the finality watch's window), newest block first. */
  confirmedSince(fromBlock: bigint): TxAttempt[] {
    return (
      this.db
        .prepare("SELECT * FROM attempts WHERE status = 'confirmed' AND CAST(block_number AS INTEGER) >= ? ORDER BY CAST(block_number AS INTEGER) DESC, id")
        .all(fromBlock < 0n ? 0 : Number(fromBlock)) as AttemptRow[]
    ).map(toAttempt);
  }

  /**
   * Reopens work whose confirmed transactions a deep reorg took off the chain, in one SQLite transaction: the
   * attempts become `reorged`, the work `pending` with detail `reorged-out:<block>` until its job takes it up again
   * (`reorgedWork`, then `setWorkStatus`).
   */
  reopenWork(workKey: string, attemptIds: readonly number[], block: bigint): void {
    this.db.transaction(() => {
      for (const id of attemptIds) this.db.prepare("UPDATE attempts SET status = 'reorged' WHERE id = ?").run(id);
      this.setWorkStatus(workKey, "pending", `${REORGED_OUT}:${block}`);
    })();
  }

  /** Work of `kind` reopened by a deep reorg and not taken up by its job yet (no transaction in flight for it). */
  reorgedWork(kind: string): WorkItem[] {
    const rows = this.db
      .prepare(
        `SELECT key, kind, status, detail, updated_at FROM work WHERE kind = ? AND status = 'pending' AND detail LIKE ? AND NOT EXISTS
           (SELECT 1 FROM attempts WHERE attempts.work_key = work.key AND attempts.status IN ('signed', 'sent', 'mined')) ORDER BY key`,
      )
      .all(kind, `${REORGED_OUT}:%`) as Array<{ key: string; kind: string; status: WorkStatus; detail: string | null; updated_at: number }>;
    return rows.map((row) => ({ key: row.key, kind: row.kind, status: row.status, detail: row.detail ?? undefined, updatedAt: row.updated_at }));
  }

  /** Records where `job` finds `workKey` again (job-specific text, e.g. JSON), replacing an older record. */
  setWorkRef(workKey: string, job: string, ref: string): void {
    this.db
      .prepare(
        `INSERT INTO work_refs (work_key, job, ref, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (work_key) DO UPDATE SET job = excluded.job, ref = excluded.ref, updated_at = excluded.updated_at`,
      )
      .run(workKey, job, ref, Date.now());
  }

  workRef(workKey: string): { job: string; ref: string } | undefined {
    return this.db.prepare("SELECT job, ref FROM work_refs WHERE work_key = ?").get(workKey) as { job: string; ref: string } | undefined;
  }

  /** Number of attempts by status (for /status and metrics). */
  attemptCounts(): Record<AttemptStatus, number> {
    const counts: Record<AttemptStatus, number> = { signed: 0, sent: 0, mined: 0, confirmed: 0, replaced: 0, dropped: 0, reorged: 0 };
    for (const row of this.db.prepare("SELECT status, COUNT(*) AS count FROM attempts GROUP BY status").all() as Array<{
      status: AttemptStatus;
      count: number;
    }>) {
      counts[row.status] = row.count;
    }
    return counts;
  }
}

function toRetryState(row: RetryRow): RetryState {
  return {
    key: row.key,
    job: row.job,
    failures: row.failures,
    reason: row.reason,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    deadAt: row.dead_at ?? undefined,
    detail: row.detail === null ? undefined : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}

function toAttempt(row: AttemptRow): TxAttempt {
  return {
    id: row.id,
    workKey: row.work_key,
    address: row.address as Address,
    nonce: row.nonce,
    hash: row.hash as Hash,
    raw: row.raw as Hex,
    maxFeePerGas: BigInt(row.max_fee_per_gas),
    maxPriorityFeePerGas: BigInt(row.max_priority_fee_per_gas),
    gas: BigInt(row.gas),
    status: row.status,
    blockNumber: row.block_number === null ? undefined : BigInt(row.block_number),
    blockHash: (row.block_hash ?? undefined) as Hash | undefined,
    createdAt: row.created_at,
  };
}
