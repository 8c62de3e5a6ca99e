/**
 * Oracle upkeep: keeps the price inputs of the lending markets usable.
 *
 * - Observation rings. Every market of the LendingMarket whose oracle is a ShareOracle needs its pool's ring to hold
 *   `requiredCardinality` observations (two TWAP windows at the chain's block time); more windows in use elsewhere
 *   (`twapWindows`: a pool, a window and the chain's block time) need `ceil(window / blockTime) + 1`. When a pool's
 *   `observationCardinalityNext` is short of the largest requirement, the job grows it in transactions of at most
 *   `slotsPerTransaction` new slots (~22k gas a slot), one step per pass, through the keeper's sender (work key
 *   `cardinality:<chainId>:<pool>:<target>`: a restart resumes the step). A ring already large enough costs nothing.
 * - ComputeCostFeed rounds. For every model of the registry, `poke(ledger, modelId)` is simulated; it answers true
 *   only when a round is due (`MIN_ROUND_INTERVAL` elapsed since the last one and new usage recorded), and only
 *   then is it sent (work key `poke:<chainId>:<feed>:<modelId>:<latestRound>`: one round at most per key).
 * - Stale feeds. Each Chainlink-style feed the ShareOracles read (stable/USD and loan/USD, with their `maxAge`) and
 *   the deployment's stablecoin/USD feed (`stablecoinFeedMaxAgeSeconds`) is read at the latest block; its age goes
 *   to a gauge, and a feed older than its limit is logged (warn), counted in `cogfi_keeper_feed_stale` and listed in
 *   `/health` (the keeper is then `degraded`). A ShareOracle with a stale feed stops pricing: its market can neither
 *   borrow nor liquidate.
 *
 * Markets are found from the LendingMarket's `CreateMarket` events (scanned from `fromBlock` once per process, then
 * after the last scanned block); an oracle that is not a ShareOracle (a fixed-price mock) is skipped.
 */
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, encodeFunctionData, isAddressEqual, zeroAddress, type Address, type Hex } from "viem";
import {
  cognitionPoolAbi,
  computeCostFeedAbi,
  lendingMarketAbi,
  mockAggregatorAbi,
  modelRegistryAbi,
  shareOracleAbi,
  type CogFiClient,
} from "@cogfi/sdk";
import type { Job, JobContext } from "./job.js";

export type OracleUpkeepOptions = {
  intervalMs: number;
  /** New observation slots per transaction, at most. */
  slotsPerTransaction: number;
  /** TWAP windows read outside the ShareOracles, each needing its pool's ring to cover it. */
  twapWindows: ReadonlyArray<{ pool: Address; windowSeconds: number; blockTimeSeconds: number }>;
  /** Poke ComputeCostFeed rounds that are due. */
  pokeCostFeed: boolean;
  /** Age after which the deployment's stablecoin/USD feed counts as stale (Chainlink's USDC/USD heartbeat: 24 h). */
  stablecoinFeedMaxAgeSeconds: number;
  /** First block scanned for markets. */
  fromBlock: bigint;
  /** Blocks per log request. */
  logChunkBlocks: bigint;
};

/** A feed past its limit, as `/health` lists it. */
export type StaleFeed = { feed: Address; usedBy: string; ageSeconds: number; maxAgeSeconds: number };

type ShareOracleInfo = { oracle: Address; pool: Address; requiredCardinality: number; feeds: Array<{ feed: Address; maxAgeSeconds: number }> };

const JOB = "oracle-upkeep";

export class OracleUpkeepJob implements Job {
  readonly name = JOB;
  readonly intervalMs: number;
  private readonly oracles = new Map<string, ShareOracleInfo | null>();
  private scannedTo?: bigint;
  private stale: StaleFeed[] = [];
  private readonly counts = { passes: 0, shareOracles: 0, cardinalitySteps: 0, pokes: 0, failures: 0 };
  private pools: Record<string, { required: number; cardinality: number; cardinalityNext: number }> = {};
  private lastFailure?: string;

  constructor(private readonly options: OracleUpkeepOptions) {
    this.intervalMs = options.intervalMs;
  }

  status() {
    return { ...this.counts, pools: this.pools, staleFeeds: this.stale, lastFailure: this.lastFailure };
  }

  /** Feeds older than their limit at the last pass (for `/health`). */
  staleFeeds(): readonly StaleFeed[] {
    return this.stale;
  }

  async run(context: JobContext): Promise<void> {
    const { client } = context;
    const head = await client.publicClient.getBlock({ blockTag: "latest" });
    const oracles = await this.discoverOracles(context, head.number);
    this.counts.shareOracles = oracles.length;
    // Each part is isolated: a failure in one does not stop the others; the pass fails only if one failed.
    const failures: unknown[] = [];
    const part = async (name: string, work: () => Promise<void>) => {
      try {
        await work();
      } catch (error) {
        failures.push(error);
        this.counts.failures++;
        this.lastFailure = `${name}: ${error instanceof Error ? error.message : String(error)}`;
        context.log.warn({ part: name, err: error }, "oracle upkeep part failed");
      }
    };
    await part("feeds", () => this.checkFeeds(context, oracles, head.timestamp));
    await part("cardinality", () => this.growRings(context, oracles));
    if (this.options.pokeCostFeed) await part("cost-feed", () => this.pokeCostFeed(context));
    this.counts.passes++;
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} part(s) of the oracle upkeep failed`);
  }

  /** ShareOracles of the markets created up to `head`. */
  private async discoverOracles(context: JobContext, head: bigint): Promise<ShareOracleInfo[]> {
    const { client } = context;
    const lendingMarket = client.deployment.contracts.LendingMarket as Address | undefined;
    if (lendingMarket) {
      let from = this.scannedTo === undefined ? this.options.fromBlock : this.scannedTo + 1n;
      while (from <= head) {
        const to = from + this.options.logChunkBlocks - 1n < head ? from + this.options.logChunkBlocks - 1n : head;
        const logs = await client.publicClient.getContractEvents({ address: lendingMarket, abi: lendingMarketAbi, eventName: "CreateMarket", fromBlock: from, toBlock: to });
        for (const log of logs) {
          const oracle = log.args.marketParams!.oracle;
          if (!this.oracles.has(oracle.toLowerCase())) this.oracles.set(oracle.toLowerCase(), await readShareOracle(client, oracle));
        }
        this.scannedTo = to;
        from = to + 1n;
      }
    }
    return [...this.oracles.values()].filter((info): info is ShareOracleInfo => info !== null);
  }

  private async checkFeeds(context: JobContext, oracles: readonly ShareOracleInfo[], now: bigint): Promise<void> {
    const { client, log, metrics } = context;
    const watched = new Map<string, { feed: Address; maxAgeSeconds: number; usedBy: string[] }>();
    const watch = (feed: Address, maxAgeSeconds: number, usedBy: string) => {
      const entry = watched.get(feed.toLowerCase()) ?? { feed, maxAgeSeconds, usedBy: [] };
      // Several users: the strictest limit counts.
      entry.maxAgeSeconds = Math.min(entry.maxAgeSeconds, maxAgeSeconds);
      entry.usedBy.push(usedBy);
      watched.set(feed.toLowerCase(), entry);
    };
    const stablecoinFeed = client.deployment.contracts.StablecoinUsdFeed as Address | undefined;
    if (stablecoinFeed) watch(stablecoinFeed, this.options.stablecoinFeedMaxAgeSeconds, "deployment:StablecoinUsdFeed");
    for (const info of oracles) for (const { feed, maxAgeSeconds } of info.feeds) watch(feed, maxAgeSeconds, `ShareOracle:${info.oracle}`);
    const stale: StaleFeed[] = [];
    for (const { feed, maxAgeSeconds, usedBy } of watched.values()) {
      const [, , , updatedAt] = await client.publicClient.readContract({ address: feed, abi: mockAggregatorAbi, functionName: "latestRoundData" });
      const ageSeconds = Number(now > updatedAt ? now - updatedAt : 0n);
      metrics.feedAge.set({ feed }, ageSeconds);
      const isStale = ageSeconds > maxAgeSeconds;
      metrics.feedStale.set({ feed }, isStale ? 1 : 0);
      if (isStale) {
        stale.push({ feed, usedBy: usedBy.join(","), ageSeconds, maxAgeSeconds });
        log.warn({ feed, ageSeconds, maxAgeSeconds, usedBy }, "stale price feed: the oracles reading it stop pricing");
      }
    }
    this.stale = stale;
  }

  /** One step (at most `slotsPerTransaction` slots) for every pool whose ring is short. */
  private async growRings(context: JobContext, oracles: readonly ShareOracleInfo[]): Promise<void> {
    const { client, log, metrics, sender, signal } = context;
    const required = new Map<string, { pool: Address; required: number }>();
    const need = (pool: Address, cardinality: number) => {
      const entry = required.get(pool.toLowerCase());
      if (!entry || entry.required < cardinality) required.set(pool.toLowerCase(), { pool, required: cardinality });
    };
    for (const info of oracles) need(info.pool, info.requiredCardinality);
    for (const { pool, windowSeconds, blockTimeSeconds } of this.options.twapWindows) need(pool, Math.ceil(windowSeconds / blockTimeSeconds) + 1);
    const pools: typeof this.pools = {};
    for (const { pool, required: target } of required.values()) {
      const [, , , cardinality, cardinalityNext] = await client.publicClient.readContract({ address: pool, abi: cognitionPoolAbi, functionName: "slot0" });
      pools[pool] = { required: target, cardinality, cardinalityNext };
      metrics.observationCardinality.set({ pool, kind: "next" }, cardinalityNext);
      metrics.observationCardinality.set({ pool, kind: "required" }, target);
      if (cardinalityNext >= target) continue;
      const step = Math.min(target, cardinalityNext + this.options.slotsPerTransaction);
      const data = encodeFunctionData({ abi: cognitionPoolAbi, functionName: "increaseObservationCardinalityNext", args: [step] });
      const outcome = await sender.send({ workKey: `cardinality:${client.deployment.chainId}:${pool.toLowerCase()}:${step}`, kind: "cardinality", to: pool, data }, signal);
      if (outcome.status === "reverted") throw new Error(`growing the ring of ${pool} to ${step} reverted (${outcome.hash})`);
      this.counts.cardinalitySteps++;
      metrics.upkeep.inc({ action: "cardinality" });
      pools[pool] = { required: target, cardinality, cardinalityNext: step };
      log.info({ pool, from: cardinalityNext, to: step, required: target, hash: outcome.hash }, "observation ring grown");
    }
    this.pools = pools;
  }

  /** Pokes every model's cost feed whose round is due. */
  private async pokeCostFeed(context: JobContext): Promise<void> {
    const { client, log, metrics, sender, signal } = context;
    const contracts = client.deployment.contracts;
    const feed = contracts.ComputeCostFeed as Address | undefined;
    const ledger = contracts.InferenceLedger as Address | undefined;
    if (!feed || !ledger) return;
    const models = await client.publicClient.readContract({ address: contracts.ModelRegistry as Address, abi: modelRegistryAbi, functionName: "modelCount" });
    for (let modelId = 1n; modelId <= models; modelId++) {
      // The contract decides whether a round is due (interval passed and new usage): ask it first, for free.
      const { result: due } = await client.publicClient.simulateContract({ address: feed, abi: computeCostFeedAbi, functionName: "poke", args: [ledger, modelId], account: sender.address });
      if (!due) continue;
      const round = await client.publicClient.readContract({ address: feed, abi: computeCostFeedAbi, functionName: "latestRound", args: [ledger, modelId] });
      const data = encodeFunctionData({ abi: computeCostFeedAbi, functionName: "poke", args: [ledger, modelId] });
      const outcome = await sender.send({ workKey: `poke:${client.deployment.chainId}:${feed.toLowerCase()}:${modelId}:${round}`, kind: "poke", to: feed, data }, signal);
      if (outcome.status === "reverted") throw new Error(`poke of model ${modelId} reverted (${outcome.hash})`);
      this.counts.pokes++;
      metrics.upkeep.inc({ action: "poke" });
      log.info({ modelId, round: round + 1n, hash: outcome.hash }, "cost feed round recorded");
    }
  }
}

/** The oracle's pool, ring requirement and feeds, or null when it is not a ShareOracle. */
async function readShareOracle(client: CogFiClient, oracle: Address): Promise<ShareOracleInfo | null> {
  const read = <F extends "pool" | "requiredCardinality" | "stableUsdFeed" | "loanUsdFeed">(functionName: F) =>
    client.publicClient.readContract({ address: oracle, abi: shareOracleAbi, functionName });
  let pool: Address;
  let requiredCardinality: number;
  try {
    [pool, requiredCardinality] = await Promise.all([read("pool") as Promise<Address>, read("requiredCardinality") as Promise<number>]);
  } catch (error) {
    // Not a ShareOracle (a fixed-price mock: the calls revert or return nothing); an RPC failure is rethrown.
    const notOne = error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionZeroDataError || e instanceof ContractFunctionRevertedError);
    if (notOne) return null;
    throw error;
  }
  const [stable, loan] = (await Promise.all([read("stableUsdFeed"), read("loanUsdFeed")])) as Array<readonly [Hex, number]>;
  const feeds = [stable!, loan!]
    .filter(([feed]) => !isAddressEqual(feed, zeroAddress))
    .map(([feed, maxAgeSeconds]) => ({ feed: feed as Address, maxAgeSeconds: Number(maxAgeSeconds) }));
  return { oracle, pool, requiredCardinality, feeds };
}
