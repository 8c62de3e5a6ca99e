import type { Address } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { inferenceLedgerAbi, inferenceLedgerLensAbi, modelRegistryAbi, modelShareAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";

export type GetModelRevenueParameters = {
  modelId: bigint;
  /** Whose claimable revenue to read; defaults to the model's owner at `blockNumber`. */
  holder?: Address;
  /** The block every figure is read at; defaults to the latest block, fixed once before any read. */
  blockNumber?: bigint;
  /**
   * First block of the ledger's `RevenueRouted` logs summed into `ownRevenue` and the royalty figures; defaults to
   * the deployment's block, so that they cover the model's whole history (narrow it where an RPC caps log ranges).
   */
  fromBlock?: bigint;
};

export type GetModelRevenueReturnType = {
  /** The block every figure below was read at, and its timestamp. */
  blockNumber: bigint;
  timestamp: bigint;
  modelId: bigint;
  owner: Address;
  share: Address;
  /** 0 for a base model. */
  parentId: bigint;
  royaltyBps: bigint;
  /** Whose `claimable` this is. */
  holder: Address;
  /**
   * What the sessions of this model, every buyer's, were charged on settlement (the ledger's `UsageStats.charged`):
   * the protocol and submitter fees, `royaltiesPaid` and `ownRevenue` together.
   */
  settled: bigint;
  /** The part of this model's settled revenue the ledger deposited into its own share. */
  ownRevenue: bigint;
  /** The part of this model's settled revenue the ledger routed up to its ancestors' shares. */
  royaltiesPaid: bigint;
  /** Revenue deposited into this model's share from its derivatives' settlements (their royalties). */
  royaltiesReceived: bigint;
  /** Everything deposited into the share: `ownRevenue + royaltiesReceived`, plus any direct `depositRevenue`. */
  deposited: bigint;
  /** Deposited and released to holders (claimed or not). */
  released: bigint;
  /** Deposited and not yet released: it streams in until `streamEnd`. */
  streaming: bigint;
  /** When `streaming` is fully released (each deposit restarts a full period). */
  streamEnd: bigint;
  /** The share's `REVENUE_STREAM_PERIOD`, in seconds (a deployment parameter). */
  streamPeriod: bigint;
  /** What `holder` can claim: its pro-rata part of `released` since it last claimed, rounded down. */
  claimable: bigint;
};

export type GetModelRevenueErrorType = CogFiContractError<"UnknownModel"> | CogFiError;

/**
 * Where a model's revenue stands, every figure read at one block: what its sessions were charged, how it was
 * routed (own part, royalties paid up and received), how much of its share's revenue is released or still
 * streaming, and what a holder (by default the owner) can claim. All figures cover every buyer's traffic.
 * @example
 * const revenue = await getModelRevenue(client, { modelId: 2n });
 * console.log(formatUnits(revenue.settled, 6), formatUnits(revenue.royaltiesPaid, 6), formatUnits(revenue.claimable, 6));
 */
export async function getModelRevenue(
  client: CogFiClient,
  { modelId, holder, blockNumber, fromBlock }: GetModelRevenueParameters,
): Promise<GetModelRevenueReturnType> {
  return readOrThrow("getModelRevenue", async () => {
    const { publicClient, deployment } = client;
    const block = await publicClient.getBlock(blockNumber === undefined ? {} : { blockNumber });
    const at = block.number;
    const [owner, share, parentId, royaltyBps] = await publicClient.readContract({
      address: deployment.contracts.ModelRegistry,
      abi: modelRegistryAbi,
      functionName: "lineageOf",
      args: [modelId],
      blockNumber: at,
    });
    const { inferenceLedger, inferenceLedgerLens } = ledgerAddresses(client);
    const readShare = <name extends "releasedRevenue" | "streamingRevenue" | "streamEnd" | "REVENUE_STREAM_PERIOD">(functionName: name) =>
      publicClient.readContract({ address: share, abi: modelShareAbi, functionName, blockNumber: at });
    const routed = (args: { fromModelId: bigint } | { toModelId: bigint }) =>
      publicClient.getContractEvents({
        address: inferenceLedger,
        abi: inferenceLedgerAbi,
        eventName: "RevenueRouted",
        args,
        fromBlock: fromBlock ?? BigInt(deployment.deployedAtBlock),
        toBlock: at,
        strict: true,
      });
    const [stats, released, streaming, streamEnd, streamPeriod, claimable, routedFrom, routedTo] = await Promise.all([
      publicClient.readContract({ address: inferenceLedgerLens, abi: inferenceLedgerLensAbi, functionName: "usageStats", args: [modelId], blockNumber: at }),
      readShare("releasedRevenue"),
      readShare("streamingRevenue"),
      readShare("streamEnd"),
      readShare("REVENUE_STREAM_PERIOD"),
      publicClient.readContract({ address: share, abi: modelShareAbi, functionName: "claimable", args: [holder ?? owner], blockNumber: at }),
      routed({ fromModelId: modelId }),
      routed({ toModelId: modelId }),
    ]);
    let ownRevenue = 0n;
    let royaltiesPaid = 0n;
    for (const { args } of routedFrom) {
      if (args.toModelId === modelId) ownRevenue += args.amount;
      else royaltiesPaid += args.amount;
    }
    const royaltiesReceived = routedTo.reduce((sum, { args }) => (args.fromModelId === modelId ? sum : sum + args.amount), 0n);
    return {
      blockNumber: at,
      timestamp: block.timestamp,
      modelId,
      owner,
      share,
      parentId,
      royaltyBps,
      holder: holder ?? owner,
      settled: stats.charged,
      ownRevenue,
      royaltiesPaid,
      royaltiesReceived,
      deposited: released + streaming,
      released,
      streaming,
      streamEnd,
      streamPeriod,
      claimable,
    };
  });
}
