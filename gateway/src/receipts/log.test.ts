import { appendFileSync, existsSync, mkdtempSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fcParams } from "@cogfi/sdk/testing";
import fc from "fast-check";
import { describe, expect, test, vi } from "vitest";
import { AppendLog, decodeRecords, encodeRecord, listSegments, LogWriteError } from "./log.js";

// Lets a test make the inline commit's synchronous write fail (EIO) without touching the disk.
const failWrites = vi.hoisted(() => ({ on: false }));
vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  return {
    ...actual,
    writevSync: (...args: Parameters<typeof actual.writevSync>) => {
      if (failWrites.on) throw Object.assign(new Error("EIO: injected write failure"), { code: "EIO" });
      return actual.writevSync(...args);
    },
  };
});

const tempLog = () => join(mkdtempSync(join(tmpdir(), "cogfi-log-")), "test.log");
const record = fc.record({ k: fc.constantFrom("r", "b"), i: fc.nat(), s: fc.string({ maxLength: 40 }), n: fc.array(fc.integer(), { maxLength: 5 }) });

describe("AppendLog", () => {
  describe.each(["inline", "threadpool"] as const)("commit mode %s", (commitMode) => {
    test("appends durably and recovers every record in order", async () => {
      const path = tempLog();
      const { log } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0, commitMode });
      await Promise.all(Array.from({ length: 200 }, (_, i) => log.append({ i })));
      await log.close();
      const reopened = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0, commitMode });
      expect(reopened.records).toEqual(Array.from({ length: 200 }, (_, i) => ({ i })));
      expect(reopened.recovery.tornBytes).toBe(0);
      await reopened.log.close();
    });

    test("appendAt tells each record's offset, across commits and a reopen, as recovery finds them", async () => {
      const path = tempLog();
      const { log } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0, commitMode });
      const placed: { offset: number; end: number }[] = [];
      for (let round = 0; round < 3; round++) {
        const writes = Array.from({ length: 20 }, (_, i) => log.appendAt({ round, i, pad: "x".repeat(i * 7) }));
        placed.push(...writes.map(({ offset, end }) => ({ offset, end })));
        await Promise.all(writes.map((write) => write.durable));
      }
      await log.close();
      const reopened = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0, commitMode });
      expect(reopened.offsets).toEqual(placed.map((p) => p.offset));
      expect(placed.map((p) => p.end)).toEqual([...placed.slice(1).map((p) => p.offset), reopened.recovery.validBytes]);
      const more = reopened.log.appendAt({ more: true });
      expect(more.offset).toBe(reopened.recovery.validBytes);
      await more.durable;
      await reopened.log.close();
      const bytes = readFileSync(path);
      expect(decodeRecords(bytes.subarray(more.offset)).records).toEqual([{ more: true }]);
    });

    test("group commit: concurrent appends share fsyncs", async () => {
      const path = tempLog();
      const { log } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0, commitMode });
      let commits = 0;
      log.onCommit = () => commits++;
      await Promise.all(Array.from({ length: 500 }, (_, i) => log.append({ i })));
      expect(commits).toBeLessThan(50);
      await log.close();
    });

    test("an append resolves only after its bytes are in the file", async () => {
      const path = tempLog();
      const { log } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 1, commitMode });
      const before = statSync(path).size;
      await log.append({ hello: "world" });
      expect(statSync(path).size).toBe(before + encodeRecord({ hello: "world" }).length);
      await log.close();
    });

  });

  test("inline mode: a failed write rejects every waiting append and stops the log", async () => {
    const path = tempLog();
    const { log } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0, commitMode: "inline" });
    await log.append({ first: 1 });
    failWrites.on = true;
    try {
      const appends = [log.append({ a: 1 }), log.append({ b: 2 })];
      for (const append of appends) await expect(append).rejects.toBeInstanceOf(LogWriteError);
    } finally {
      failWrites.on = false;
    }
    await expect(log.append({ c: 3 })).rejects.toBeInstanceOf(LogWriteError);
    expect(log.failure?.cause).toMatchObject({ code: "EIO" });
    await log.close();
    const reopened = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0 });
    expect(reopened.records).toEqual([{ first: 1 }]);
    await reopened.log.close();
  });

  test("property: any truncation or corruption of the tail recovers exactly the whole records before it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 30 }), fc.nat(), fc.boolean(), async (records, cut, flip) => {
        const path = tempLog();
        const { log } = await AppendLog.open({ path, durability: "write", groupCommitWindowMs: 0 });
        for (const r of records) void log.append(r);
        await log.close();
        const bytes = readFileSync(path);
        const frames = records.map((r) => encodeRecord(r).length);
        const offset = cut % (bytes.length + 1);
        let damaged = Buffer.from(bytes.subarray(0, offset));
        if (flip && offset > 0) {
          // Corrupt one byte of the last (possibly partial) frame.
          damaged = Buffer.from(damaged);
          damaged[offset - 1] = damaged[offset - 1]! ^ 0xff;
        }
        writeFileSync(path, damaged);
        // The records that survive: every whole frame that ends before the damage.
        let end = 0;
        let whole = 0;
        for (const size of frames) {
          if (end + size > offset || (flip && end + size >= offset && offset > 0)) break;
          end += size;
          whole++;
        }
        const recovered = await AppendLog.open({ path, durability: "write", groupCommitWindowMs: 0 });
        expect(recovered.records).toEqual(records.slice(0, whole));
        expect(recovered.recovery.validBytes).toBe(end);
        expect(statSync(path).size).toBe(end);
        if (offset > end) expect(existsSync(recovered.recovery.tornCopyPath!)).toBe(true);
        // The log keeps working after a repair.
        await recovered.log.append({ after: true });
        await recovered.log.close();
        const again = await AppendLog.open({ path, durability: "write", groupCommitWindowMs: 0 });
        expect(again.records).toEqual([...records.slice(0, whole), { after: true }]);
        await again.log.close();
      }),
      fcParams({ numRuns: 60 }),
    );
  });

  test("property: recovery read in chunks of any size finds exactly what decoding the whole file finds", async () => {
    const bigRecord = fc.record({ k: fc.constant("b"), w: fc.array(fc.string({ maxLength: 30 }), { maxLength: 20 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(record, bigRecord), { minLength: 0, maxLength: 25 }),
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.boolean(),
        async (records, chunkBytes, cut, flip) => {
          const path = tempLog();
          const { log } = await AppendLog.open({ path, durability: "write", groupCommitWindowMs: 0 });
          for (const r of records) void log.append(r);
          await log.close();
          const bytes = readFileSync(path);
          const offset = cut % (bytes.length + 1);
          const damaged = Buffer.from(bytes.subarray(0, offset));
          if (flip && offset > 0) damaged[offset - 1] = damaged[offset - 1]! ^ 0xff;
          writeFileSync(path, damaged);
          const expected = decodeRecords(damaged);

          const visited: { record: unknown; offset: number; end: number }[] = [];
          const recovered = await AppendLog.open(
            { path, durability: "write", groupCommitWindowMs: 0 },
            (r, start, end) => visited.push({ record: r, offset: start, end }),
            chunkBytes,
          );
          expect(visited.map((v) => v.record)).toEqual(expected.records);
          expect(visited.map((v) => v.offset)).toEqual(expected.offsets);
          expect(visited.map((v) => v.end)).toEqual([...expected.offsets.slice(1), expected.validBytes].slice(0, visited.length));
          expect(recovered.recovery.validBytes).toBe(expected.validBytes);
          expect(recovered.recovery.tornBytes).toBe(damaged.length - expected.validBytes);
          if (recovered.recovery.tornBytes > 0) {
            expect(readFileSync(recovered.recovery.tornCopyPath!)).toEqual(damaged.subarray(expected.validBytes));
          }
          expect(statSync(path).size).toBe(expected.validBytes);
          await recovered.log.close();
        },
      ),
      fcParams({ numRuns: 80 }),
    );
  });

  test("an error thrown while visiting aborts the open and leaves the file as it was", async () => {
    const path = tempLog();
    const { log } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0 });
    await log.append({ first: 1 });
    await log.close();
    appendFileSync(path, Buffer.from([1, 2, 3])); // a torn tail that a successful open would cut off
    const before = readFileSync(path);
    await expect(
      AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0 }, () => {
        throw new Error("foreign log");
      }),
    ).rejects.toThrow("foreign log");
    expect(readFileSync(path)).toEqual(before);
  });

  test("decodeRecords stops at garbage appended after valid records", () => {
    const good = Buffer.concat([encodeRecord({ a: 1 }), encodeRecord({ b: 2 })]);
    const { records, validBytes } = decodeRecords(Buffer.concat([good, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])]));
    expect(records).toEqual([{ a: 1 }, { b: 2 }]);
    expect(validBytes).toBe(good.length);
  });

  test("a closed log refuses appends", async () => {
    const path = tempLog();
    const { log } = await AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0 });
    await log.append({ ok: 1 });
    await log.close();
    await expect(log.append({ late: 1 })).rejects.toThrow(/closed/);
  });

  test("durability none keeps nothing on disk", async () => {
    const path = tempLog();
    const { log } = await AppendLog.open({ path, durability: "none", groupCommitWindowMs: 0 });
    await log.append({ x: 1 });
    await log.close();
    expect(existsSync(path)).toBe(false);
  });
});

describe("AppendLog segments", () => {
  const tempDirPath = () => join(mkdtempSync(join(tmpdir(), "cogfi-segments-")), "log");
  const openSegmented = (path: string, commitMode: "inline" | "threadpool", maxRecords: number, firstRecords?: (base: number) => unknown[]) =>
    AppendLog.open({ path, durability: "fsync", groupCommitWindowMs: 0, commitMode, segments: { maxBytes: Number.POSITIVE_INFINITY, maxRecords, firstRecords } });
  const settleIo = () => new Promise((resolve) => setTimeout(resolve, 5));

  describe.each(["inline", "threadpool"] as const)("commit mode %s", (commitMode) => {
    test("rolls once the next segment is ready, positions run on across segments, and recovery and scans find every record", async () => {
      const path = tempDirPath();
      const bases: number[] = [];
      const { log } = await openSegmented(path, commitMode, 3, (base) => {
        bases.push(base);
        return [{ first: base }];
      });
      const placed: { record: unknown; offset: number; end: number }[] = [];
      for (let i = 0; i < 40; i++) {
        const record = { i, pad: "y".repeat(i % 9) };
        const write = log.appendAt(record);
        placed.push({ record, offset: write.offset, end: write.end });
        await write.durable;
        if (i % 2 === 1) await settleIo();
      }
      const segments = log.segments;
      expect(segments.length).toBeGreaterThan(5);
      expect(segments.map((s) => s.id)).toEqual([...segments.keys()]);
      // Each segment starts where the previous ends, and its first records were written at that position.
      for (let i = 1; i < segments.length; i++) expect(segments[i]!.base).toBe(segments[i - 1]!.end);
      expect(bases).toEqual(segments.slice(1).map((s) => s.base));
      // Every record's position is where a scan finds it, and the descriptors are never handed out.
      const scanned: { record: unknown; offset: number; end: number }[] = [];
      expect(await log.scan(0, log.size, (record, offset, end) => scanned.push({ record, offset, end }))).toBe(log.size);
      expect(scanned.filter((s) => !("first" in (s.record as object)))).toEqual(placed);
      await log.close();
      const reopened = await openSegmented(path, commitMode, 3);
      expect(reopened.records.filter((r) => !("first" in (r as object)))).toEqual(placed.map((p) => p.record));
      expect(reopened.offsets).toEqual(scanned.map((s) => s.offset));
      expect(reopened.log.size).toBe(placed.at(-1)!.end);
      await reopened.log.close();
      expect(listSegments(path).map((s) => s.id)).toEqual(segments.map((s) => s.id)); // no prepared segment left behind
    });
  });

  test("a drop deletes the sealed segments before a position, never the active one; an interrupted drop is finished at recovery", async () => {
    const path = tempDirPath();
    const { log } = await openSegmented(path, "inline", 2);
    for (let i = 0; i < 30; i++) {
      await log.append({ i });
      await settleIo();
    }
    const segments = log.segments;
    expect(segments.length).toBeGreaterThan(6);
    expect(await log.dropBefore(segments[2]!.base)).toBe(2);
    expect(log.segments[0]!.id).toBe(2);
    expect(await log.dropBefore(Number.MAX_SAFE_INTEGER)).toBe(segments.length - 3);
    expect(log.segments.map((s) => s.id)).toEqual([segments.at(-1)!.id]);
    await log.close();
    const reopened = await openSegmented(path, "inline", 2);
    expect(reopened.records).toEqual(decodeRecords(readFileSync(segments.at(-1)!.path)).records.slice(1));
    expect(reopened.offsets[0]).toBe(segments.at(-1)!.base + encodeRecord({ seg: segments.at(-1)!.id, base: segments.at(-1)!.base }).length);
    for (let i = 0; i < 20; i++) {
      await reopened.log.append({ more: i });
      await settleIo();
    }
    const before = reopened.log.segments;
    expect(before.length).toBeGreaterThan(5);
    await reopened.log.close();
    // A drop of the first four that died after deleting the newest two (it deletes newest first).
    unlinkSync(before[3]!.path);
    unlinkSync(before[2]!.path);
    const recovered = await openSegmented(path, "inline", 2);
    expect(recovered.recovery.removedSegments).toBe(2);
    expect(recovered.log.segments.map((s) => s.id)).toEqual(before.slice(4).map((s) => s.id));
    expect(recovered.log.segments[0]!.base).toBe(before[4]!.base);
    await recovered.log.close();
  });

  test("a segment missing in the middle is refused, not skipped", async () => {
    const path = tempDirPath();
    const { log } = await openSegmented(path, "inline", 2);
    for (let i = 0; i < 12; i++) {
      await log.append({ i });
      await settleIo();
    }
    const segments = log.segments;
    await log.close();
    // Replace segment 2 by a segment that starts elsewhere.
    writeFileSync(segments[2]!.path, encodeRecord({ seg: segments[2]!.id, base: segments[2]!.base + 1 }));
    await expect(openSegmented(path, "inline", 2)).rejects.toThrow(/not where segment 1 ends|damaged/);
  });
});
