import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { freePort, REPO_ROOT } from "../sdk/src/node/index.js";

const run = promisify(execFile);

test("npm start brings the suite up, registers the demo models and shuts down cleanly", async () => {
  const dir = resolve(REPO_ROOT, ".cogfi/start-test");
  rmSync(dir, { recursive: true, force: true });
  const port = await freePort();
  const { stdout } = await run(
    resolve(REPO_ROOT, "node_modules/.bin/tsx"),
    ["script/start.ts", "--port", String(port), "--gateway-port", "0", "--keeper-port", "0", "--deployments-dir", dir, "--data-dir", resolve(dir, "data"), "--exit-when-ready"],
    { cwd: REPO_ROOT, timeout: 120_000 },
  );
  expect(stdout).toContain("CogFi local suite is running");
  expect(stdout).toMatch(/model #1 cogito-8b\s+share 0x[0-9a-fA-F]{40}/);
  expect(stdout).toMatch(/model #2 cogito-8b-legal\s+share 0x[0-9a-fA-F]{40}\s+\(fine-tune of #1/);
  expect(stdout).toMatch(/pool cogito-8b\s+0x[0-9a-fA-F]{40}\s+\(0\.3%; owner sold 20000 shares/);
  expect(stdout).toContain('"msg":"traffic settled on chain"');
  expect(stdout).toContain('"msg":"stopped"');
  const deployment = JSON.parse(readFileSync(resolve(dir, "31337.json"), "utf8"));
  expect(deployment.chainId).toBe(31337);
  expect(existsSync(resolve(dir, "31337.json"))).toBe(true);
  for (const address of Object.values(deployment.contracts)) expect(stdout).toContain(address as string);
});
