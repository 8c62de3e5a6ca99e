/**
 * Liquidation: watches every borrower of the LendingMarket and liquidates the unhealthy ones through the
 * FlashLiquidator (the seized shares are sold in the share's CognitionPool inside the liquidation: no capital).
 *
 * Index. Borrowers come from the market's `Borrow` events, scanned after a durable cursor (block number and hash).
 * If the cursor's block is no longer canonical (a reorg), the scan steps back `reorgDepth` blocks and rescans;
 * adding a known borrower again changes nothing. Positions themselves are read from the chain at one block per pass
 * (health with the sdk's math through `getPosition`) and recorded with that block, so a reorg can make a read stale
 * but never wrong for long.
 *
 * Decision, per unhealthy position: seize all its collateral if one liquidation may (that realizes any bad debt),
 * else repay all its debt; if selling that much in the pool does not cover the repayment, try 1/2, 1/4, 1/8 of it.
 * A candidate is sent when its simulated profit covers its gas cost (at the network's fee, valued with
 * `nativeTokenPriceUsd`, the loan token taken as USD-pegged) plus `profitBufferBps`; the transaction carries that
 * bound as `minProfit`, so a worse fill reverts rather than loses. With `realizeBadDebt`, a liquidation that takes
 * the last collateral of an insolvent position is sent even at a loss of gas, so the loss reaches the suppliers now
 * rather than stranding (Morpho's bot leaves it by default). All candidates of a pass are sent at once (the sender
 * orders their nonces), so they can land in the same block.
 *
 * Deep reorgs: each pass first runs the sender's finality watch (`TxSender.checkFinality`). A liquidation a reorg
 * deeper than the confirmation depth took off the chain reopens its work; the pass marks it taken up and then, like
 * every pass, re-reads the position and judges it anew (healthy by now, another size, unprofitable...): the dropped
 * transaction is never re-sent as it was. Counted in `cogfi_keeper_deep_reorgs_total`.
 *
 * Work key `liquidate:<chainId>:<marketId>:<borrower>:<borrowShares>`: a restart resumes a liquidation in flight;
 * a later liquidation of the same position (fewer borrow shares) is new work.
 */
import { encodeFunctionData, isAddressEqual, parseEventLogs, zeroAddress, type Address, type Hex } from "viem";
import {
  flashLiquidatorAbi,
  getPosition,
  isCogFiError,
  lendingAddresses,
  lendingMarketAbi,
  toCogFiError,
  type CogFiClient,
  type GetPositionReturnType,
  type MarketParams,
} from "@cogfi/sdk";
import type { Job, JobContext } from "./job.js";
import { scanFromCursor } from "./eventScan.js";

export type LiquidationOptions = {
  intervalMs: number;
  /** Fee tier of the pools the seized shares are sold in. */
  poolFee: number;
  /** Margin over the gas cost a liquidation's profit must clear, in basis points. */
  profitBufferBps: number;
  /** USD price of the chain's native token, to value gas in the (USD-pegged) loan token. */
  nativeTokenPriceUsd: number;
  /** Liquidate an insolvent position's last collateral even when gas exceeds the profit (realizes the bad debt). */
  realizeBadDebt: boolean;
  /** First block to scan for borrowers (the deployment's). */
  fromBlock: bigint;
  /** Blocks per `eth_getLogs` request. */
  logChunkBlocks: bigint;
  /** How far back to rescan when the cursor's block left the chain. */
  reorgDepth: bigint;
};

/** What happened to one unhealthy position in a pass. */
export type LiquidationOutcome =
  | { kind: "liquidated"; seized: bigint; repaidAssets: bigint; badDebt: boolean; hash: Hex }
  | { kind: "unprofitable"; reason: string }
  | { kind: "reverted"; hash: Hex }
  /** Healthy by the time it was simulated: another keeper liquidated it (even one still in the mempool), or the price came back. */
  | { kind: "skipped"; reason: string }
  | { kind: "failed"; error: string };

type Candidate = { seizedAssets: bigint; repaidShares: bigint; profit: bigint; gas: bigint; realizesBadDebt: boolean };

const JOB = "liquidation";
const SLICES = [1n, 2n, 4n, 8n];

export class LiquidationJob implements Job {
  readonly name = JOB;
  readonly intervalMs: number;
  private readonly counts = { passes: 0, watched: 0, unhealthy: 0, liquidated: 0, unprofitable: 0, reverted: 0, skipped: 0, failed: 0, reorged: 0 };
  private lastScannedBlock?: bigint;
  private lastFailure?: string;

  constructor(private readonly options: LiquidationOptions) {
    this.intervalMs = options.intervalMs;
  }

  status() {
    return { ...this.counts, lastScannedBlock: this.lastScannedBlock?.toString(), lastFailure: this.lastFailure };
  }

  async run(context: JobContext): Promise<void> {
    const { client, store, log, sender } = context;
    await sender.checkFinality();
    for (const work of store.reorgedWork("liquidate")) {
      log.warn({ workKey: work.key, detail: work.detail }, "deep reorg: a confirmed liquidation left the chain; its position is re-read and judged again");
      store.setWorkStatus(work.key, "void", `${work.detail}; re-judged`);
      this.counts.reorged++;
    }
    const head = await client.publicClient.getBlock({ blockTag: "latest" });
    await this.scanBorrowers(context, head.number);
    const markets = new Map<string, MarketParams>();
    const unhealthy: GetPositionReturnType[] = [];
    for (const { market, borrower } of store.positions()) {
      const params = markets.get(market) ?? (await marketParams(client, market as Hex));
      markets.set(market, params);
      const position = await getPosition(client, { marketParams: params, user: borrower as Address, blockNumber: head.number });
      store.recordPosition({ market, borrower, borrowShares: position.borrowShares, collateral: position.collateral, healthFactor: position.healthFactor, block: head.number });
      if (!position.healthy && position.borrowShares > 0n) unhealthy.push(position);
    }
    this.counts.passes++;
    this.counts.watched = store.positions().length;
    this.counts.unhealthy = unhealthy.length;
    if (unhealthy.length > 0) log.info({ unhealthy: unhealthy.length, block: head.number }, "unhealthy positions");
    const outcomes = await Promise.all(unhealthy.map((position) => this.liquidate(position, context)));
    for (const outcome of outcomes) this.counts[outcome.kind]++;
  }

  /** Liquidates one unhealthy position if it pays (or realizes bad debt, when configured). */
  async liquidate(position: GetPositionReturnType, context: JobContext): Promise<LiquidationOutcome> {
    const { client, log, metrics, sender, signal } = context;
    const workKey = `liquidate:${client.deployment.chainId}:${position.id}:${position.user.toLowerCase()}:${position.borrowShares}`;
    const { flashLiquidator } = lendingAddresses(client);
    try {
      const gasCostLoan = await this.gasCostInLoanUnits(client, position.params.loanToken);
      const candidate = await this.bestCandidate(position, context);
      if (!candidate) {
        metrics.liquidations.inc({ outcome: "unprofitable" });
        return { kind: "unprofitable", reason: "no sale of the seized collateral covers the repayment" };
      }
      const required = (candidate.gas * gasCostLoan * BigInt(10_000 + this.options.profitBufferBps)) / 10_000n;
      const pays = candidate.profit >= required;
      if (!pays && !(candidate.realizesBadDebt && this.options.realizeBadDebt)) {
        metrics.liquidations.inc({ outcome: "unprofitable" });
        return { kind: "unprofitable", reason: `profit ${candidate.profit} below gas and buffer ${required}` };
      }
      const data = encodeLiquidation(position, candidate, this.options.poolFee, pays ? required : 0n, sender.address);
      const outcome = await sender.send({ workKey, kind: "liquidate", to: flashLiquidator, data }, signal);
      if (outcome.status === "reverted") {
        metrics.liquidations.inc({ outcome: "reverted" });
        log.warn({ borrower: position.user, market: position.id, hash: outcome.hash }, "liquidation reverted on chain (another keeper first, or the pool moved)");
        return { kind: "reverted", hash: outcome.hash };
      }
      const event = parseEventLogs({ abi: lendingMarketAbi, logs: outcome.receipt.logs, eventName: "Liquidate" })[0];
      const badDebt = (event?.args.badDebtAssets ?? 0n) > 0n;
      metrics.liquidations.inc({ outcome: badDebt ? "bad-debt" : "liquidated" });
      log.info(
        { borrower: position.user, market: position.id, seized: event?.args.seizedAssets, repaid: event?.args.repaidAssets, badDebt: event?.args.badDebtAssets, hash: outcome.hash },
        "position liquidated",
      );
      return { kind: "liquidated", seized: event?.args.seizedAssets ?? 0n, repaidAssets: event?.args.repaidAssets ?? 0n, badDebt, hash: outcome.hash };
    } catch (error) {
      if (isCogFiError(error, "HealthyPosition")) {
        metrics.liquidations.inc({ outcome: "skipped" });
        log.info({ borrower: position.user, market: position.id }, "position healthy when simulated (liquidated by someone else, or the price came back)");
        return { kind: "skipped", reason: "HealthyPosition" };
      }
      metrics.liquidations.inc({ outcome: "error" });
      log.warn({ borrower: position.user, market: position.id, err: error }, "liquidation failed");
      this.lastFailure = error instanceof Error ? error.message : String(error);
      return { kind: "failed", error: this.lastFailure };
    }
  }

  /** The largest slice of the position whose sale covers the repayment, simulated at the latest block. */
  private async bestCandidate(position: GetPositionReturnType, context: JobContext): Promise<Candidate | undefined> {
    const { client, sender } = context;
    const { flashLiquidator } = lendingAddresses(client);
    const takesAll = position.seizableCollateral >= position.collateral;
    for (const slice of SLICES) {
      const whole = slice === 1n;
      const seizedAssets = takesAll ? position.collateral / slice : whole ? 0n : position.seizableCollateral / slice;
      const repaidShares = takesAll || !whole ? 0n : position.borrowShares;
      if (seizedAssets === 0n && repaidShares === 0n) continue;
      const args = [position.params, position.user, seizedAssets, repaidShares, this.options.poolFee, 0n, sender.address] as const;
      try {
        const { result } = await client.publicClient.simulateContract({ address: flashLiquidator, abi: flashLiquidatorAbi, functionName: "liquidate", args, account: sender.address });
        const gas = await client.publicClient.estimateContractGas({ address: flashLiquidator, abi: flashLiquidatorAbi, functionName: "liquidate", args, account: sender.address });
        return { seizedAssets, repaidShares, profit: result[2], gas, realizesBadDebt: takesAll && whole };
      } catch (error) {
        const decoded = toCogFiError(error, "liquidate");
        // A sale that does not cover the repayment: try a smaller one. Anything else ends the search.
        if (!isCogFiError(decoded, "Unprofitable")) throw decoded;
      }
    }
    return undefined;
  }

  /** Gas at the network's current max fee, in loan-token units per unit of gas. */
  private async gasCostInLoanUnits(client: CogFiClient, loanToken: Address): Promise<bigint> {
    const [{ maxFeePerGas }, decimals] = await Promise.all([
      client.publicClient.estimateFeesPerGas(),
      client.publicClient.readContract({ address: loanToken, abi: erc20DecimalsAbi, functionName: "decimals" }),
    ]);
    // wei per gas x (USD per native token, in millionths) x 10^decimals / 10^18 / 10^6.
    const priceMicros = BigInt(Math.round(this.options.nativeTokenPriceUsd * 1e6));
    return (maxFeePerGas * priceMicros * 10n ** BigInt(decimals)) / 10n ** 24n + 1n;
  }

  /** Adds the borrowers of `Borrow` events up to `head` to the watched positions, surviving reorgs. */
  private async scanBorrowers(context: JobContext, head: bigint): Promise<void> {
    const { client, store } = context;
    const { lendingMarket } = lendingAddresses(client);
    const { fromBlock, reorgDepth, logChunkBlocks } = this.options;
    const scanned = await scanFromCursor(context, { job: JOB, cursorKey: "borrowers", fromBlock, reorgDepth, logChunkBlocks, label: "borrower" }, head, async (from, to) => {
      const logs = await client.publicClient.getContractEvents({ address: lendingMarket, abi: lendingMarketAbi, eventName: "Borrow", fromBlock: from, toBlock: to });
      store.addPositions(logs.map((entry) => ({ market: entry.args.id!, borrower: entry.args.onBehalf! })));
    });
    if (scanned !== undefined) this.lastScannedBlock = scanned;
  }
}

const erc20DecimalsAbi = [{ type: "function", name: "decimals", stateMutability: "view", inputs: [], outputs: [{ type: "uint8" }] }] as const;

async function marketParams(client: CogFiClient, id: Hex): Promise<MarketParams> {
  const { lendingMarket } = lendingAddresses(client);
  const [loanToken, collateralToken, oracle, irm, lltv] = await client.publicClient.readContract({
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "idToMarketParams",
    args: [id],
  });
  if (isAddressEqual(loanToken, zeroAddress)) throw new Error(`market ${id} does not exist`);
  return { loanToken, collateralToken, oracle, irm, lltv };
}

function encodeLiquidation(position: GetPositionReturnType, candidate: Candidate, poolFee: number, minProfit: bigint, receiver: Address): Hex {
  return encodeFunctionData({
    abi: flashLiquidatorAbi,
    functionName: "liquidate",
    args: [position.params, position.user, candidate.seizedAssets, candidate.repaidShares, poolFee, minProfit, receiver],
  });
}
