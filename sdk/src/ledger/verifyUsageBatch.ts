import { recoverAddress, type Address, type Hex } from "viem";
import type { CogFiClient } from "../client.js";
import type { CogFiError } from "../errors.js";
import { enclaveRegistryAbi, inferenceLedgerAbi, inferenceLedgerLensAbi } from "../generated/abis.js";
import { readOrThrow } from "../internal/write.js";
import { ledgerAddresses } from "./addresses.js";
import { batchCharges, usageBatchDigest, usageBatchDomain, validateUsageBatch, type SignedUsageBatch } from "./receipts.js";
import type { SkippedReceipts } from "./types.js";

/** The EnclaveRegistry's `KeyStatus`, by name. */
export const KEY_STATUSES = [
  "Valid",
  "Unknown",
  "Revoked",
  "WrongModel",
  "VerifierReplaced",
  "Expired",
  "MeasurementNotAllowed",
] as const;
export type KeyStatusName = (typeof KEY_STATUSES)[number];

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
   * Why the batch would be rejected, each starting with the ledger's error name. `BatchOutOfOrder: already
   * settled` means the batch's number is at or below the gateway's settled count; `BatchOutOfOrder: waits for` that
   * an earlier batch of the gateway must settle first.
   */
  problems: string[];
};
export type VerifyUsageBatchErrorType = CogFiError;

/**
 * Verifies a signed batch the way `settle` will: format and signature offline; with a client, the enclave key's
 * status and gateway, the batch's place in the gateway's order, and the sessions on chain. Keepers call it before
 * paying gas; buyers use it to audit.
 * @example
 * const { valid, problems } = await verifyUsageBatch({ batch, chainId: 31337, ledger, client });
 * if (!valid) log.warn({ problems }, "dropping batch");
 */
export async function verifyUsageBatch(parameters: VerifyUsageBatchParameters): Promise<VerifyUsageBatchReturnType> {
  const { batch, chainId, ledger, client, blockNumber } = parameters;
  const problems = validateUsageBatch(batch);
  if (batch.batchNumber < 1n) problems.push("BatchOutOfOrder: batch numbers start at 1");
  const digest = usageBatchDigest(batch, batch.gatewayId, usageBatchDomain({ chainId, ledger }));
  let signer: Address | undefined;
  try {
    signer = await recoverAddress({ hash: digest, signature: batch.signature });
  } catch {
    // A malformed signature recovers nothing: reported as InvalidSignature below.
    signer = undefined;
  }
  if (!signer || signer.toLowerCase() !== batch.enclave.toLowerCase()) problems.push("InvalidSignature: not signed by the enclave");

  let keyStatus: KeyStatusName | undefined;
  let gatewayId: bigint | undefined;
  let settledBatches: bigint | undefined;
  const skipped: SkippedReceipts[] = [];
  if (client) {
    const addresses = ledgerAddresses(client);
    if (addresses.inferenceLedger.toLowerCase() !== ledger.toLowerCase()) problems.push("InvalidSignature: signed for another ledger");
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
    if (keyStatus !== "Valid") problems.push(`InvalidEnclaveKey: ${keyStatus}`);
    if (keyGatewayId !== batch.gatewayId) {
      problems.push(`InvalidSignature: signed for gateway ${batch.gatewayId}, the key signs for gateway ${keyGatewayId}`);
    } else if (batch.batchNumber <= settled) {
      problems.push(`BatchOutOfOrder: already settled (gateway ${batch.gatewayId} settled ${settled} batches)`);
    } else if (batch.batchNumber > settled + 1n) {
      problems.push(`BatchOutOfOrder: waits for batch ${settled + 1n} of gateway ${batch.gatewayId}`);
    }
    sessions.forEach((session, index) => {
      const sessionId = batch.sessionIds[index]!;
      if (session.modelId === 0) problems.push(`UnknownSession: ${sessionId}`);
      else if (BigInt(session.modelId) !== batch.modelId) problems.push(`SessionModelMismatch: ${sessionId}`);
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
