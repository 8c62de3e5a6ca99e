/**
 * An append-only record log with group commit.
 *
 * Each record is framed as `u32 LE payload length | u32 LE CRC-32 of the payload | payload (UTF-8 JSON)`.
 * Appends are queued and committed together by one write (the file is O_DSYNC under `fsync` durability, so the
 * write returns once the data is on disk), so concurrent requests share a sync instead of paying one each;
 * `append` resolves only once its record is durable. See `CommitMode` for where the write runs.
 *
 * Recovery reads the file from the start, a chunk at a time, and stops at the first record that is cut short or
 * fails its CRC: a crash can only tear the tail (whatever was being written when the process died, which no caller
 * was told was durable). The torn tail is copied to `<path>.torn-<offset>` for inspection and cut off before
 * appending.
 */
import { closeSync, constants, existsSync, fsyncSync, ftruncateSync, openSync, writevSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { dirname } from "node:path";
import { crc32 } from "node:zlib";

/** `fsync`: durable against power loss; `write`: survives a process crash, not a power loss; `none`: memory only. */
export type Durability = "fsync" | "write" | "none";

/**
 * Where a group commit's write runs. `inline`: on the event loop, as one synchronous `writev` on the O_DSYNC file
 * (for local disks whose sync takes a fraction of a millisecond; the commit is done the moment it runs, with no
 * round trip through the thread pool, whose completion would wait behind whatever the loop is doing). `threadpool`:
 * in libuv's thread pool, so a slow (network) disk never blocks the event loop.
 */
export type CommitMode = "inline" | "threadpool";

export type AppendLogOptions = {
  path: string;
  durability: Durability;
  /** Extra time to wait for more appends before a commit (0: commit as soon as the previous one finishes). */
  groupCommitWindowMs: number;
  /** Default `inline`. */
  commitMode?: CommitMode;
};

export type RecoveryReport = {
  records: number;
  validBytes: number;
  /** Bytes cut off the end because they did not form a whole, valid record. */
  tornBytes: number;
  tornCopyPath?: string;
};

const HEADER_BYTES = 8;
/** Guards recovery against a corrupted length field. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

/** Thrown when the log cannot be written; the log then refuses further appends. */
export class LogWriteError extends Error {
  override name = "LogWriteError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Frames one record. */
export function encodeRecord(record: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(record), "utf8");
  if (payload.length > MAX_RECORD_BYTES) throw new LogWriteError(`record of ${payload.length} bytes exceeds the limit`);
  const frame = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, HEADER_BYTES);
  return frame;
}

/**
 * Decodes the whole records at the start of `bytes`; `validBytes` is where the first bad or partial one begins.
 * `offsets[i]` is where record `i`'s frame starts in `bytes` (it ends where the next one starts, the last at
 * `validBytes`). `needsMore`: decoding stopped because the bytes ran out (at their end or inside a frame that may
 * still be whole once more bytes are read), not at a corrupt frame.
 */
export function decodeRecords(bytes: Uint8Array): { records: unknown[]; validBytes: number; offsets: number[]; needsMore: boolean } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: unknown[] = [];
  const offsets: number[] = [];
  let offset = 0;
  let needsMore = true;
  while (offset + HEADER_BYTES <= buffer.length) {
    const length = buffer.readUInt32LE(offset);
    const checksum = buffer.readUInt32LE(offset + 4);
    if (length > MAX_RECORD_BYTES) {
      needsMore = false;
      break;
    }
    if (offset + HEADER_BYTES + length > buffer.length) break;
    const payload = buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    let record: unknown;
    try {
      if (crc32(payload) !== checksum) throw new Error("checksum");
      record = JSON.parse(payload.toString("utf8"));
    } catch {
      needsMore = false;
      break;
    }
    records.push(record);
    offsets.push(offset);
    offset += HEADER_BYTES + length;
  }
  return { records, validBytes: offset, offsets, needsMore };
}

/** Called for each whole record found at recovery, in file order, with where its frame starts and ends. */
export type RecordVisitor = (record: unknown, offset: number, end: number) => void;

/** Reads of the log take this much at a time (a longer record is read whole). */
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Visits the whole records in `[from, to)` of the file (`from` must start a record), a chunk at a time, so a read
 * never holds more than a chunk (or one record) of the log. Stops at the first corrupt frame, or at a frame cut
 * short by `to`; returns where the last whole record visited ends (`to` if the range held whole records only).
 */
export async function scanRecords(
  handle: FileHandle,
  from: number,
  to: number,
  visit: RecordVisitor,
  chunkBytes = READ_CHUNK_BYTES,
): Promise<{ records: number; validBytes: number }> {
  let pending: Buffer = Buffer.alloc(0); // read and not yet decoded; starts at `base`
  let base = from;
  let position = from;
  let records = 0;
  for (;;) {
    const decoded = decodeRecords(pending);
    decoded.records.forEach((record, i) => {
      visit(record, base + decoded.offsets[i]!, base + (decoded.offsets[i + 1] ?? decoded.validBytes));
    });
    records += decoded.records.length;
    base += decoded.validBytes;
    pending = pending.subarray(decoded.validBytes);
    if (!decoded.needsMore || position >= to) return { records, validBytes: base };
    const frameBytes = pending.length >= HEADER_BYTES ? HEADER_BYTES + pending.readUInt32LE(0) : 0;
    const chunk = Buffer.allocUnsafe(Math.min(Math.max(chunkBytes, frameBytes - pending.length), to - position));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) return { records, validBytes: base };
    position += bytesRead;
    pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
  }
}

/** Copies bytes `[from, to)` of the file behind `handle` to a new file at `destination`, a chunk at a time. */
async function copyRange(handle: FileHandle, from: number, to: number, destination: string): Promise<void> {
  const out = await open(destination, "w");
  try {
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, Math.max(1, to - from)));
    for (let position = from; position < to; ) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, to - position), position);
      if (bytesRead === 0) break;
      await out.write(chunk, 0, bytesRead);
      position += bytesRead;
    }
    await out.sync();
  } finally {
    await out.close();
  }
}

type Waiter = { resolve: () => void; reject: (error: Error) => void };

export class AppendLog {
  readonly path: string;
  readonly #windowMs: number;
  readonly #commitMode: CommitMode;
  #handle: FileHandle | undefined;
  #size: number;
  /**
   * Where the next queued frame will start: `#size` plus the frames queued and not yet committed (records are
   * written in queue order). Only meaningful while the log has not failed (it then refuses every append).
   */
  #queuedEnd: number;
  #queue: Buffer[] = [];
  #waiters: Waiter[] = [];
  #committing = false;
  #failed: LogWriteError | undefined;
  #closed = false;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => {};
  /** Called after each commit with the number of records and the seconds it took. */
  onCommit: ((records: number, seconds: number) => void) | undefined;

  private constructor(options: AppendLogOptions, handle: FileHandle | undefined, size: number) {
    this.path = options.path;
    this.#windowMs = options.groupCommitWindowMs;
    this.#commitMode = options.commitMode ?? "inline";
    this.#handle = handle;
    this.#size = size;
    this.#queuedEnd = size;
  }

  /**
   * Opens (creating if needed) the log, recovers its records and cuts off a torn tail. With `onRecord`, each record
   * is handed over as it is read (and `records` / `offsets` come back empty), so recovering a log of any size holds
   * one chunk of it at a time; an error thrown by `onRecord` aborts the open and leaves the file untouched.
   * @example
   * const { log, records } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0 });
   * await log.append({ kind: "r", ... }); // resolves once durable
   */
  static async open(
    options: AppendLogOptions,
    onRecord?: RecordVisitor,
    chunkBytes = READ_CHUNK_BYTES,
  ): Promise<{ log: AppendLog; records: unknown[]; offsets: number[]; recovery: RecoveryReport }> {
    const records: unknown[] = [];
    const offsets: number[] = [];
    if (options.durability === "none") {
      return { log: new AppendLog(options, undefined, 0), records, offsets, recovery: { records: 0, validBytes: 0, tornBytes: 0 } };
    }
    const visit: RecordVisitor =
      onRecord ??
      ((record, offset) => {
        records.push(record);
        offsets.push(offset);
      });
    const created = !existsSync(options.path);
    const handle = await open(options.path, created ? "a+" : "r+");
    let recovery: RecoveryReport;
    try {
      const fileBytes = (await handle.stat()).size;
      const scan = await scanRecords(handle, 0, fileBytes, visit, chunkBytes);
      recovery = { records: scan.records, validBytes: scan.validBytes, tornBytes: fileBytes - scan.validBytes };
    } catch (error) {
      await handle.close();
      throw error;
    }
    try {
      if (recovery.tornBytes > 0) {
        recovery.tornCopyPath = `${options.path}.torn-${recovery.validBytes}`;
        await copyRange(handle, recovery.validBytes, recovery.validBytes + recovery.tornBytes, recovery.tornCopyPath);
        await handle.truncate(recovery.validBytes);
        await handle.sync();
      }
    } catch (cause) {
      await handle.close();
      throw new LogWriteError(`cannot repair the torn tail of ${options.path}`, { cause });
    }
    if (created) syncDirectory(dirname(options.path));
    // Reopen in append mode so every write lands at the end whatever happened before. With `fsync` durability
    // the file is opened O_DSYNC: a group's single writev returns once its data is on disk (one system call, and in
    // thread-pool mode one round trip, where writev then fdatasync took two).
    await handle.close();
    const syncFlag = options.durability === "fsync" ? constants.O_DSYNC : 0;
    const appendHandle = await open(options.path, constants.O_WRONLY | constants.O_APPEND | syncFlag);
    return { log: new AppendLog(options, appendHandle, recovery.validBytes), records, offsets, recovery };
  }

  /** Bytes durably in the log. */
  get size(): number {
    return this.#size;
  }

  /** Records queued and not yet committed. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The error that stopped the log, if any. */
  get failure(): LogWriteError | undefined {
    return this.#failed;
  }

  /** Appends one record; resolves once it is durable (per the configured durability). */
  append(record: unknown): Promise<void> {
    return this.appendAt(record).durable;
  }

  /**
   * Appends one record like `append`, and tells where its frame starts in the file (known at once: records are
   * written in queue order). `offset` is -1 when nothing is written (the log is closed or failed, the record is
   * refused, or durability is `none`); `end` is where the frame ends (-1 likewise).
   */
  appendAt(record: unknown): { offset: number; end: number; durable: Promise<void> } {
    if (this.#closed) return { offset: -1, end: -1, durable: Promise.reject(new LogWriteError("the receipt log is closed")) };
    if (this.#failed) return { offset: -1, end: -1, durable: Promise.reject(this.#failed) };
    if (!this.#handle) return { offset: -1, end: -1, durable: Promise.resolve() };
    let frame: Buffer;
    try {
      frame = encodeRecord(record);
    } catch (error) {
      return { offset: -1, end: -1, durable: Promise.reject(error) };
    }
    const offset = this.#queuedEnd;
    this.#queuedEnd += frame.length;
    const durable = new Promise<void>((resolve, reject) => {
      this.#queue.push(frame);
      this.#waiters.push({ resolve, reject });
      this.#schedule();
    });
    return { offset, end: this.#queuedEnd, durable };
  }

  /** Resolves once everything appended so far is committed (or has failed). */
  async flush(): Promise<void> {
    await this.#idle;
  }

  /** Flushes and closes; further appends reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    await this.#handle?.close();
    this.#handle = undefined;
  }

  #schedule(): void {
    if (this.#committing) return;
    this.#committing = true;
    this.#idle = new Promise((resolve) => (this.#markIdle = resolve));
    if (this.#commitMode === "threadpool") {
      if (this.#windowMs > 0) setTimeout(() => void this.#commitLoop(), this.#windowMs);
      else setImmediate(() => void this.#commitLoop());
      return;
    }
    // setImmediate: after the current I/O phase, so every append made by the requests handled in it shares the
    // commit. (Committing each append at once instead halves the wait but costs a sync per request: at 1,000
    // req/s that blocked the loop ~30% of the time and made the latency tail worse, not better.)
    if (this.#windowMs > 0) setTimeout(() => this.#commitInline(), this.#windowMs);
    else setImmediate(() => this.#commitInline());
  }

  /** Takes everything queued, to commit it as one group. */
  #takeQueue(): { frames: Buffer[]; waiters: Waiter[] } {
    const taken = { frames: this.#queue, waiters: this.#waiters };
    this.#queue = [];
    this.#waiters = [];
    return taken;
  }

  #commitInline(): void {
    const { frames, waiters } = this.#takeQueue();
    const started = performance.now();
    try {
      writeAllSync(this.#handle!.fd, frames);
      this.#size += totalLength(frames);
      this.onCommit?.(frames.length, (performance.now() - started) / 1_000);
      for (const waiter of waiters) waiter.resolve();
    } catch (cause) {
      this.#fail(cause, waiters);
      try {
        ftruncateSync(this.#handle!.fd, this.#size);
      } catch {
        // Best effort, as in the thread-pool path.
      }
    }
    this.#committing = false;
    this.#markIdle();
  }

  #fail(cause: unknown, waiters: Waiter[]): void {
    this.#failed = new LogWriteError(`writing the receipt log ${this.path} failed`, { cause });
    for (const waiter of [...waiters, ...this.#waiters]) waiter.reject(this.#failed);
    this.#queue = [];
    this.#waiters = [];
    this.#queuedEnd = this.#size;
  }

  async #commitLoop(): Promise<void> {
    while (this.#queue.length > 0 && !this.#failed) {
      const { frames, waiters } = this.#takeQueue();
      const started = performance.now();
      try {
        await this.#writeAll(frames);
        this.#size += totalLength(frames);
      } catch (cause) {
        this.#fail(cause, waiters);
        // Best effort: drop a partially written group so the file ends at the last durable record.
        await this.#handle?.truncate(this.#size).catch(() => {});
        break;
      }
      this.onCommit?.(frames.length, (performance.now() - started) / 1_000);
      for (const waiter of waiters) waiter.resolve();
    }
    this.#committing = false;
    this.#markIdle();
  }

  async #writeAll(frames: Buffer[]): Promise<void> {
    let pending = frames;
    while (pending.length > 0) {
      const { bytesWritten } = await this.#handle!.writev(pending);
      pending = unwritten(pending, bytesWritten);
    }
  }
}

function writeAllSync(fd: number, frames: Buffer[]): void {
  let pending = frames;
  while (pending.length > 0) pending = unwritten(pending, writevSync(fd, pending));
}

const totalLength = (frames: Buffer[]) => frames.reduce((sum, frame) => sum + frame.length, 0);

/** What is left of `frames` after a (possibly short) write of `bytesWritten` bytes. */
function unwritten(frames: Buffer[], bytesWritten: number): Buffer[] {
  let skip = bytesWritten;
  const rest: Buffer[] = [];
  for (const frame of frames) {
    if (skip >= frame.length) {
      skip -= frame.length;
      continue;
    }
    rest.push(skip > 0 ? frame.subarray(skip) : frame);
    skip = 0;
  }
  return rest;
}

/** Makes a newly created file's directory entry durable. */
function syncDirectory(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems do not support fsync on directories; the file's own fsyncs still hold its data.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
