#!/usr/bin/env node
// Makes sure a Chromium is on this machine for the browser tests (simulations/test/report.browser.test.ts drives it
// through playwright-core; `npx playwright install` cannot download browsers here). Looks at CHROMIUM_PATH, then
// /usr/bin/chromium; when neither is there and we are root on a machine with apt-get (a fresh Debian, CI), installs
// the Debian package `chromium` (apt-get update, then install without recommends; quiet, the apt output is printed
// only if it fails). Otherwise exits 1 saying what to do. Prints the browser's path and version on stdout.
// Usage: `node tools/ensure-chromium.mjs` (npm runs it before `test:ts`); `--check` only looks, never installs.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where the Debian package puts the browser. */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** The one command that fixes a missing browser (quoted in every error about it). */
export const ENSURE_COMMAND = "node tools/ensure-chromium.mjs";

const isExecutable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false; // missing or not executable: both mean "not usable here"
  }
};

/**
 * The Chromium to use: CHROMIUM_PATH when set (it must then exist: a wrong setting is an error, never silently
 * replaced), else /usr/bin/chromium when present, else undefined.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string | undefined}
 */
export function findChromium(env = process.env) {
  const configured = env.CHROMIUM_PATH?.trim();
  if (configured) {
    if (!isExecutable(configured)) throw new Error(`CHROMIUM_PATH=${configured} is not an executable file`);
    return configured;
  }
  return isExecutable(DEFAULT_CHROMIUM_PATH) ? DEFAULT_CHROMIUM_PATH : undefined;
}

/** Runs a command quietly; on failure throws with the tail of its output. */
function run(command, args) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} ${args.join(" ")} could not start`, { cause: result.error });
  if (result.status !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split("\n").slice(-30).join("\n");
    throw new Error(`${command} ${args.join(" ")} exited ${result.status ?? result.signal}:\n${tail}`);
  }
}

function version(path) {
  const result = spawnSync(path, ["--version"], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${path} --version exited ${result.status ?? result.signal}: ${result.stderr}`);
  return result.stdout.trim();
}

function main(argv) {
  const checkOnly = argv.includes("--check");
  let path = findChromium();
  if (!path) {
    const root = process.getuid?.() === 0;
    const apt = existsSync("/usr/bin/apt-get");
    if (checkOnly || !root || !apt) {
      throw new Error(
        `no Chromium at ${DEFAULT_CHROMIUM_PATH} and CHROMIUM_PATH is not set; ` +
          (checkOnly
            ? `run \`${ENSURE_COMMAND}\` to install it`
            : !apt
              ? "this machine has no apt-get: install Chromium and set CHROMIUM_PATH to it"
              : "not root: run `sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium`, or set CHROMIUM_PATH"),
      );
    }
    const started = Date.now();
    console.log("ensure-chromium: installing the Debian package chromium (apt-get update, install --no-install-recommends)");
    // Wait for another apt (another job on the same machine) instead of failing on its lock.
    const lock = ["-o", "DPkg::Lock::Timeout=300"];
    run("apt-get", [...lock, "-qq", "update"]);
    run("apt-get", [...lock, "-qq", "-y", "--no-install-recommends", "install", "chromium"]);
    path = findChromium();
    if (!path) throw new Error(`apt-get installed chromium but ${DEFAULT_CHROMIUM_PATH} is not there`);
    console.log(`ensure-chromium: installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`ensure-chromium: ${path} (${version(path)})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`ensure-chromium: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
