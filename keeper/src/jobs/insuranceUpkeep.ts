/**
 * Insurance upkeep: keeps the InsurancePool's books current without anyone's permission.
 *
 * - Expired policies. A policy's unused limit stays in the pool's exposure (and holds capital back from
 *   underwriters) until someone calls `releasePolicy` after its `claimsUntil`. The job indexes `PolicyBought` and
 *   `PolicyReleased`; for each unreleased policy whose period ended, it reads the live cover and, once
 *   `claimsUntil` has passed, sends `releasePolicy` (work key `release-policy:<chainId>:<pool>:<policyId>`).
 * - Withdrawal queue. Underwriters queue shares (`requestWithdraw`) and must come back after the cooldown. The job
 *   indexes the queue (`WithdrawRequested`, `WithdrawCancelled` and ERC-4626 `Withdraw` make it re-read the owner's
 *   request) and, for each matured request that free capital can pay (`previewRedeem(maxRedeem(owner)) > 0`: never
 *   burns shares for nothing), sends `completeWithdrawFor(owner)`, which pays the owner only (work key
 *   `complete-withdraw:<chainId>:<pool>:<owner>:<unlockAt>:<redeemable shares>`).
 *
 * The index lives in the keeper's state file (schema v3) after a durable cursor (`block:hash`); a cursor block that
 * left the chain (a reorg) makes the scan step back `reorgDepth` blocks, and re-indexing is idempotent. Another
 * keeper, or the owner, doing the work first is found by the simulation (a revert) and costs no gas.
 */
import { encodeFunctionData, parseEventLogs, type Address, type Hex } from "viem";
import { insuranceAddresses, insurancePoolAbi, isCogFiError, toCogFiError, type CogFiErrorName } from "@cogfi/sdk";
import type { Job, JobContext } from "./job.js";
import { scanFromCursor } from "./eventScan.js";

export type InsuranceUpkeepOptions = {
  intervalMs: number;
  /** Release policies whose claims window closed. */
  releasePolicies: boolean;
  /** Complete matured withdrawals for their owners. */
  completeWithdrawals: boolean;
  /** Most transactions a pass sends (releases and withdrawals together). */
  maxTransactionsPerPass: number;
  fromBlock: bigint;
  logChunkBlocks: bigint;
  reorgDepth: bigint;
};

const JOB = "insurance-upkeep";

export class InsuranceUpkeepJob implements Job {
  readonly name = JOB;
  readonly intervalMs: number;
  private readonly counts = { passes: 0, released: 0, withdrawalsCompleted: 0, skipped: 0, failed: 0 };
  private lastScannedBlock?: bigint;
  private lastFailure?: string;
  private book: { openPolicies: number; releasedPolicies: number; queuedWithdrawals: number } = { openPolicies: 0, releasedPolicies: 0, queuedWithdrawals: 0 };

  constructor(private readonly options: InsuranceUpkeepOptions) {
    this.intervalMs = options.intervalMs;
  }

  status() {
    return { ...this.counts, ...this.book, lastScannedBlock: this.lastScannedBlock?.toString(), lastFailure: this.lastFailure };
  }

  async run(context: JobContext): Promise<void> {
    const { client, store } = context;
    const pool = insuranceAddresses(client).insurancePool;
    const head = await client.publicClient.getBlock({ blockTag: "latest" });
    await this.scan(context, pool, head.number);
    const now = Number(head.timestamp);
    let budget = this.options.maxTransactionsPerPass;
    if (this.options.releasePolicies) {
      for (const policy of store.endedPolicies(pool, now)) {
        if (budget <= 0) break;
        if (await this.release(context, pool, policy.policyId, now)) budget--;
      }
    }
    if (this.options.completeWithdrawals) {
      for (const request of store.maturedWithdrawals(pool, now)) {
        if (budget <= 0) break;
        if (await this.completeWithdrawal(context, pool, request.owner as Address)) budget--;
      }
    }
    const policies = store.policyCounts(pool);
    this.book = { openPolicies: policies.open, releasedPolicies: policies.released, queuedWithdrawals: store.withdrawals(pool).length };
    this.counts.passes++;
  }

  /** Releases one ended policy if its claims window closed; true when a transaction was sent. */
  private async release(context: JobContext, pool: Address, policyId: bigint, now: number): Promise<boolean> {
    const { client, log, metrics, sender, signal, store } = context;
    try {
      const [policy, cover] = await Promise.all([
        client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "getPolicy", args: [policyId] }),
        client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "policyCover", args: [policyId] }),
      ]);
      if (policy.released) {
        store.markPolicyReleased(pool, policyId);
        return false;
      }
      if (now < cover.claimsUntil) return false;
      // Simulated first: someone else's release (even in the mempool) reverts here, for free.
      await client.publicClient.simulateContract({ address: pool, abi: insurancePoolAbi, functionName: "releasePolicy", args: [policyId], account: sender.address });
      const data = encodeFunctionData({ abi: insurancePoolAbi, functionName: "releasePolicy", args: [policyId] });
      const outcome = await sender.send({ workKey: `release-policy:${client.deployment.chainId}:${pool.toLowerCase()}:${policyId}`, kind: "release-policy", to: pool, data }, signal);
      if (outcome.status === "reverted") {
        this.counts.failed++;
        log.warn({ policyId, hash: outcome.hash }, "policy release reverted on chain (released by someone else first)");
        return true;
      }
      const [event] = parseEventLogs({ abi: insurancePoolAbi, logs: outcome.receipt.logs, eventName: "PolicyReleased" });
      store.markPolicyReleased(pool, policyId);
      this.counts.released++;
      metrics.upkeep.inc({ action: "release-policy" });
      log.info({ policyId, unusedLimit: event?.args.unusedLimit, hash: outcome.hash }, "policy released");
      return true;
    } catch (error) {
      return this.failed(context, error, "releasePolicy", "PolicyNotReleasable", { policyId });
    }
  }

  /** Completes one matured withdrawal that free capital can pay; true when a transaction was sent. */
  private async completeWithdrawal(context: JobContext, pool: Address, owner: Address): Promise<boolean> {
    const { client, log, metrics, sender, signal, store } = context;
    try {
      const request = await client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "withdrawRequestOf", args: [owner] });
      store.setWithdrawal(pool, owner, request.shares, request.unlockAt);
      if (request.shares === 0n) return false;
      const redeemable = await client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "maxRedeem", args: [owner] });
      // No free capital, or only dust of the share price: nothing worth a transaction (it would burn shares for 0).
      const assets = redeemable === 0n ? 0n : await client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "previewRedeem", args: [redeemable] });
      if (assets === 0n) return false;
      await client.publicClient.simulateContract({ address: pool, abi: insurancePoolAbi, functionName: "completeWithdrawFor", args: [owner], account: sender.address });
      const data = encodeFunctionData({ abi: insurancePoolAbi, functionName: "completeWithdrawFor", args: [owner] });
      const workKey = `complete-withdraw:${client.deployment.chainId}:${pool.toLowerCase()}:${owner.toLowerCase()}:${request.unlockAt}:${redeemable}`;
      const outcome = await sender.send({ workKey, kind: "complete-withdraw", to: pool, data }, signal);
      if (outcome.status === "reverted") {
        this.counts.failed++;
        log.warn({ owner, hash: outcome.hash }, "withdrawal completion reverted on chain (the owner or another keeper first)");
        return true;
      }
      const [event] = parseEventLogs({ abi: insurancePoolAbi, logs: outcome.receipt.logs, eventName: "WithdrawCompletedFor" });
      const after = await client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "withdrawRequestOf", args: [owner] });
      store.setWithdrawal(pool, owner, after.shares, after.unlockAt);
      this.counts.withdrawalsCompleted++;
      metrics.upkeep.inc({ action: "complete-withdraw" });
      log.info({ owner, shares: event?.args.shares, assets: event?.args.assets, left: after.shares, hash: outcome.hash }, "withdrawal completed for its owner");
      return true;
    } catch (error) {
      return this.failed(context, error, "completeWithdrawFor", "NoWithdrawRequest", { owner });
    }
  }

  /** A decoded revert that means "done by someone else" is a skip; anything else is logged and counted. */
  private failed(context: JobContext, error: unknown, functionName: string, doneError: CogFiErrorName, detail: Record<string, unknown>): false {
    const decoded = toCogFiError(error, functionName);
    if (isCogFiError(decoded, doneError) || isCogFiError(decoded, "ERC4626ExceededMaxRedeem")) {
      this.counts.skipped++;
      context.log.info({ ...detail, reason: decoded.message }, `${functionName} not needed any more`);
      return false;
    }
    this.counts.failed++;
    this.lastFailure = decoded.message;
    context.log.warn({ ...detail, err: decoded }, `${functionName} failed`);
    return false;
  }

  /** Indexes the pool's events up to `head` after the durable cursor, stepping back on a reorg. */
  private async scan(context: JobContext, pool: Address, head: bigint): Promise<void> {
    const { client, store } = context;
    const { fromBlock, reorgDepth, logChunkBlocks } = this.options;
    const cursorKey = `events:${pool.toLowerCase()}`;
    const scanned = await scanFromCursor(context, { job: JOB, cursorKey, fromBlock, reorgDepth, logChunkBlocks, label: "insurance" }, head, async (from, to) => {
      const logs = await client.publicClient.getContractEvents({ address: pool, abi: insurancePoolAbi, fromBlock: from, toBlock: to });
      const owners = new Set<Address>();
      const bought: Array<{ pool: string; policyId: bigint; holder: string; end: number }> = [];
      for (const entry of logs) {
        switch (entry.eventName) {
          case "PolicyBought":
            bought.push({ pool, policyId: entry.args.policyId!, holder: entry.args.holder!, end: Number(entry.args.end!) });
            break;
          case "PolicyReleased":
            store.addPolicies(bought.splice(0));
            store.markPolicyReleased(pool, entry.args.policyId!);
            break;
          case "WithdrawRequested":
          case "WithdrawCancelled":
          case "Withdraw":
            owners.add(entry.args.owner!);
            break;
        }
      }
      store.addPolicies(bought);
      // The queue as it stands at `to` (several events of one owner fold into one read).
      for (const owner of owners) {
        const request = await client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "withdrawRequestOf", args: [owner], blockNumber: to });
        store.setWithdrawal(pool, owner, request.shares, request.unlockAt);
      }
    });
    if (scanned !== undefined) this.lastScannedBlock = scanned;
  }
}
