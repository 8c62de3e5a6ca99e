/**
 * This gateway's claims on each session's budget that the chain does not know about yet: receipts not yet settled
 * (sequence above the session's settled `lastSequence`) and worst-case reservations of requests in flight.
 * Approval subtracts both from the on-chain remaining budget, so concurrent requests can never be approved for
 * more than the session can pay.
 */

type SessionExposure = {
  /** Unsettled receipts in sequence order. */
  receipts: { sequence: bigint; cost: bigint }[];
  /** Index of the first unsettled entry in `receipts` (settled ones are dropped lazily). */
  head: number;
  unsettled: bigint;
  reserved: bigint;
  inFlight: number;
  /** Highest settled sequence seen on chain. */
  settled: bigint;
};

export class Exposure {
  readonly #sessions = new Map<bigint, SessionExposure>();

  #entry(sessionId: bigint): SessionExposure {
    let entry = this.#sessions.get(sessionId);
    if (!entry) {
      entry = { receipts: [], head: 0, unsettled: 0n, reserved: 0n, inFlight: 0, settled: 0n };
      this.#sessions.set(sessionId, entry);
    }
    return entry;
  }

  /** Drops receipts the chain has settled (sequence <= `lastSequence`). */
  observeSettled(sessionId: bigint, lastSequence: bigint): void {
    const entry = this.#sessions.get(sessionId);
    if (!entry || lastSequence <= entry.settled) return;
    entry.settled = lastSequence;
    while (entry.head < entry.receipts.length && entry.receipts[entry.head]!.sequence <= lastSequence) {
      entry.unsettled -= entry.receipts[entry.head]!.cost;
      entry.head++;
    }
    if (entry.head > 1024 && entry.head * 2 > entry.receipts.length) {
      entry.receipts = entry.receipts.slice(entry.head);
      entry.head = 0;
    }
    this.#forgetIfIdle(sessionId, entry);
  }

  /** Unsettled receipts plus reservations of `sessionId`. */
  committed(sessionId: bigint): bigint {
    const entry = this.#sessions.get(sessionId);
    return entry ? entry.unsettled + entry.reserved : 0n;
  }

  /** Unsettled receipt cost of `sessionId` (no reservations). */
  unsettled(sessionId: bigint): bigint {
    return this.#sessions.get(sessionId)?.unsettled ?? 0n;
  }

  /** Reserves `amount` for a request in flight; call the returned function exactly once to release it. */
  reserve(sessionId: bigint, amount: bigint): () => void {
    const entry = this.#entry(sessionId);
    entry.reserved += amount;
    entry.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.reserved -= amount;
      entry.inFlight--;
      this.#forgetIfIdle(sessionId, entry);
    };
  }

  /** Records a receipt (its sequence must exceed every earlier one of the session). */
  record(sessionId: bigint, sequence: bigint, cost: bigint): void {
    const entry = this.#entry(sessionId);
    if (sequence <= entry.settled) return;
    entry.receipts.push({ sequence, cost });
    entry.unsettled += cost;
  }

  /** Sessions with any unsettled usage or request in flight. */
  get size(): number {
    return this.#sessions.size;
  }

  #forgetIfIdle(sessionId: bigint, entry: SessionExposure): void {
    if (entry.inFlight === 0 && entry.head >= entry.receipts.length && this.#sessions.get(sessionId) === entry) {
      this.#sessions.delete(sessionId);
    }
  }
}
