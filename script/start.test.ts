import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect, test } from "vitest";
import { readLoggedReceipts } from "../gateway/src/receipts/store.js";
import {
  createCogFiClient,
  getModelRevenue,
  getPoolState,
  RECOMMENDED_PARAMETERS,
  type GetModelRevenueReturnType,
  type GetPoolStateReturnType,
} from "../sdk/src/index.js";
import { ANVIL_PRIVATE_KEYS, freePort, loadDeployment, REPO_ROOT, rpc } from "../sdk/src/node/index.js";
import { DEMO_UNDERWRITING } from "./demoInsurance.js";
import { loadDemoLending, readDemoLending, type DemoLendingStatus } from "./demoLending.js";

const run = promisify(execFile);
/** The share of the premium the demo's claims reach while the test watches (5%). */
const MIN_DEMO_LOSS_RATIO_BPS = 500n;

test("npm start brings the suite up, and within a minute of traffic both model owners have revenue to claim", async () => {
  const dir = resolve(REPO_ROOT, ".cogfi/start-test");
  rmSync(dir, { recursive: true, force: true });
  const port = await freePort();
  // node with tsx's loader rather than the tsx runner: the signal below then reaches the script itself.
  const suite = spawn(
    process.execPath,
    ["--import", "tsx", "script/start.ts", "--port", String(port), "--gateway-port", "0", "--keeper-port", "0", "--deployments-dir", dir, "--data-dir", resolve(dir, "data")],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  suite.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => suite.once("exit", (code) => resolveExit(code)));
  try {
    await until(() => stdout.includes('"msg":"ready"'), 180_000, () => stdout);
    const trafficStartedAt = Date.now();
    expect(stdout).toContain("CogFi local suite is running");
    expect(stdout).toMatch(/model #1 cogito-8b\s+share 0x[0-9a-fA-F]{40}/);
    expect(stdout).toMatch(/model #2 cogito-8b-legal\s+share 0x[0-9a-fA-F]{40}\s+\(fine-tune of #1/);
    expect(stdout).toMatch(/pool cogito-8b\s+0x[0-9a-fA-F]{40}\s+\(0\.3%; owner sold 20000 shares/);
    const deployment = loadDeployment(31337, dir);
    expect(deployment.chainId).toBe(31337);
    for (const address of Object.values(deployment.contracts)) expect(stdout).toContain(address as string);

    // The acceptance point, read on chain through the sdk: within 60 s of traffic both owners can claim revenue.
    // Expected after a few seconds (the first receipts settle within ~5 s); 60 s is the bound the demo promises.
    const reader = createCogFiClient({ rpcUrl: `http://127.0.0.1:${port}`, deployment });
    let revenue: GetModelRevenueReturnType[] = [];
    await until(
      async () => {
        const blockNumber = await reader.publicClient.getBlockNumber();
        revenue = await Promise.all([1n, 2n].map((modelId) => getModelRevenue(reader, { modelId, blockNumber })));
        return revenue.every((r) => r.claimable > 0n);
      },
      60_000,
      () => `${stdout}\nlast read: ${JSON.stringify(revenue, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`,
    );
    const [base, fineTune] = revenue as [GetModelRevenueReturnType, GetModelRevenueReturnType];
    console.log(`both owners can claim revenue ${Date.now() - trafficStartedAt} ms after traffic started`);
    expect(base.owner).toBe(privateKeyToAccount(ANVIL_PRIVATE_KEYS[1]).address);
    expect(fineTune.owner).toBe(privateKeyToAccount(ANVIL_PRIVATE_KEYS[2]).address);
    expect(base.streamPeriod, "the local chain streams revenue over a minute").toBe(60n);
    expect(fineTune.royaltiesPaid, "the fine-tune paid its parent a royalty").toBeGreaterThan(0n);
    expect(base.royaltiesReceived).toBe(fineTune.royaltiesPaid);
    for (const r of [base, fineTune]) {
      // What was settled and not routed to a share is the protocol and submitter fees (3.5% locally).
      expect(r.settled).toBeGreaterThan(r.ownRevenue + r.royaltiesPaid);
      expect(r.claimable).toBeLessThanOrEqual(r.released);
    }

    // Lending, read on chain through the sdk: each demo model has a self-repaying market where a lender supplied
    // mUSD and the model's owner borrowed against its shares, and the owner's debt goes down while traffic runs:
    // the status tick settles the revenue credited to the collateral every 15 s, and it outgrows the interest.
    const lending = loadDemoLending(resolve(dir, "data"));
    expect(lending.map((m) => m.name)).toEqual(["cogito-8b", "cogito-8b-legal"]);
    const readLending = async () => readDemoLending(reader, lending, await reader.publicClient.getBlockNumber());
    const before = await readLending();
    const beforeAt = Date.now();
    for (const [i, { market, totals, borrower }] of before.entries()) {
      expect(market.marketParams.collateralToken).toBe([base.share, fineTune.share][i]);
      expect(market.borrower, "the model's owner borrows").toBe([base.owner, fineTune.owner][i]);
      expect(totals.selfRepaying, "stablecoin loans against a share earning stablecoin").toBe(true);
      expect(totals.totalSupplyAssets).toBeGreaterThanOrEqual(parseUnits("20000", 6));
      expect(totals.totalBorrowAssets).toBeGreaterThan(0n);
      expect(totals.totalBorrowAssets).toBeLessThanOrEqual(totals.borrowCap);
      // The recommended risk parameters (sdk/src/recommended-params.json, docs/risk/recommended-parameters.md).
      expect(market.marketParams.lltv, "the recommended LLTV").toBe(RECOMMENDED_PARAMETERS.lltv);
      expect(market.liquidityBorrowCap).toBeGreaterThan(0n);
      expect(totals.borrowCap, "the recommended share of the liquidity cap").toBe((market.liquidityBorrowCap * RECOMMENDED_PARAMETERS.capUsageBps) / 10_000n);
      expect(borrower.collateral).toBe(parseUnits("10000", 18));
      expect(borrower.debt).toBeGreaterThan(0n);
      expect(borrower.healthy).toBe(true);
    }
    let after: DemoLendingStatus[] = before;
    await until(
      async () => {
        after = await readLending();
        return after.every((s, i) => s.borrower.debt < before[i]!.borrower.debt);
      },
      120_000,
      () => `${stdout}\nlast read: ${after.map((s) => `${s.market.name} debt ${s.borrower.debt}`).join(", ")}`,
    );
    for (const [i, s] of after.entries()) {
      console.log(`${s.market.name}: borrower debt ${before[i]!.borrower.debt} -> ${s.borrower.debt} (6 decimals) in ${Date.now() - beforeAt} ms`);
    }

    // Insurance, read on chain through the sdk: the demo buyer's cogito-8b session is insured, so the pool pays part
    // of its heavy requests at settlement, and the underwriter's share price is the vault's deposit plus the premium
    // less the claims over its shares. The policy insures the first 180 requests (~3 minutes of traffic) and the
    // model's Pareto tail exceeds the strike: the claims reach a visible share of the premium (5%, ~30-60 insured
    // requests in the seeded simulation of the terms) while the test runs.
    let pool: GetPoolStateReturnType | undefined;
    const insuranceAt = Date.now();
    await until(
      async () => {
        pool = await getPoolState(reader);
        return pool.claims > 0n && pool.lossRatioBps >= MIN_DEMO_LOSS_RATIO_BPS;
      },
      150_000,
      () => `${stdout}\nlast read: ${JSON.stringify(pool, (_, v) => (typeof v === "bigint" ? v.toString() : v))}`,
    );
    const insured = pool!;
    console.log(
      `insurance: premiums ${insured.premiums}, claims ${insured.claims} (6 decimals), loss ratio ${insured.lossRatioBps} bps, ` +
        `share price ${insured.sharePrice}, ${Date.now() - insuranceAt} ms after the check began`,
    );
    expect(insured.policyCount).toBe(1n);
    expect(insured.loadingBps, "the deploy script's loading is the recommended one").toBe(RECOMMENDED_PARAMETERS.loadingBps);
    expect(insured.premiums).toBeGreaterThan(0n);
    expect(insured.claims).toBeGreaterThan(0n);
    expect(insured.claims).toBeLessThanOrEqual(insured.premiums);
    expect(insured.lossRatioBps).toBe((insured.claims * 10_000n) / insured.premiums);
    expect(insured.capital).toBe(DEMO_UNDERWRITING + insured.premiums - insured.claims);
    // The underwriter holds every share (1e6 per unit of the first deposit): price = (capital + 1) / (shares + 1e6).
    expect(insured.totalShares).toBe(DEMO_UNDERWRITING * 10n ** 6n);
    expect(insured.sharePrice).toBe((10n ** 12n * (insured.capital + 1n)) / (insured.totalShares + 10n ** 6n));
    expect(insured.sharePrice).toBeGreaterThan(parseUnits("1", 6));
    // The status line shows the pool's claims and a non-zero loss ratio.
    await until(() => /\n\s+insurance pool capital [0-9.]+: premiums [0-9.]+, claims paid [0-9.]*[1-9][0-9.]* \(loss ratio (?!0\.00%)[0-9.]+%\)/.test(stdout), 30_000, () => stdout);

    // The status line shows the same figures per model.
    await until(() => /\[status\] requests [1-9]\d* ok[^\n]*\n\s+cogito-8b\s+settled [0-9.]+ \(to holders[^\n]*owner can claim [0-9.]+\n\s+cogito-8b-legal\s+settled [0-9.]+ \([^\n]*royalty to #1 [0-9.]+[^\n]*\n\s+lending cogito-8b\s+supplied [0-9.]+, borrowed [0-9.]+ \(utilization [^\n]*borrower debt [0-9.]+, health [0-9.]+, revenue credited [0-9.]+[^\n]*\n\s+lending cogito-8b-legal\s+supplied/.test(stdout), 30_000, () => stdout);

    // The keeper's upkeep line: the demo markets' ShareOracle rings cover their TWAP windows, the stable feed is fresh.
    await until(() => /\n\s+keeper oracles: (\d+)\/\1 rings cover their TWAP windows, \d+ grown, \d+ cost rounds poked, \d+ stale feeds; insurance: \d+ open policies/.test(stdout), 30_000, () => stdout);

    // Ctrl-C: the services stop, the chain is saved, the process exits cleanly.
    suite.kill("SIGINT");
    expect(await exited, "exit code").toBe(0);
    expect(stdout).toContain('"msg":"stopped"');
    await expect(rpc(`http://127.0.0.1:${port}`, "eth_chainId"), "anvil stopped with it").rejects.toThrow();
  } finally {
    if (suite.exitCode === null && suite.signalCode === null) suite.kill("SIGKILL");
  }
}, 300_000);

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
  const lending = readFileSync(resolve(dir, "data/lending.json"), "utf8");
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
  // The lending markets are found again, not reopened, and still read on the resumed chain.
  expect(stdout).not.toContain('"msg":"lending markets open"');
  expect(readFileSync(resolve(dir, "data/lending.json"), "utf8"), "the same lending markets").toBe(lending);
  expect(loadDemoLending(resolve(dir, "data")).length).toBe(2);
  // The resumed run's status read them on chain (getMarket, getPosition): supplied and borrowed.
  expect(stdout).toMatch(/lending cogito-8b\s+supplied 20000(\.\d+)?, borrowed [1-9][0-9.]*[^\n]*\n\s+lending cogito-8b-legal\s+supplied 20000/);
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
