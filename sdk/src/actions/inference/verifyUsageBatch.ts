import { recoverAddress, type Address, type Hex } from "viem";
import type { CogFiClient } from "../../client.js";
import { KEY_STATUSES, type KeyStatusName } from "../../constants.js";
import type { CogFiError } from "../../errors.js";
import { enclaveRegistryAbi, inferenceLedgerAbi, inferenceLedgerLensAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import { batchProblem, type UsageBatchProblem } from "../../ledger/batchProblems.js";
import { batchCharges, usageBatchDigest, usageBatchDomain, validateUsageBatch, type SignedUsageBatch } from "../../ledger/receipts.js";
import type { SkippedReceipts } from "../../ledger/types.js";

export { KEY_STATUSES, type KeyStatusName } from "../../constants.js";

export type VerifyUsageBatchParameters = {
  batch: SignedUsageBatch;
  chainId: number | bigint;
  ledger: Address;
  /**
   * With a client: also check the enclave key's status and gateway, the gateway's settled batches and each
   * session's model, gateway and settled sequence on chain.
   */
  client?: CogFiClient;
  blockNumber?: bigint;
};
export type VerifyUsageBatchReturnType = {
  /** True when `settle` would accept the batch now (as far as the checks that ran can tell). */
  valid: boolean;
  digest: Hex;
  /** The recovered signer (undefined for an unrecoverable signature). */
  signer?: Address;
  /** The enclave key's status, when checked on chain. */
  keyStatus?: KeyStatusName;
  /** The key's gateway on chain, when checked (0 for an unknown key). */
  gatewayId?: bigint;
  /** The gateway's settled batches, when checked: the batch settles when its number is this + 1. */
  settledBatches?: bigint;
  /** Receipts `settle` would skip (not a problem: the rest of the batch settles), when checked. */
  skipped: SkippedReceipts[];
  /**
   * Why the batch would be rejected, each by the ledger error it stands for (`kind`) with its details and a log
   * `message`. A `BatchOutOfOrder` with `expected` above `got` means the batch is already settled; below it, that an
   * earlier batch of the gateway must settle first.
   */
  problems: UsageBatchProblem[];
};
export type VerifyUsageBatchErrorType = CogFiError;

/**
 * Verifies a signed batch the way `settle` will: format and signature offline; with a client, the enclave key's
 * status and gateway, the batch's place in the gateway's order, and the sessions on chain. Keepers call it before
 * paying gas; buyers use it to audit.
 * @example
 * const { valid, problems } = await verifyUsageBatch({ batch, chainId: 31337, ledger, client });
 * if (!valid) log.warn({ problems: problems.map((problem) => problem.message) }, "dropping batch");
 */
export async function verifyUsageBatch(parameters: VerifyUsageBatchParameters): Promise<VerifyUsageBatchReturnType> {
  const { batch, chainId, ledger, client, blockNumber } = parameters;
  const problems = validateUsageBatch(batch);
  if (batch.batchNumber < 1n) problems.push(batchProblem({ kind: "BatchOutOfOrder", gatewayId: batch.gatewayId, got: batch.batchNumber }));
  const digest = usageBatchDigest(batch, batch.gatewayId, usageBatchDomain({ chainId, ledger }));
  let signer: Address | undefined;
  try {
    signer = await recoverAddress({ hash: digest, signature: batch.signature });
  } catch {
    // A malformed signature recovers nothing: reported as InvalidSignature below.
    signer = undefined;
  }
  if (!signer || signer.toLowerCase() !== batch.enclave.toLowerCase()) {
    problems.push(batchProblem({ kind: "InvalidSignature", reason: "notEnclave" }));
  }

  let keyStatus: KeyStatusName | undefined;
  let gatewayId: bigint | undefined;
  let settledBatches: bigint | undefined;
  const skipped: SkippedReceipts[] = [];
  if (client) {
    const addresses = ledgerAddresses(client);
    if (addresses.inferenceLedger.toLowerCase() !== ledger.toLowerCase()) {
      problems.push(batchProblem({ kind: "InvalidSignature", reason: "otherLedger" }));
    }
    const [[status, keyGatewayId], settled, sessions] = await readOrThrow("verifyUsageBatch", () =>
      Promise.all([
        client.publicClient.readContract({
          address: addresses.enclaveRegistry,
          abi: enclaveRegistryAbi,
          functionName: "keyGateway",
          args: [batch.enclave, batch.modelId],
          blockNumber,
        }),
        client.publicClient.readContract({
          address: addresses.inferenceLedger,
          abi: inferenceLedgerAbi,
          functionName: "settledBatches",
          args: [batch.gatewayId],
          blockNumber,
        }),
        Promise.all(
          batch.sessionIds.map((sessionId) =>
            client.publicClient.readContract({
              address: addresses.inferenceLedgerLens,
              abi: inferenceLedgerLensAbi,
              functionName: "getSession",
              args: [sessionId],
              blockNumber,
            }),
          ),
        ),
      ]),
    );
    keyStatus = KEY_STATUSES[status] ?? "Unknown";
    gatewayId = keyGatewayId;
    settledBatches = settled;
    if (keyStatus !== "Valid") problems.push(batchProblem({ kind: "InvalidEnclaveKey", status: keyStatus }));
    if (keyGatewayId !== batch.gatewayId) {
      problems.push(batchProblem({ kind: "InvalidSignature", reason: "otherGateway", signedFor: batch.gatewayId, keyGateway: keyGatewayId }));
    } else if (batch.batchNumber !== settled + 1n) {
      problems.push(batchProblem({ kind: "BatchOutOfOrder", gatewayId: batch.gatewayId, got: batch.batchNumber, expected: settled + 1n }));
    }
    sessions.forEach((session, index) => {
      const sessionId = batch.sessionIds[index]!;
      if (session.modelId === 0) problems.push(batchProblem({ kind: "UnknownSession", sessionId }));
      else if (BigInt(session.modelId) !== batch.modelId) problems.push(batchProblem({ kind: "SessionModelMismatch", sessionId }));
    });
    const zero = { inputPerMTok: 0n, outputPerMTok: 0n, reasoningPerMTok: 0n };
    if (problems.length === 0) {
      const groups = batchCharges(batch, zero, undefined, {
        lastSequences: sessions.map((session) => BigInt(session.lastSequence)),
        otherGateway: sessions.map((session) => BigInt(session.gatewayId) !== batch.gatewayId),
      });
      groups.forEach((group, index) => {
        if (group.skipped === 0) return;
        const otherGateway = BigInt(sessions[index]!.gatewayId) !== batch.gatewayId;
        skipped.push({ sessionId: group.sessionId, receipts: BigInt(group.skipped), reason: otherGateway ? "otherGateway" : "stale" });
      });
    }
  }
  return { valid: problems.length === 0, digest, signer, keyStatus, gatewayId, settledBatches, skipped, problems };
}
