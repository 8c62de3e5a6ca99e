/**
 * `npm start`: the whole CogFi suite on an embedded local chain.
 * Starts anvil, deploys with script/Deploy.s.sol (writing deployments/31337.json), registers two demo models
 * (a base model and a fine-tune of it), starts the inference gateway (simulated backend, dev enclave registered
 * on chain) and the keeper (relaying signed receipts to the ledger), sends demo traffic as a buyer, prints the
 * addresses and a status line every 15 s, and runs until Ctrl-C, then shuts down cleanly.
 *
 * Lending (script/demoLending.ts): on a new chain, each demo model gets a self-repaying lending market (its share as
 * collateral, the mock stablecoin lent, a ShareOracle on its pool, the LLTV and the borrow cap's share of the pool's
 * liquidity cap that `cogfi-sim search` recommends, sdk/src/recommended-params.json);
 * anvil account 5 supplies 20,000 mUSD to each and the model's owner borrows against 10,000 of its shares. Every
 * 15 s the status tick calls `settleRevenue` for each borrower, so the revenue credited to its shares repays its
 * debt, and prints each market's totals and the borrower's position. The oracles need an hour of pool history: on a
 * new chain only, the pools' observation rings are grown and the clock is advanced by two windows before any
 * traffic (see README, "Quick start"). The markets are recorded in <data-dir>/lending.json for a resumed chain.
 *
 * The local chain's model shares stream revenue in over 60 s (`REVENUE_STREAM_PERIOD`, a deployment parameter; a
 * day in production), so the demo's holders see their revenue grow within the first minute. The status line reads
 * every figure through the sdk's `getModelRevenue` at one block: per model, what its sessions were charged
 * (settled), what reached its share, how much of that is released or still streaming, what its owner can claim,
 * and the fine-tune's royalty to its parent.
 *
 * Flags: --port N (anvil, default 8545) --gateway-port N (8787) --keeper-port N (8788) --deployments-dir DIR
 * --data-dir DIR (gateway and keeper state, default .cogfi/local) --verbose (service logs at info)
 * --exit-when-ready (CI smoke runs: exit once the first receipts have settled on chain)
 * --fresh (start a new chain: forget the saved one, its deployment's receipts and the services' state).
 *
 * The chain is kept in <data-dir>/anvil-state.json: a restart, also after `kill -9`, resumes the same chain with its
 * deployment and the gateway's unsettled receipts. anvil runs under the kernel's parent-death signal, so it never
 * outlives this process; a port already in use is refused, never attached to.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { formatUnits, parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startGateway } from "../gateway/src/index.js";
import { startKeeper, type RunningKeeper as RunningKeeperType } from "../keeper/src/index.js";
import {
  cognitionPoolFactoryAbi,
  createCogFiClient,
  getModel,
  getModelRevenue,
  ledgerAddresses,
  registerDerivative,
  registerModel,
  type CogFiClient,
  type Deployment,
} from "../sdk/src/index.js";
import { ANVIL_PRIVATE_KEYS, REPO_ROOT, deploySuite, loadDeployment, rpc, startAnvil } from "../sdk/src/node/index.js";
import {
  loadDemoLending,
  openDemoLendingMarket,
  prepareLendingHistory,
  readDemoLending,
  saveDemoLending,
  settleLendingRevenue,
  type DemoLendingMarket,
} from "./demoLending.js";
import { DEMO_INSURED_PROFILE, openDemoInsurance, readDemoInsurance, seedInsuranceHistory, type DemoInsurance } from "./demoInsurance.js";
import { openDemoMarket, type DemoMarket } from "./demoMarket.js";
import { startDemoTraffic } from "./demoTraffic.js";

const { values: flags } = parseArgs({
  options: {
    port: { type: "string", default: process.env.COGFI_ANVIL_PORT ?? "8545" },
    "gateway-port": { type: "string", default: "8787" },
    "keeper-port": { type: "string", default: "8788" },
    "deployments-dir": { type: "string" },
    "data-dir": { type: "string", default: resolve(REPO_ROOT, ".cogfi/local") },
    verbose: { type: "boolean", default: false },
    "exit-when-ready": { type: "boolean", default: false },
    fresh: { type: "boolean", default: false },
  },
});

function portFlag(name: string, value: string | undefined): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`invalid --${name} ${value}: expected an integer in 0..65535`);
    process.exit(2);
  }
  return port;
}
const port = portFlag("port", flags.port);
const gatewayPort = portFlag("gateway-port", flags["gateway-port"]);
const keeperPort = portFlag("keeper-port", flags["keeper-port"]);
const dataDir = resolve(flags["data-dir"]!);
const deploymentsDir = resolve(flags["deployments-dir"] ?? resolve(REPO_ROOT, "deployments"));
/** The saved chain: anvil loads it at start and writes it every 2 s and when it stops. */
const chainStatePath = resolve(dataDir, "anvil-state.json");
const DEMO_POOL_FEE = 3000;
const serviceLogLevel = flags.verbose ? "info" : "warn";

/** Roles played by anvil's dev accounts in the demo. */
const ROLES = { deployer: 0, baseModelOwner: 1, fineTuner: 2, buyer: 3, keeper: 4, lender: 5, underwriter: 6, historyBuyer: 7 } as const;
const STATUS_INTERVAL_MS = 15_000;
/**
 * The shares' revenue stream period on the local chain, in seconds: the least a share accepts. Under steady
 * traffic, each deposit restarting the stream, holders are paid at the settlement rate with a time constant of one
 * period: with 60 s, revenue is claimable seconds after the first settlement and after a minute about a third of
 * what was settled has been released (with a day, 0.03%). script/Deploy.s.sol keeps a day for every other chain.
 */
const LOCAL_REVENUE_STREAM_PERIOD_SECONDS = 60;
/** --exit-when-ready gives up when both owners have nothing to claim this long after traffic started. */
const READY_TIMEOUT_MS = 90_000;

function log(msg: string, fields: Record<string, unknown> = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), service: "start", msg, ...fields }, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
}

async function registerDemoModels(deployment: Deployment, rpcUrl: string) {
  const clientFor = (index: number): CogFiClient =>
    createCogFiClient({ rpcUrl, deployment, account: privateKeyToAccount(ANVIL_PRIVATE_KEYS[index]!) });
  // $0.20 / $0.80 / $0.80 per million input / output / reasoning tokens.
  const base = await registerModel(clientFor(ROLES.baseModelOwner), {
    name: "cogito-8b",
    metadataURI: "ipfs://cogfi-demo/cogito-8b.json",
    pricing: { inputPerMTok: parseUnits("0.20", 6), outputPerMTok: parseUnits("0.80", 6), reasoningPerMTok: parseUnits("0.80", 6) },
    shareSupply: parseUnits("1000000", 18),
  });
  const fineTune = await registerDerivative(clientFor(ROLES.fineTuner), {
    parentId: base.modelId,
    royaltyBps: 1_500,
    name: "cogito-8b-legal",
    metadataURI: "ipfs://cogfi-demo/cogito-8b-legal.json",
    pricing: { inputPerMTok: parseUnits("0.30", 6), outputPerMTok: parseUnits("1.20", 6), reasoningPerMTok: parseUnits("1.20", 6) },
    shareSupply: parseUnits("500000", 18),
  });
  return { base, fineTune };
}

/** The demo models and pools of a resumed chain, read back from it (they were created by the first run). */
async function findDemo(deployment: Deployment, rpcUrl: string) {
  const reader = createCogFiClient({ rpcUrl, deployment });
  const [base, fineTune] = await Promise.all([getModel(reader, { modelId: 1n }), getModel(reader, { modelId: 2n })]);
  const { CognitionPoolFactory: factory, Stablecoin: stablecoin } = deployment.contracts;
  if (!factory || !stablecoin) throw new Error("the saved chain's deployment has no CognitionPoolFactory or Stablecoin");
  const poolOf = async (share: `0x${string}`): Promise<DemoMarket> => ({
    pool: await reader.publicClient.readContract({
      address: factory,
      abi: cognitionPoolFactoryAbi,
      functionName: "getPool",
      args: [share, stablecoin, DEMO_POOL_FEE],
    }),
    soldShares: 0n,
    receivedStablecoin: 0n,
  });
  const demo = { base: { modelId: base.modelId, share: base.share }, fineTune: { modelId: fineTune.modelId, share: fineTune.share } };
  return { demo, markets: [await poolOf(base.share), await poolOf(fineTune.share)] as const };
}

/** The deployment of the saved chain, or an error that says how to start over. */
async function resumedDeployment(rpcUrl: string): Promise<Deployment> {
  const hint = `start a new chain with \`npm start -- --fresh\` (${chainStatePath} holds the old one)`;
  let deployment: Deployment;
  try {
    deployment = loadDeployment(31337, deploymentsDir);
  } catch (cause) {
    throw new Error(`the saved chain has no deployment file in ${deploymentsDir}: ${hint}`, { cause });
  }
  const code = await rpc<string>(rpcUrl, "eth_getCode", [ledgerAddresses({ deployment }).inferenceLedger, "latest"]);
  if (code === "0x") throw new Error(`${deploymentsDir}/31337.json is not the saved chain's deployment: ${hint}`);
  return deployment;
}

/**
 * anvil does not save its clock's offset with the chain: a resumed chain's next block would take the wall clock's
 * time, which is behind the saved chain's when a new chain's clock was advanced for the lending oracles (see
 * `prepareLendingHistory`), and time would run backwards (interest accrual and TWAPs revert). This continues the
 * clock from the saved chain's last block instead; it adds no history (the time the chain was stopped is not counted).
 */
async function resumeClock(rpcUrl: string): Promise<void> {
  const latest = await rpc<{ timestamp: `0x${string}` }>(rpcUrl, "eth_getBlockByNumber", ["latest", false]);
  const lastSeconds = Number(BigInt(latest.timestamp));
  const nowSeconds = Math.floor(Date.now() / 1000);
  if (lastSeconds >= nowSeconds) {
    await rpc(rpcUrl, "evm_setTime", [lastSeconds + 1]);
    log("clock resumed from the saved chain's last block", { timestamp: lastSeconds + 1, aheadOfWallClockSeconds: lastSeconds + 1 - nowSeconds });
  }
}

/**
 * The processes above this one (the tsx runner, npm, its shell ...) up to init, read from /proc (Linux; empty
 * elsewhere). If one of them dies, even by SIGKILL, this process would keep running as an orphan with its chain and
 * services: `watchAncestors` notices within half a second and shuts the suite down cleanly instead.
 */
function ancestors(): number[] {
  const pids: number[] = [];
  let pid = process.ppid;
  for (let depth = 0; pid > 1 && depth < 8; depth++) {
    pids.push(pid);
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ...", comm may contain spaces: read after the last ')'.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      pid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch (error) {
      // No /proc (not Linux), or the process is already gone: watch what was found.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") break;
      throw error;
    }
  }
  return pids;
}

function watchAncestors(onOrphaned: (pid: number) => void): () => void {
  const watched = ancestors();
  const timer = setInterval(() => {
    for (const pid of watched) {
      try {
        process.kill(pid, 0);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
        clearInterval(timer);
        onOrphaned(pid);
        return;
      }
    }
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}

async function main() {
  if (flags.fresh && existsSync(dataDir)) {
    rmSync(dataDir, { recursive: true, force: true });
    log("fresh chain (--fresh): the saved chain, its receipts and the services' state are removed", { dataDir });
  }
  const resuming = existsSync(chainStatePath);
  if (!resuming && existsSync(dataDir)) {
    // No saved chain (a run before chains were saved, or one removed by hand): receipts and relay cursors here
    // belong to a chain that no longer exists.
    rmSync(dataDir, { recursive: true, force: true });
    log("no saved chain: starting a new one; state left by an older run removed", { dataDir });
  }
  mkdirSync(dataDir, { recursive: true });
  const anvil = await startAnvil({ port, statePath: chainStatePath });
  log(resuming ? "local chain resumed" : "local chain up", { rpcUrl: anvil.rpcUrl, chainId: 31337, state: chainStatePath });
  if (resuming) await resumeClock(anvil.rpcUrl);
  const clientFor = (deployment: Deployment, index: number): CogFiClient =>
    createCogFiClient({ rpcUrl: anvil.rpcUrl, deployment, account: privateKeyToAccount(ANVIL_PRIVATE_KEYS[index]!) });
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log("shutting down", { signal });
    // Reverse start order: traffic, keeper, gateway (flushes and signs its receipts), then the chain (saves itself).
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log("stop failed", { error: String(error) }));
    await anvil.stop();
    log("stopped");
    process.exit(code);
  };
  // `on`, not `once`: a signal can arrive twice (Ctrl-C reaches this process and the tsx runner, which relays it
  // again when this process does not acknowledge it within 30 ms), and with no listener left the second one would
  // end the process on the spot, without stopping the services and saving the chain. `shutdown` runs once.
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  watchAncestors((pid) => {
    log("the process that started npm start is gone: shutting down", { pid });
    void shutdown("orphaned");
  });

  try {
    let deployment: Deployment;
    let demo: Awaited<ReturnType<typeof registerDemoModels>>;
    let baseMarket: DemoMarket;
    let tuneMarket: DemoMarket;
    let lending: DemoLendingMarket[];
    let insurance: DemoInsurance | undefined;
    if (resuming) {
      deployment = await resumedDeployment(anvil.rpcUrl);
      const found = await findDemo(deployment, anvil.rpcUrl);
      demo = found.demo as typeof demo;
      [baseMarket, tuneMarket] = found.markets;
      // The markets the first run opened: never opened again (and the clock never advanced again) on a resumed chain.
      lending = loadDemoLending(dataDir);
      if (lending.length === 0) log("the saved chain has no demo lending markets (start with --fresh for them)", { dataDir });
      log("suite resumed: same deployment, the gateway recovers its unsettled receipts", { contracts: deployment.contracts });
    } else {
      deployment = await deploySuite({
        rpcUrl: anvil.rpcUrl,
        privateKey: ANVIL_PRIVATE_KEYS[ROLES.deployer],
        deploymentsDir,
        env: { REVENUE_STREAM_PERIOD_SECONDS: String(LOCAL_REVENUE_STREAM_PERIOD_SECONDS) },
      });
      log("suite deployed", { contracts: deployment.contracts });
      demo = await registerDemoModels(deployment, anvil.rpcUrl);
      baseMarket = await openDemoMarket(clientFor(deployment, ROLES.baseModelOwner), demo.base.share);
      tuneMarket = await openDemoMarket(clientFor(deployment, ROLES.fineTuner), demo.fineTune.share);
      log("model offerings open", { baseMarket, tuneMarket });
      // A new chain only (this branch): the pools get the observation ring and the hour of history the oracles need.
      await prepareLendingHistory(clientFor(deployment, ROLES.deployer), anvil.rpcUrl, [baseMarket.pool, tuneMarket.pool]);
      lending = [];
      for (const [name, market, owner, share] of [
        ["cogito-8b", baseMarket, ROLES.baseModelOwner, demo.base.share],
        ["cogito-8b-legal", tuneMarket, ROLES.fineTuner, demo.fineTune.share],
      ] as const) {
        lending.push(
          await openDemoLendingMarket({
            name,
            owner: clientFor(deployment, ROLES.deployer),
            lender: clientFor(deployment, ROLES.lender),
            borrower: clientFor(deployment, owner),
            share,
            pool: market.pool,
          }),
        );
      }
      saveDemoLending(dataDir, lending);
      // Insurance: cogito-8b's settled history (the pool quotes from 1,000 requests), an underwriter, a policy.
      await seedInsuranceHistory({
        deployer: clientFor(deployment, ROLES.deployer),
        historyBuyer: clientFor(deployment, ROLES.historyBuyer),
        modelId: demo.base.modelId,
        pricing: (await getModel(clientFor(deployment, ROLES.deployer), { modelId: demo.base.modelId })).pricing,
      });
      insurance = await openDemoInsurance({
        underwriter: clientFor(deployment, ROLES.underwriter),
        buyer: clientFor(deployment, ROLES.buyer),
        modelId: demo.base.modelId,
      });
      log("insurance open", { policyId: insurance.policyId, premium: insurance.premium, terms: insurance.terms });
      log("lending markets open", { markets: lending.map((m) => ({ name: m.name, id: m.id, oracle: m.marketParams.oracle, borrower: m.borrower })) });
    }

    const gateway = await startGateway({
      dataDir: resolve(dataDir, "gateway"),
      http: { port: gatewayPort },
      chain: { rpcUrl: anvil.rpcUrl, deployment },
      enclave: { registrarKey: ANVIL_PRIVATE_KEYS[ROLES.deployer] },
      receipts: { batchMaxDelayMs: 2_000 },
      // cogito-8b, the insured model, thinks with a heavy tail (the profile its settled history was drawn from);
      // the fine-tune keeps the default profile.
      backend: { kind: "simulated", profiles: { "cogito-8b": DEMO_INSURED_PROFILE } },
      logLevel: serviceLogLevel,
    });
    stops.push(() => gateway.stop());
    log("gateway up (dev enclave keys registered on chain)", { url: gateway.url });

    const keeper = await startKeeper({
      rpcUrl: anvil.rpcUrl,
      chainId: deployment.chainId,
      privateKey: ANVIL_PRIVATE_KEYS[ROLES.keeper],
      deploymentsDir,
      dataDir: resolve(dataDir, "keeper"),
      httpPort: keeperPort,
      gatewayUrls: [gateway.url],
      relay: { pollIntervalMs: 1_000 },
      // Upkeep passes often enough to show in the demo's status line; a risk report every 10 minutes (small runs).
      oracleUpkeep: { intervalMs: 15_000 },
      insuranceUpkeep: { intervalMs: 15_000 },
      risk: { enabled: true, intervalMs: 600_000, paths: 20 },
      logLevel: serviceLogLevel,
    });
    stops.push(() => keeper.stop());
    log("keeper up", { url: keeper.url });

    const buyer = clientFor(deployment, ROLES.buyer);
    const traffic = await startDemoTraffic({
      buyer,
      buyerAccount: privateKeyToAccount(ANVIL_PRIVATE_KEYS[ROLES.buyer]),
      gatewayUrl: gateway.url,
      ledger: ledgerAddresses(buyer).inferenceLedger,
      models: [
        // On a new chain the buyer's cogito-8b session is insured; a resumed chain's policy already has its session.
        { modelId: demo.base.modelId, name: "cogito-8b", ...(insurance ? { policyId: insurance.policyId } : {}) },
        { modelId: demo.fineTune.modelId, name: "cogito-8b-legal" },
      ],
      intervalMs: 500,
    });
    stops.push(() => traffic.stop());

    console.log("\nCogFi local suite is running\n");
    console.log(`  RPC                      ${anvil.rpcUrl}  (chain 31337)`);
    for (const [name, address] of Object.entries(deployment.contracts)) console.log(`  ${name.padEnd(24)} ${address}`);
    console.log(`  model #${demo.base.modelId} cogito-8b        share ${demo.base.share}`);
    console.log(`  model #${demo.fineTune.modelId} cogito-8b-legal  share ${demo.fineTune.share}  (fine-tune of #${demo.base.modelId}, 15% royalty)`);
    for (const [name, market] of [["cogito-8b", baseMarket], ["cogito-8b-legal", tuneMarket]] as const) {
      console.log(
        `  pool ${name.padEnd(19)} ${market.pool}  (0.3%` +
          (resuming
            ? "; resumed)"
            : `; owner sold ${formatUnits(market.soldShares, 18)} shares for ${formatUnits(market.receivedStablecoin, 6)} mUSD)`),
      );
    }
    for (const m of lending) console.log(`  lending ${m.name.padEnd(16)} ${m.id}  (oracle ${m.marketParams.oracle}; borrower ${m.borrower})`);
    console.log(`  Gateway (OpenAI API)     ${gateway.url}/v1`);
    // Sessions bind to one gateway (EnclaveRegistry id, one per served model's key): buyers open them with these.
    console.log(`  Gateway ids              cogito-8b #${traffic.gatewayIds[0]}, cogito-8b-legal #${traffic.gatewayIds[1]}`);
    console.log(`  Keeper                   ${keeper.url}/status  (risk report: ${keeper.url}/risk, ${keeper.url}/risk.html)`);
    console.log("\nA demo buyer sends a chat completion every 0.5 s; the keeper settles the signed receipts.");
    console.log("Each settlement streams the model's revenue to its share holders (the owner, the pool's LPs) and, for");
    console.log("the fine-tune, 15% of it to cogito-8b's; the status line below shows it every 15 s.");
    console.log("Each model also has a lending market: a lender supplied mUSD, the model's owner borrowed against its");
    console.log("shares, and every 15 s the revenue credited to those shares repays the owner's debt.");
    if (insurance) {
      console.log(`An underwriter funded the InsurancePool; the buyer's cogito-8b session is insured (policy #${insurance.policyId}: strike`);
      console.log(`2,000 generated tokens, 80% of up to 8,000 above it, the first ${insurance.terms.requests} requests): the pool pays part of`);
      console.log("each heavy request at settlement; the status line shows its claims against the premium (loss ratio).");
    }
    console.log("Press Ctrl-C to stop.\n");
    log("ready", { baseModel: demo.base, fineTune: demo.fineTune, gateway: gateway.url, keeper: keeper.url });

    const reader = createCogFiClient({ rpcUrl: anvil.rpcUrl, deployment });
    /** Debt repaid by revenue per lending market, summed over this run's `settleRevenue` calls. */
    const revenueRepaid = lending.map(() => 0n);
    // Every figure covers every buyer's traffic to the model (the ledger's per-model charges, the share's stream,
    // the owner's pro-rata part of it), read at one block, so settled, released and claimable add up.
    const status = async () => {
      const blockNumber = await reader.publicClient.getBlockNumber();
      const [base, fineTune] = await Promise.all([
        getModelRevenue(reader, { modelId: demo.base.modelId, blockNumber }),
        getModelRevenue(reader, { modelId: demo.fineTune.modelId, blockNumber }),
      ]);
      const markets = await readDemoLending(reader, lending, blockNumber);
      const pool = await readDemoInsurance(reader, blockNumber);
      return { blockNumber, requests: { ...traffic.stats }, base, fineTune, markets, pool };
    };
    const mUsd = (amount: bigint) => formatUnits(amount, 6);
    const printStatus = async () => {
      const s = await status();
      const lines = [
        `[status] requests ${s.requests.ok} ok / ${s.requests.failed} failed; block ${s.blockNumber}; ` +
          `mUSD, revenue streams to share holders over ${s.base.streamPeriod} s`,
      ];
      for (const [name, r] of [["cogito-8b", s.base], ["cogito-8b-legal", s.fineTune]] as const) {
        const routed =
          r.parentId === 0n
            ? `to holders ${mUsd(r.ownRevenue)} + royalties in ${mUsd(r.royaltiesReceived)}`
            : `to holders ${mUsd(r.ownRevenue)}, royalty to #${r.parentId} ${mUsd(r.royaltiesPaid)}`;
        lines.push(
          `  ${name.padEnd(16)} settled ${mUsd(r.settled)} (${routed}); released ${mUsd(r.released)}, ` +
            `streaming ${mUsd(r.streaming)}; owner can claim ${mUsd(r.claimable)}`,
        );
      }
      for (const [i, { market, totals, borrower }] of s.markets.entries()) {
        const health = borrower.healthFactor === 2n ** 256n - 1n ? "inf" : formatUnits(borrower.healthFactor, 18).slice(0, 6);
        lines.push(
          `  lending ${market.name.padEnd(16)} supplied ${mUsd(totals.totalSupplyAssets)}, borrowed ${mUsd(totals.totalBorrowAssets)} ` +
            `(utilization ${formatUnits(totals.utilization * 100n, 18).slice(0, 6)}%, borrow APY ${(totals.borrowApy * 100).toFixed(2)}%); ` +
            `borrower debt ${mUsd(borrower.debt)}, health ${health}, ` +
            `revenue credited ${mUsd((revenueRepaid[i] ?? 0n) + borrower.revenueCredited)} this run (repaid debt ${mUsd(revenueRepaid[i] ?? 0n)})`,
        );
      }
      const { pool } = s;
      lines.push(
        `  insurance pool capital ${mUsd(pool.capital)}: premiums ${mUsd(pool.premiums)}, claims paid ${mUsd(pool.claims)} ` +
          `(loss ratio ${(Number(pool.lossRatioBps) / 100).toFixed(2)}%), exposure ${mUsd(pool.exposure)}, share price ${formatUnits(pool.sharePrice, 6)}`,
      );
      lines.push(`  keeper ${keeperUpkeepLine(keeper.runner.status())}`);
      console.log(lines.join("\n"));
      return s;
    };
    // Each tick first lets the borrowers' credited revenue repay their debt (one transaction per market, from the
    // lender's account, which sends nothing else), then prints the status.
    const settler = clientFor(deployment, ROLES.lender);
    const tick = async () => {
      const repaid = await settleLendingRevenue(settler, lending);
      for (const [i, amount] of repaid.entries()) revenueRepaid[i] = (revenueRepaid[i] ?? 0n) + amount;
      await printStatus();
    };
    let ticking = false;
    const statusTimer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      tick()
        .catch((error: unknown) => log("status tick failed", { error: error instanceof Error ? error.message : String(error) }))
        .finally(() => (ticking = false));
    }, STATUS_INTERVAL_MS);
    stops.unshift(async () => clearInterval(statusTimer));

    if (flags["exit-when-ready"]) {
      // Ready: traffic to both models settled on chain and both owners have revenue to claim.
      const deadline = Date.now() + READY_TIMEOUT_MS;
      for (;;) {
        const s = await printStatus();
        if (s.base.settled > 0n && s.fineTune.settled > 0n && s.base.claimable > 0n && s.fineTune.claimable > 0n) {
          log("traffic settled on chain", {
            requests: s.requests,
            settled: { base: s.base.settled, fineTune: s.fineTune.settled },
            ownerClaimable: { base: s.base.claimable, fineTune: s.fineTune.claimable },
          });
          break;
        }
        if (Date.now() > deadline) throw new Error(`no revenue claimable by both owners within ${READY_TIMEOUT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 1_000));
      }
      await shutdown("exit-when-ready");
    }
  } catch (error) {
    log("startup failed", { error: error instanceof Error ? error.message : String(error) });
    await shutdown("startup-failed", 1);
  }
}

void main();

/** One line of the keeper's upkeep for the status: oracle rings and feeds, insurance books, the latest risk report. */
function keeperUpkeepLine(jobs: ReturnType<RunningKeeperType["runner"]["status"]>): string {
  const details = (name: string) => jobs.find((job) => job.name === name)?.details as Record<string, unknown> | undefined;
  const parts: string[] = [];
  const oracle = details("oracle-upkeep");
  if (oracle) {
    const pools = Object.values((oracle.pools ?? {}) as Record<string, { required: number; cardinalityNext: number }>);
    const covered = pools.filter((pool) => pool.cardinalityNext >= pool.required).length;
    parts.push(`oracles: ${covered}/${pools.length} rings cover their TWAP windows, ${oracle.cardinalitySteps} grown, ${oracle.pokes} cost rounds poked, ${(oracle.staleFeeds as unknown[]).length} stale feeds`);
  }
  const insurance = details("insurance-upkeep");
  if (insurance) parts.push(`insurance: ${insurance.openPolicies} open policies, ${insurance.released} released, ${insurance.withdrawalsCompleted} withdrawals completed, ${insurance.queuedWithdrawals} queued`);
  const risk = details("risk");
  if (risk) parts.push(risk.lastReportBlock ? `risk report at block ${risk.lastReportBlock}` : "risk report pending");
  return parts.join("; ") || "no upkeep jobs";
}
