import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";
import { readLoggedReceipts } from "../gateway/src/receipts/store.js";
import { freePort, REPO_ROOT, rpc } from "../sdk/src/node/index.js";

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

test("kill -9 of the process that runs npm start leaves no chain behind, and a restart resumes the same chain", async () => {
  const dir = resolve(REPO_ROOT, ".cogfi/start-restart-test");
  rmSync(dir, { recursive: true, force: true });
  const port = await freePort();
  const rpcUrl = `http://127.0.0.1:${port}`;
  const args = ["script/start.ts", "--port", String(port), "--gateway-port", "0", "--keeper-port", "0", "--deployments-dir", dir, "--data-dir", resolve(dir, "data")];
  const tsx = resolve(REPO_ROOT, "node_modules/.bin/tsx");

  // First run: up, serving and settling traffic; then its runner (tsx, what npm start runs) is killed with -9.
  const first = spawn(tsx, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  first.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await until(() => output.includes("CogFi local suite is running"), 120_000, () => output);
  await until(() => /\[status\] requests [1-9]/.test(output) || output.includes('"msg":"ready"'), 30_000, () => output);
  await new Promise((r) => setTimeout(r, 3_000)); // a few requests served, receipts signed
  const deployment = readFileSync(resolve(dir, "31337.json"), "utf8");
  first.kill("SIGKILL");

  // Nothing keeps running: the script notices it lost its runner and stops the suite, anvil saves the chain.
  await until(async () => (await rpc(rpcUrl, "eth_chainId").then(() => false, () => true)), 30_000, () => output);
  expect(existsSync(resolve(dir, "data/anvil-state.json")), "the chain was saved").toBe(true);

  // The gateway's data dir as a version before receipt log segments left it: the log in one file, receipts.log
  // (segment 0 has that file's format). The restart moves it in and keeps every receipt.
  const gatewayDir = resolve(dir, "data/gateway");
  expect(readdirSync(resolve(gatewayDir, "receipts"))).toEqual(["0000000000.seg"]);
  renameSync(resolve(gatewayDir, "receipts/0000000000.seg"), resolve(gatewayDir, "receipts.log"));
  rmSync(resolve(gatewayDir, "receipts"), { recursive: true });
  const receiptsBefore = await readLoggedReceipts(resolve(gatewayDir, "receipts.log"));
  expect(receiptsBefore.length).toBeGreaterThan(0);

  // Second run on the same directories: the same chain and deployment, nothing registered twice, traffic settles.
  const { stdout } = await run(tsx, [...args, "--exit-when-ready"], { cwd: REPO_ROOT, timeout: 120_000 });
  expect(existsSync(resolve(gatewayDir, "receipts.log"))).toBe(false);
  expect((await readLoggedReceipts(resolve(gatewayDir, "receipts"))).slice(0, receiptsBefore.length)).toEqual(receiptsBefore);
  expect(stdout).toContain('"msg":"local chain resumed"');
  expect(stdout).not.toContain('"msg":"suite deployed"');
  expect(readFileSync(resolve(dir, "31337.json"), "utf8"), "no second deployment").toBe(deployment);
  expect(stdout).toMatch(/model #1 cogito-8b\s+share 0x[0-9a-fA-F]{40}/);
  expect(stdout).toContain('"msg":"traffic settled on chain"');
  expect(stdout).toContain('"msg":"stopped"');
}, 300_000);

/** Polls `condition` until it holds; fails with `context()` after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, context: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; output:\n${context().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
