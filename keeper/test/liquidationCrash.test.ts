/**
 * `kill -9` in the middle of a liquidation, on a real `cogfi-keeper run` process: a crashed oracle makes a position
 * liquidatable while blocks are held (automine off), so the keeper's liquidation waits in the mempool.
 *
 * 1. The node refuses every broadcast (an RPC proxy answers 502 to eth_sendRawTransaction): the keeper records its
 *    signed liquidation and cannot broadcast it; it is killed there, as if between recording and broadcasting.
 * 2. Restarted on a working RPC, it broadcasts the recorded bytes and is killed again, the transaction in the pool.
 * 3. Restarted while it is still pending: the keeper signs nothing new; one block later the liquidation is confirmed,
 *    once, with the hash signed in step 1, the keeper's nonce moved by one, the position recorded as done.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { parseUnits, type Hash } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getPosition, lendingAddresses, lendingMarketAbi, marketId } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, rpc } from "@cogfi/sdk/node";
import { BORROWER, setOraclePrice, startLendingChain, type LendingChain, type TestMarket } from "../../sdk/test/lending/harness.js";
import { KeeperStore } from "../src/state/store.js";
import { deploymentsDirFor } from "./gatewayProcess.js";
import { CRASH_PRICE, openMarketWithPositions } from "./lendingFixture.js";
import { KeeperProcesses } from "./keeperProcess.js";
import { startRpcProxy, type RpcProxy } from "./rpcProxy.js";

const KEEPER_KEY = ANVIL_PRIVATE_KEYS[8]!;
const keeperAddress = privateKeyToAccount(KEEPER_KEY).address;

let chain: LendingChain;
let market: TestMarket;
let deploymentsDir: string;
let refusing: RpcProxy;
const keepers = new KeeperProcesses();

type InFlight = { workKey: string; hash: Hash; nonce: number; status: string };
type Status = { inFlight: InFlight[]; jobs: Array<{ name: string; details?: { liquidated?: number; unhealthy?: number; passes?: number } }> };

/** Starts `cogfi-keeper run` (liquidation only) on `rpcUrl`; resolves once its HTTP API listens. */
function startKeeperProcess(rpcUrl: string, dataDir: string) {
  return keepers.start(["run", "--rpc-url", rpcUrl, "--chain-id", "31337", "--deployments-dir", deploymentsDir, "--data-dir", dataDir, "--port", "0"], {
    COGFI_KEEPER_PRIVATE_KEY: KEEPER_KEY,
    COGFI_LIQUIDATION_INTERVAL_MS: "200",
    COGFI_KEEPER_TX_POLL_MS: "50",
    COGFI_KEEPER_RPC_RETRIES: "1",
    COGFI_LOG_LEVEL: "info",
  });
}

const kill9 = (child: ChildProcess) => keepers.kill9(child);

async function status(url: string): Promise<Status> {
  return (await (await fetch(`${url}/status`)).json()) as Status;
}

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, ms = 45_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const keeperNonce = () => chain.reader.publicClient.getTransactionCount({ address: keeperAddress, blockTag: "latest" });
const automine = (on: boolean) => rpc(chain.rpcUrl, "evm_setAutomine", [on]);
/** The keeper's transactions waiting in the node's pool, by hash. */
async function pooled(): Promise<Hash[]> {
  const content = (await rpc(chain.rpcUrl, "txpool_content")) as { pending: Record<string, Record<string, { hash: Hash }>> };
  const mine = Object.entries(content.pending).find(([from]) => from.toLowerCase() === keeperAddress.toLowerCase())?.[1] ?? {};
  return Object.values(mine).map((tx) => tx.hash);
}
async function liquidations() {
  return chain.reader.publicClient.getContractEvents({
    address: lendingAddresses(chain.reader).lendingMarket,
    abi: lendingMarketAbi,
    eventName: "Liquidate",
    args: { id: marketId(market.marketParams) },
    fromBlock: 0n,
  });
}

beforeAll(async () => {
  chain = await startLendingChain();
  market = await openMarketWithPositions(chain, "killed", [{ account: BORROWER, debt: parseUnits("1000", 6) }]);
  deploymentsDir = deploymentsDirFor(chain.deployment);
  refusing = await startRpcProxy({ target: chain.rpcUrl, failRate: 0, maxDelayMs: 0, alwaysFail: (method) => method === "eth_sendRawTransaction" });
}, 180_000);
afterAll(async () => {
  keepers.killAll();
  await automine(true).catch(() => undefined);
  await refusing?.stop();
  await chain?.stop();
});

describe("cogfi-keeper killed mid-liquidation", () => {
  test("killed after recording and before broadcasting, then with the liquidation in the pool: confirmed once, one nonce, the position done", async () => {
    const dataDir = mkdtempSync(resolve(tmpdir(), "cogfi-keeper-liq-"));
    const nonceBefore = await keeperNonce();
    const borrower = chain.accounts[BORROWER]!.address;
    await setOraclePrice(chain, market.oracle, CRASH_PRICE);
    expect((await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower })).healthy).toBe(false);
    await automine(false);

    // 1. Recorded, never broadcast (every broadcast refused): killed there.
    let keeper = await startKeeperProcess(refusing.url, dataDir);
    const [recorded] = (await until(() => status(keeper.url), (s) => s.inFlight.some((tx) => tx.workKey.startsWith("liquidate:")), "a liquidation recorded")).inFlight;
    await kill9(keeper.child);
    expect(recorded).toMatchObject({ status: "signed", nonce: nonceBefore });
    expect(recorded!.workKey).toContain(borrower.toLowerCase());
    expect(await pooled()).toEqual([]);
    expect(await keeperNonce()).toBe(nonceBefore);

    // 2. Restarted on a working RPC: the recorded bytes are broadcast (same hash); killed again, the liquidation pending.
    keeper = await startKeeperProcess(chain.rpcUrl, dataDir);
    await until(() => status(keeper.url), (s) => s.inFlight.some((tx) => tx.hash === recorded!.hash && tx.status === "sent"), "the recorded liquidation broadcast");
    await kill9(keeper.child);
    expect(await pooled()).toEqual([recorded!.hash]);

    // 3. Restarted with it still pending: passes run (the position still looks unhealthy at the latest block), and
    //    resume the same transaction instead of signing another.
    keeper = await startKeeperProcess(chain.rpcUrl, dataDir);
    const passesAtStart = (await status(keeper.url)).jobs.find((job) => job.name === "liquidation")?.details?.passes ?? 0;
    await until(() => status(keeper.url), (s) => (s.jobs.find((job) => job.name === "liquidation")?.details?.passes ?? 0) >= passesAtStart + 2, "two liquidation passes");
    expect(await pooled()).toEqual([recorded!.hash]);
    await rpc(chain.rpcUrl, "evm_mine");
    await automine(true);
    const done = await until(
      () => status(keeper.url),
      (s) => s.inFlight.length === 0 && s.jobs.find((job) => job.name === "liquidation")?.details?.unhealthy === 0,
      "the liquidation confirmed and the position read healthy",
    );
    expect(done.inFlight).toEqual([]);
    await kill9(keeper.child);

    // On chain: one liquidation, by the transaction signed before the first kill; the keeper's nonce moved by one.
    const events = await liquidations();
    expect(events).toHaveLength(1);
    expect(events[0]!.transactionHash).toBe(recorded!.hash);
    expect(events[0]!.args.borrower).toBe(borrower);
    expect(await keeperNonce()).toBe(nonceBefore + 1);
    expect((await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower })).borrowShares).toBe(0n);

    // The state: the work done with its single transaction; the position recorded with no debt left.
    const store = KeeperStore.open(resolve(dataDir, "keeper.sqlite"));
    try {
      expect(store.work(recorded!.workKey)?.status).toBe("done");
      expect(store.attempts(recorded!.workKey).map(({ hash, nonce, status: state }) => ({ hash, nonce, status: state }))).toEqual([
        { hash: recorded!.hash, nonce: nonceBefore, status: "confirmed" },
      ]);
      expect(store.workCounts()).toEqual([{ kind: "liquidate", status: "done", count: 1 }]);
      expect(store.openAttempts()).toEqual([]);
      const position = store.positions().find((p) => p.borrower === borrower.toLowerCase() && p.market === marketId(market.marketParams).toLowerCase());
      expect(position?.borrowShares).toBe(0n);
    } finally {
      store.close();
    }
  }, 180_000);
});
