/** The ChainReader backed by the sdk's actions (getSession, getModel, the registries' views). */
import {
  getKeyGateway,
  inferenceLedgerAbi,
  getModel,
  getSession,
  getSettledBatches,
  insurancePoolAbi,
  isCogFiError,
  modelRegistryAbi,
  toCogFiError,
  type CogFiClient,
} from "@cogfi/sdk";
import type { ChainReader } from "./types.js";

/**
 * The per-request terms of an insured session (`InsurancePool.sessionCover`, written when the session opened). The
 * ledger's coverage is the pool of the deployment; a session's policy id cannot be read without it.
 */
async function sessionPolicy(
  client: CogFiClient,
  sessionId: bigint,
  policyId: bigint,
  blockNumber: bigint,
): Promise<{ policyId: bigint; strikeTokens: bigint; limitTokens: bigint }> {
  const pool = client.deployment.contracts.InsurancePool;
  if (!pool) throw toCogFiError(new Error(`session ${sessionId} is insured (policy ${policyId}) but the deployment has no InsurancePool`), "session");
  try {
    const cover = await client.publicClient.readContract({ address: pool, abi: insurancePoolAbi, functionName: "sessionCover", args: [sessionId], blockNumber });
    return { policyId, strikeTokens: BigInt(cover.strikeTokens), limitTokens: BigInt(cover.limitTokens) };
  } catch (error) {
    throw toCogFiError(error, "sessionCover");
  }
}

export function createSdkChainReader(client: CogFiClient): ChainReader {
  return {
    async head() {
      try {
        const block = await client.publicClient.getBlock({ blockTag: "latest" });
        return { number: block.number, timestamp: block.timestamp };
      } catch (error) {
        throw toCogFiError(error, "head");
      }
    },
    async blockHash(blockNumber) {
      try {
        return (await client.publicClient.getBlock({ blockNumber })).hash;
      } catch (error) {
        throw toCogFiError(error, "blockHash");
      }
    },
    async session(sessionId, blockNumber) {
      const session = await getSession(client, { sessionId, blockNumber });
      if (!session) return undefined;
      const policy = session.policyId === 0n ? undefined : await sessionPolicy(client, sessionId, session.policyId, blockNumber);
      return {
        sessionId,
        modelId: session.modelId,
        buyer: session.buyer,
        gatewayId: session.gatewayId,
        budget: session.budget,
        spent: session.spent,
        lastSequence: session.lastSequence,
        expiry: session.expiry,
        closed: session.closed,
        ...(policy ? { policy } : {}),
      };
    },
    async model(modelId, blockNumber) {
      try {
        const model = await getModel(client, { modelId, blockNumber });
        return { modelId, name: model.name, owner: model.owner, parentId: model.parentId, paused: model.paused, pricing: model.pricing };
      } catch (error) {
        if (isCogFiError(error, "UnknownModel")) return undefined;
        throw error;
      }
    },
    keyGateway(key, modelId, blockNumber) {
      return getKeyGateway(client, { key, modelId, blockNumber });
    },
    async closeRequest(sessionId) {
      try {
        const logs = await client.publicClient.getContractEvents({
          address: client.deployment.contracts.InferenceLedger,
          abi: inferenceLedgerAbi,
          eventName: "SessionCloseRequested",
          args: { sessionId },
          fromBlock: BigInt(client.deployment.deployedAtBlock),
          toBlock: "latest",
        });
        const last = logs.at(-1);
        return last ? { blockNumber: last.blockNumber, refundableAt: last.args.refundableAt! } : undefined;
      } catch (error) {
        throw toCogFiError(error, "closeRequest");
      }
    },
    settledBatches(gatewayId, blockNumber) {
      return getSettledBatches(client, { gatewayId, blockNumber });
    },
    async modelCount(blockNumber) {
      try {
        return await client.publicClient.readContract({
          address: client.deployment.contracts.ModelRegistry,
          abi: modelRegistryAbi,
          functionName: "modelCount",
          blockNumber,
        });
      } catch (error) {
        throw toCogFiError(error, "modelCount");
      }
    },
  };
}
