/**
 * An append-only record log with group commit, optionally split into segments.
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
 *
 * **Segments** (`segments` option; `path` is then a directory): the log is a run of files `<id>.seg`, ids
 * consecutive, and a *position* is a byte offset into the concatenation of every segment ever written (segment
 * `id > 0` starts with a descriptor record `{seg: id, base}` naming its first position, which recovery checks and
 * never hands out). Once the active segment is half full, the next segment file is created and its directory entry
 * synced in the thread pool, off the write path; the first append once the active one holds `maxBytes` or
 * `maxRecords` (and the next is ready) switches to it:
 * its frame, and every later one, goes to the new file, preceded by the descriptor and the caller's `firstRecords`.
 * The commit that carries the switch writes the old file's last frames, then the new file's first ones: one extra
 * O_DSYNC write at a roll and none elsewhere, and never a new-segment frame on disk before an older one.
 * `dropBefore(position)` deletes the sealed segments that end at or before `position`, newest first, syncing the
 * directory after each: a crash part-way leaves a gap in the ids, and recovery deletes whatever is below the last
 * gap, so a drop is all or nothing. A segment that the crash left empty (created, or torn before its first record
 * after the descriptor) is removed at recovery. A single-file log of an earlier version (`legacyFile`) is moved in
 * as segment 0 (one rename).
 */
import { closeSync, constants, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writevSync } from "node:fs";
import { open, readFile, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
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
  /** Split the log into segments; `path` is then their directory. */
  segments?: SegmentOptions;
};

export type SegmentOptions = {
  /** Roll to a new segment once the active one holds this many bytes (`Infinity`: never by size). */
  maxBytes: number;
  /** ... or this many records (`Infinity`: never by count). */
  maxRecords: number;
  /**
   * Records written at the start of every new segment (after its descriptor), before the append that triggered the
   * roll: called synchronously at the switch with the segment's first position.
   */
  firstRecords?: (base: number) => unknown[];
  /** A single-file log written before segments: moved in as segment 0 when the directory has none. */
  legacyFile?: string;
};

/** One segment file: it holds positions `[base, end)` (`end`: durable so far). */
export type SegmentInfo = { id: number; path: string; base: number; end: number };

export type RecoveryReport = {
  records: number;
  validBytes: number;
  /** Bytes cut off the end because they did not form a whole, valid record. */
  tornBytes: number;
  tornCopyPath?: string;
  /** Segments removed at recovery: left below a gap by an interrupted drop, or empty at the end. */
  removedSegments?: number;
  /** The single-file log moved in as segment 0 at this open. */
  migratedFrom?: string;
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

/** A segment as the log keeps it: its file, its positions, and (active or still being written) its write handle. */
type Segment = SegmentInfo & { writer?: FileHandle };

/** Frames queued for one segment, committed in queue order. */
type Group = { segment: Segment; writer: FileHandle; frames: Buffer[]; waiters: Waiter[] };

const SEGMENT_FILE = /^(\d{10})\.seg$/;
export const segmentFileName = (id: number) => `${String(id).padStart(10, "0")}.seg`;

/** Segment ids and paths found in `dir`, ascending. */
export function listSegments(dir: string): { id: number; path: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => SEGMENT_FILE.exec(name))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ id: Number(match[1]), path: join(dir, match[0]) }))
    .sort((a, b) => a.id - b.id);
}

type Descriptor = { seg: number; base: number };
const isDescriptor = (record: unknown, id: number): record is Descriptor =>
  typeof record === "object" &&
  record !== null &&
  (record as Descriptor).seg === id &&
  Number.isSafeInteger((record as Descriptor).base) &&
  (record as Descriptor).base >= 0;

/** Retry creating the next segment no sooner than this after a failure. */
const PREPARE_RETRY_MS = 1_000;

export class AppendLog {
  readonly path: string;
  readonly #windowMs: number;
  readonly #commitMode: CommitMode;
  readonly #durability: Durability;
  readonly #segmentOptions: SegmentOptions | undefined;
  /** Retained segments, ascending; the last is the active one. Empty under `none` durability. */
  readonly #segments: Segment[];
  /** Durable end: the position after the last committed frame. */
  #size: number;
  /**
   * Where the next queued frame will start: `#size` plus the frames queued and not yet committed (records are
   * written in queue order). Only meaningful while the log has not failed (it then refuses every append).
   */
  #queuedEnd: number;
  /** Records appended to the active segment (queued or written), not counting its descriptor and first records. */
  #activeRecords: number;
  #queue: Group[] = [];
  #committing = false;
  #failed: LogWriteError | undefined;
  #closed = false;
  #idle: Promise<void> = Promise.resolve();
  #markIdle: () => void = () => {};
  /** The next segment, created and synced, waiting for the roll. */
  #next: { id: number; path: string; writer: FileHandle } | undefined;
  #preparing: Promise<void> | undefined;
  #prepareFailedAt = Number.NEGATIVE_INFINITY;
  /** Write handles of sealed segments, closed once no queued frame needs them. */
  #retired: FileHandle[] = [];
  #closing: Promise<void>[] = [];
  /** Read handles by segment id, and handles of dropped segments closed once no read is in flight. */
  readonly #readers = new Map<number, Promise<FileHandle>>();
  #readsInFlight = 0;
  #droppedReaders: Promise<FileHandle>[] = [];
  /** Called after each commit with the number of records and the seconds it took. */
  onCommit: ((records: number, seconds: number) => void) | undefined;
  /** Called when creating the next segment failed (the log keeps appending to the active one and retries). */
  onSegmentError: ((error: unknown) => void) | undefined;

  private constructor(options: AppendLogOptions, segments: Segment[], activeRecords: number) {
    this.path = options.path;
    this.#windowMs = options.groupCommitWindowMs;
    this.#commitMode = options.commitMode ?? "inline";
    this.#durability = options.durability;
    this.#segmentOptions = options.segments;
    this.#segments = segments;
    this.#size = segments.at(-1)?.end ?? 0;
    this.#queuedEnd = this.#size;
    this.#activeRecords = activeRecords;
  }

  /**
   * Opens (creating if needed) the log, recovers its records and cuts off a torn tail. With `onRecord`, each record
   * is handed over as it is read (and `records` / `offsets` come back empty), so recovering a log of any size holds
   * one chunk of it at a time; an error thrown by `onRecord` aborts the open and leaves the files untouched (a
   * segmented log may have moved its legacy file in, or removed the leftovers of an interrupted drop, first).
   * Offsets are positions (byte offsets in the one file of an unsegmented log).
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
      return { log: new AppendLog(options, [], 0), records, offsets, recovery: { records: 0, validBytes: 0, tornBytes: 0 } };
    }
    let visited = 0;
    const visit: RecordVisitor = (record, offset, end) => {
      visited++;
      if (onRecord) return onRecord(record, offset, end);
      records.push(record);
      offsets.push(offset);
    };
    const recovery: RecoveryReport = { records: 0, validBytes: 0, tornBytes: 0 };
    const files = options.segments ? prepareSegmentDirectory(options.path, options.segments, recovery) : [{ id: 0, path: options.path }];
    const created = !existsSync(files[0]!.path);
    if (created && !options.segments) {
      // An unsegmented log's file is created here (a segmented one's first segment already was).
      closeSync(openSync(files[0]!.path, "a"));
      syncDirectory(dirname(files[0]!.path));
    }

    // Read every segment; only the last may be torn (a crash stops the writes at one point, and frames reach a new
    // segment only after the old one's are durable).
    const segments: Segment[] = [];
    let last: { handle: FileHandle; fileBytes: number; validBytes: number; records: number } | undefined;
    for (const [i, file] of files.entries()) {
      const isLast = i === files.length - 1;
      const handle = await open(file.path, isLast ? "r+" : "r");
      let scanned: { fileBytes: number; validBytes: number; records: number; base: number };
      try {
        const fileBytes = (await handle.stat()).size;
        const previous = segments.at(-1);
        let base = file.id === 0 ? 0 : -1;
        let records = 0;
        const scan = await scanRecords(
          handle,
          0,
          fileBytes,
          (record, offset, end) => {
            if (base < 0) {
              if (offset !== 0 || !isDescriptor(record, file.id)) {
                throw new LogWriteError(`${file.path} does not start with the descriptor of segment ${file.id}`);
              }
              if (previous && record.base !== previous.end) {
                throw new LogWriteError(`${file.path} starts at position ${record.base}, not where segment ${previous.id} ends (${previous.end})`);
              }
              base = record.base;
              return;
            }
            records++;
            visit(record, base + offset, base + end);
          },
          chunkBytes,
        );
        if (!isLast && scan.validBytes !== fileBytes) {
          throw new LogWriteError(`segment ${file.path} is damaged at byte ${scan.validBytes} of ${fileBytes}, and later segments exist`);
        }
        scanned = { fileBytes, validBytes: scan.validBytes, records, base };
      } catch (error) {
        await handle.close();
        throw error;
      }
      if (isLast) {
        last = { handle, fileBytes: scanned.fileBytes, validBytes: scanned.validBytes, records: scanned.records };
      } else {
        await handle.close();
      }
      // An empty segment (base unknown: no whole descriptor) can only be the last one; it is removed below.
      if (scanned.base >= 0) segments.push({ id: file.id, path: file.path, base: scanned.base, end: scanned.base + scanned.validBytes });
    }
    const tail = last!;
    const lastFile = files.at(-1)!;
    let activeRecords = tail.records;
    try {
      const tornFrom = tail.validBytes;
      const tornBytes = tail.fileBytes - tornFrom;
      if (tornBytes > 0) {
        recovery.tornBytes = tornBytes;
        recovery.tornCopyPath = `${lastFile.path}.torn-${tornFrom}`;
        await copyRange(tail.handle, tornFrom, tail.fileBytes, recovery.tornCopyPath);
      }
      if (lastFile.id > 0 && tail.records === 0 && files.length > 1) {
        // A segment the crash left without a record past its descriptor: the roll never completed. The previous
        // segment is the active one again.
        await tail.handle.close();
        unlinkSync(lastFile.path);
        syncDirectory(options.path);
        if (segments.at(-1)?.id === lastFile.id) segments.pop();
        recovery.removedSegments = (recovery.removedSegments ?? 0) + 1;
        activeRecords = await countRecords(segments.at(-1)!);
      } else {
        if (tornBytes > 0) {
          await tail.handle.truncate(tornFrom);
          await tail.handle.sync();
        }
        await tail.handle.close();
        if (segments.at(-1)?.id !== lastFile.id) {
          // Only segment 0 of a fresh directory or a lone half-made segment lands here: start it afresh.
          throw new LogWriteError(`segment ${lastFile.path} has no descriptor and is the only segment`);
        }
      }
    } catch (cause) {
      await tail.handle.close().catch(() => undefined);
      throw cause instanceof LogWriteError ? cause : new LogWriteError(`cannot repair the torn tail of ${lastFile.path}`, { cause });
    }
    const active = segments.at(-1)!;
    recovery.validBytes = active.end;
    // Reopen in append mode so every write lands at the end whatever happened before. With `fsync` durability
    // the file is opened O_DSYNC: a group's single writev returns once its data is on disk (one system call, and in
    // thread-pool mode one round trip, where writev then fdatasync took two).
    const syncFlag = options.durability === "fsync" ? constants.O_DSYNC : 0;
    active.writer = await open(active.path, constants.O_WRONLY | constants.O_APPEND | syncFlag);
    const log = new AppendLog(options, segments, activeRecords);
    return { log, records, offsets, recovery: { ...recovery, records: visited } };
  }

  /** Durable end of the log: the position after its last committed frame (bytes durably in an unsegmented log). */
  get size(): number {
    return this.#size;
  }

  /** Records queued and not yet committed. */
  get queued(): number {
    return this.#queue.reduce((sum, group) => sum + group.frames.length, 0);
  }

  /** The error that stopped the log, if any. */
  get failure(): LogWriteError | undefined {
    return this.#failed;
  }

  /** The retained segments, oldest first (one for an unsegmented log, none under `none` durability). */
  get segments(): SegmentInfo[] {
    return this.#segments.map(({ id, path, base, end }) => ({ id, path, base, end }));
  }

  /** Appends one record; resolves once it is durable (per the configured durability). */
  append(record: unknown): Promise<void> {
    return this.appendAt(record).durable;
  }

  /**
   * Appends one record like `append`, and tells its position (known at once: records are written in queue order).
   * `offset` is -1 when nothing is written (the log is closed or failed, the record is refused, or durability is
   * `none`); `end` is where the frame ends (-1 likewise). When the active segment is full and the next one ready,
   * the record is the first of the next segment (after its descriptor and first records).
   */
  appendAt(record: unknown): { offset: number; end: number; durable: Promise<void> } {
    if (this.#closed) return { offset: -1, end: -1, durable: Promise.reject(new LogWriteError("the receipt log is closed")) };
    if (this.#failed) return { offset: -1, end: -1, durable: Promise.reject(this.#failed) };
    const active = this.#segments.at(-1);
    if (!active) return { offset: -1, end: -1, durable: Promise.resolve() };
    let frame: Buffer;
    try {
      frame = encodeRecord(record);
    } catch (error) {
      return { offset: -1, end: -1, durable: Promise.reject(error) };
    }
    if (this.#segmentOptions) {
      // The next file is created from half way, so it is usually ready when the active one is full.
      if (this.#next && this.#filled(active) >= 1) this.#roll();
      else if (!this.#next && this.#filled(active) >= 0.5) this.#prepare();
    }
    const offset = this.#queuedEnd;
    const durable = new Promise<void>((resolve, reject) => this.#enqueue([frame], [{ resolve, reject }]));
    this.#activeRecords++;
    return { offset, end: this.#queuedEnd, durable };
  }

  /** How full the active segment is: 1 once it holds `maxBytes` or `maxRecords`. */
  #filled(active: Segment): number {
    const options = this.#segmentOptions!;
    return Math.max((this.#queuedEnd - active.base) / options.maxBytes, this.#activeRecords / options.maxRecords);
  }

  /** Queues frames for the active segment (extending its last group) and schedules a commit. */
  #enqueue(frames: Buffer[], waiters: Waiter[]): void {
    const segment = this.#segments.at(-1)!;
    let group = this.#queue.at(-1);
    if (!group || group.segment !== segment) {
      group = { segment, writer: segment.writer!, frames: [], waiters: [] };
      this.#queue.push(group);
    }
    group.frames.push(...frames);
    group.waiters.push(...waiters);
    this.#queuedEnd += totalLength(frames);
    this.#schedule();
  }

  /** Creates the next segment file and syncs its directory entry, in the thread pool. */
  #prepare(): void {
    if (this.#preparing || this.#next || performance.now() - this.#prepareFailedAt < PREPARE_RETRY_MS) return;
    const id = this.#segments.at(-1)!.id + 1;
    const path = join(this.path, segmentFileName(id));
    const syncFlag = this.#durability === "fsync" ? constants.O_DSYNC : 0;
    this.#preparing = (async () => {
      const writer = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_APPEND | syncFlag);
      try {
        await syncDirectoryAsync(this.path);
      } catch (error) {
        await writer.close();
        await unlink(path);
        throw error;
      }
      this.#next = { id, path, writer };
    })()
      .catch((error: unknown) => {
        this.#prepareFailedAt = performance.now();
        this.onSegmentError?.(new LogWriteError(`cannot create segment ${path}; appending to the full one`, { cause: error }));
      })
      .finally(() => (this.#preparing = undefined));
  }

  /** Switches appends to the prepared segment: its descriptor and first records are queued first. */
  #roll(): void {
    const next = this.#next!;
    const base = this.#queuedEnd;
    let frames: Buffer[];
    try {
      frames = [encodeRecord({ seg: next.id, base } satisfies Descriptor), ...(this.#segmentOptions!.firstRecords?.(base) ?? []).map(encodeRecord)];
    } catch (error) {
      this.onSegmentError?.(error);
      return;
    }
    this.#next = undefined;
    const old = this.#segments.at(-1)!;
    this.#retired.push(old.writer!);
    old.writer = undefined;
    this.#segments.push({ id: next.id, path: next.path, base, end: base, writer: next.writer });
    this.#activeRecords = 0;
    this.#enqueue(frames, []);
  }

  /**
   * Deletes the sealed segments that end at or before `position` (never the active one), newest first, syncing the
   * directory after each, so a crash part-way leaves a gap below which recovery deletes the rest. Resolves with the
   * number of segments deleted: all of them, or none when the segment after them has nothing durable yet.
   */
  async dropBefore(position: number): Promise<number> {
    await this.flush();
    let count = 0;
    while (count < this.#segments.length - 1 && this.#segments[count]!.end <= position) count++;
    if (count === 0) return 0;
    // All or nothing, and only once the segment that will come first has its first records on disk: recovery starts
    // from its descriptor and the records after it.
    const first = this.#segments[count]!;
    if (first.end === first.base) return 0;
    const doomed = this.#segments.splice(0, count);
    for (const segment of doomed.reverse()) {
      await unlink(segment.path);
      await syncDirectoryAsync(this.path);
      const reader = this.#readers.get(segment.id);
      if (reader) {
        this.#readers.delete(segment.id);
        this.#droppedReaders.push(reader);
      }
    }
    this.#closeDroppedReaders();
    return count;
  }

  /**
   * Visits the whole records in positions `[from, to)` (`from` must start a record, `to` be at most `size`), across
   * segments, skipping their descriptors. Returns where the last whole record visited ends (`to` if all were whole).
   */
  async scan(from: number, to: number, visit: RecordVisitor): Promise<number> {
    this.#readsInFlight++;
    try {
      for (const segment of this.#segments.filter((s) => s.end > from && s.base < to)) {
        const start = Math.max(from, segment.base) - segment.base;
        const stop = Math.min(to, segment.end) - segment.base;
        let reader = this.#readers.get(segment.id);
        if (!reader) {
          reader = open(segment.path, "r");
          this.#readers.set(segment.id, reader);
        }
        const { validBytes } = await scanRecords(await reader, start, stop, (record, offset, end) => {
          if (segment.id > 0 && offset === 0) return; // the descriptor
          visit(record, segment.base + offset, segment.base + end);
        });
        if (validBytes !== stop) return segment.base + validBytes;
      }
      return to;
    } finally {
      this.#readsInFlight--;
      this.#closeDroppedReaders();
    }
  }

  #closeDroppedReaders(): void {
    if (this.#readsInFlight > 0) return;
    for (const reader of this.#droppedReaders.splice(0)) this.#closing.push(reader.then((handle) => handle.close()));
  }

  /** Resolves once everything appended so far is committed (or has failed). */
  async flush(): Promise<void> {
    await this.#idle;
  }

  /** Flushes and closes; further appends reject. An unused prepared segment is deleted. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    await this.#preparing;
    const next = this.#next;
    this.#next = undefined;
    if (next) {
      await next.writer.close();
      await unlink(next.path);
    }
    const active = this.#segments.at(-1);
    await active?.writer?.close();
    if (active) active.writer = undefined;
    this.#droppedReaders.push(...this.#readers.values());
    this.#readers.clear();
    this.#closeDroppedReaders();
    await Promise.all(this.#closing.splice(0));
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

  #commitInline(): void {
    const groups = this.#queue.splice(0);
    const started = performance.now();
    let written = 0;
    for (const [i, group] of groups.entries()) {
      try {
        writeAllSync(group.writer.fd, group.frames);
      } catch (cause) {
        this.#fail(cause, groups.slice(i));
        try {
          ftruncateSync(group.writer.fd, group.segment.end - group.segment.base);
        } catch {
          // Best effort, as in the thread-pool path.
        }
        break;
      }
      this.#committed(group);
      written += group.frames.length;
    }
    if (written > 0) this.onCommit?.(written, (performance.now() - started) / 1_000);
    this.#retire();
    this.#committing = false;
    this.#markIdle();
  }

  /** A group is on disk: advances the durable end and tells its waiters. */
  #committed(group: Group): void {
    group.segment.end += totalLength(group.frames);
    this.#size = group.segment.end;
    for (const waiter of group.waiters) waiter.resolve();
  }

  /** Closes the write handles of sealed segments that no queued group still needs. */
  #retire(): void {
    const inUse = new Set(this.#queue.map((group) => group.writer));
    this.#retired = this.#retired.filter((writer) => {
      if (inUse.has(writer)) return true;
      this.#closing.push(writer.close());
      return false;
    });
  }

  #fail(cause: unknown, groups: Group[]): void {
    this.#failed = new LogWriteError(`writing the receipt log ${this.path} failed`, { cause });
    for (const group of [...groups, ...this.#queue]) for (const waiter of group.waiters) waiter.reject(this.#failed);
    this.#queue = [];
    this.#queuedEnd = this.#size;
  }

  async #commitLoop(): Promise<void> {
    while (this.#queue.length > 0 && !this.#failed) {
      const groups = this.#queue.splice(0);
      const started = performance.now();
      let written = 0;
      for (const [i, group] of groups.entries()) {
        try {
          await writeAll(group.writer, group.frames);
        } catch (cause) {
          this.#fail(cause, groups.slice(i));
          // Best effort: drop a partially written group so the file ends at the last durable record.
          await group.writer.truncate(group.segment.end - group.segment.base).catch(() => {});
          break;
        }
        this.#committed(group);
        written += group.frames.length;
      }
      if (written > 0) this.onCommit?.(written, (performance.now() - started) / 1_000);
      this.#retire();
    }
    this.#committing = false;
    this.#markIdle();
  }
}

async function writeAll(handle: FileHandle, frames: Buffer[]): Promise<void> {
  let pending = frames;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    pending = unwritten(pending, bytesWritten);
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

/**
 * Readies a segment directory for recovery and lists its segments: moves a legacy single-file log in as segment 0,
 * deletes what an interrupted drop left below a gap in the ids, and creates segment 0 in a new directory.
 */
function prepareSegmentDirectory(dir: string, options: SegmentOptions, recovery: RecoveryReport): { id: number; path: string }[] {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    syncDirectory(dirname(dir));
  }
  let files = listSegments(dir);
  const legacy = options.legacyFile;
  if (legacy && existsSync(legacy)) {
    if (files.length > 0) {
      throw new LogWriteError(`both ${legacy} (a single-file log) and segments in ${dir} exist: move one of them away`);
    }
    // One rename: after a crash the log is either still the old file or already segment 0.
    renameSync(legacy, join(dir, segmentFileName(0)));
    syncDirectory(dir);
    syncDirectory(dirname(legacy));
    recovery.migratedFrom = legacy;
    files = listSegments(dir);
  }
  let gap = -1;
  for (let i = 1; i < files.length; i++) if (files[i]!.id !== files[i - 1]!.id + 1) gap = i;
  if (gap > 0) {
    // A drop deletes newest first: the segments below the gap are the rest of what it was dropping.
    for (const file of files.slice(0, gap)) unlinkSync(file.path);
    syncDirectory(dir);
    recovery.removedSegments = gap;
    files = files.slice(gap);
  }
  if (files.length === 0) {
    const path = join(dir, segmentFileName(0));
    closeSync(openSync(path, "wx"));
    syncDirectory(dir);
    files = [{ id: 0, path }];
  } else if (files.length === 1 && files[0]!.id > 0 && statSync(files[0]!.path).size === 0) {
    throw new LogWriteError(`${dir} holds only the empty segment ${files[0]!.id}: its earlier segments are missing`);
  }
  return files;
}

/** Records in a segment (past its descriptor). */
async function countRecords(segment: Segment): Promise<number> {
  const handle = await open(segment.path, "r");
  try {
    let count = 0;
    await scanRecords(handle, 0, segment.end - segment.base, (_record, offset) => {
      if (segment.id === 0 || offset > 0) count++;
    });
    return count;
  } finally {
    await handle.close();
  }
}

/** Every record of the log at `path` (a segment directory or a single file), descriptors left out; reads it all. */
export async function readAllRecords(path: string): Promise<unknown[]> {
  const files = statSync(path).isDirectory() ? listSegments(path) : [{ id: 0, path }];
  const records: unknown[] = [];
  for (const file of files) {
    const decoded = decodeRecords(await readFile(file.path));
    records.push(...(file.id > 0 ? decoded.records.slice(1) : decoded.records));
  }
  return records;
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

async function syncDirectoryAsync(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } catch (error) {
    // As in `syncDirectory`: a filesystem without directory fsync.
    if ((error as NodeJS.ErrnoException).code !== "EINVAL" && (error as NodeJS.ErrnoException).code !== "ENOTSUP") throw error;
  } finally {
    await handle.close();
  }
}
