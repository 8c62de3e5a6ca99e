/**
 * tools/ensure-chromium.mjs, the repo's way to get the browser the report test drives: it takes CHROMIUM_PATH when
 * set, refuses a wrong one (never falls back silently), and `--check` never installs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { findChromium } from "../../tools/ensure-chromium.mjs";

const SCRIPT = join(import.meta.dirname, "..", "..", "tools", "ensure-chromium.mjs");
const ensure = (env: Record<string, string>, ...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, ...env } });

describe("ensure-chromium", () => {
  test("CHROMIUM_PATH wins when it is an executable; a wrong one is an error, not a fallback", () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
    expect(() => findChromium({ CHROMIUM_PATH: "/nonexistent/chromium" })).toThrow("CHROMIUM_PATH=/nonexistent/chromium is not an executable file");
    const plain = join(mkdtempSync(join(tmpdir(), "cogfi-chromium-")), "chromium");
    writeFileSync(plain, "", { mode: 0o644 }); // exists, not executable
    expect(() => findChromium({ CHROMIUM_PATH: plain })).toThrow(`CHROMIUM_PATH=${plain} is not an executable file`);
  });

  test("the script prints the browser it found, and exits 1 with the reason on a bad setting", () => {
    // Any executable answering --version stands in for the browser here.
    const ok = ensure({ CHROMIUM_PATH: process.execPath }, "--check");
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`ensure-chromium: ${process.execPath} (${process.version})\n`);
    const bad = ensure({ CHROMIUM_PATH: "/nonexistent/chromium" }, "--check");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("ensure-chromium: CHROMIUM_PATH=/nonexistent/chromium is not an executable file\n");
  });
});
