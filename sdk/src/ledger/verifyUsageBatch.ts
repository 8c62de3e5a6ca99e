import { recoverAddress, type Address, type Hex } from "viem";
import type { CogFiClient } from "../client.js";
import type { CogFiError } from "../errors.js";
import { enclaveRegistryAbi, inferenceLedgerAbi } from "../generated/abis.js";
import { readOrThrow } from "../internal/write.js";
import { ledgerAddresses } from "./addresses.js";
import { decodeReceipt, usageBatchDigest, usageBatchDomain, validateUsageBatch, type SignedUsageBatch } from "./receipts.js";

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
  /** With a client: also check the key's status and each session's model and settled sequence on chain. */
  client?: CogFiClient;
  blockNumber?: bigint;
};
export type VerifyUsageBatchReturnType = {
  /** True when `settle` would accept the batch (as far as the checks that ran can tell). */
  valid: boolean;
  digest: Hex;
  /** The recovered signer (undefined for an unrecoverable signature). */
  signer?: Address;
  /** The enclave key's status, when checked on chain. */
  keyStatus?: KeyStatusName;
  /** Why the batch would be rejected, each starting with the ledger's error name. */
  problems: string[];
};
export type VerifyUsageBatchErrorType = CogFiError;

/**
 * Verifies a signed batch the way `settle` will: format and signature offline; with a client, the enclave key's
 * status and the sessions on chain. Keepers call it before paying gas; buyers use it to audit.
 * @example
 * const { valid, problems } = await verifyUsageBatch({ batch, chainId: 31337, ledger, client });
 * if (!valid) log.warn({ problems }, "dropping batch");
 */
export async function verifyUsageBatch(parameters: VerifyUsageBatchParameters): Promise<VerifyUsageBatchReturnType> {
  const { batch, chainId, ledger, client, blockNumber } = parameters;
  const problems = validateUsageBatch(batch);
  const digest = usageBatchDigest(batch, usageBatchDomain({ chainId, ledger }));
  let signer: Address | undefined;
  try {
    signer = await recoverAddress({ hash: digest, signature: batch.signature });
  } catch {
    signer = undefined;
  }
  if (!signer || signer.toLowerCase() !== batch.enclave.toLowerCase()) problems.push("InvalidSignature: not signed by the enclave");

  let keyStatus: KeyStatusName | undefined;
  if (client) {
    const addresses = ledgerAddresses(client);
    if (addresses.inferenceLedger.toLowerCase() !== ledger.toLowerCase()) problems.push("InvalidSignature: signed for another ledger");
    const [status, sessions] = await readOrThrow("verifyUsageBatch", () =>
      Promise.all([
        client.publicClient.readContract({
          address: addresses.enclaveRegistry,
          abi: enclaveRegistryAbi,
          functionName: "keyStatus",
          args: [batch.enclave, batch.modelId],
          blockNumber,
        }),
        Promise.all(
          batch.sessionIds.map((sessionId) =>
            client.publicClient.readContract({
              address: addresses.inferenceLedger,
              abi: inferenceLedgerAbi,
              functionName: "getSession",
              args: [sessionId],
              blockNumber,
            }),
          ),
        ),
      ]),
    );
    keyStatus = KEY_STATUSES[status] ?? "Unknown";
    if (keyStatus !== "Valid") problems.push(`InvalidEnclaveKey: ${keyStatus}`);
    const firstSequence = new Map<number, bigint>();
    for (const word of batch.receipts) {
      const receipt = decodeReceipt(word);
      if (!firstSequence.has(receipt.sessionIndex)) firstSequence.set(receipt.sessionIndex, receipt.sequence);
    }
    // Sessions listed twice continue each other's sequence: only the first group is compared with storage.
    const seen = new Set<bigint>();
    sessions.forEach((session, index) => {
      const sessionId = batch.sessionIds[index]!;
      if (session.modelId === 0) problems.push(`UnknownSession: ${sessionId}`);
      else if (BigInt(session.modelId) !== batch.modelId) problems.push(`SessionModelMismatch: ${sessionId}`);
      const first = firstSequence.get(index);
      if (!seen.has(sessionId) && first !== undefined && first <= BigInt(session.lastSequence)) {
        problems.push(`StaleSequence: session ${sessionId} already settled up to ${session.lastSequence}`);
      }
      seen.add(sessionId);
    });
  }
  return { valid: problems.length === 0, digest, signer, keyStatus, problems };
}
