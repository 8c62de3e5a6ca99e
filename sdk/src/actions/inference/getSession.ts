import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { SETTLEMENT_GRACE } from "../../constants.js";
import { inferenceLedgerLensAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import type { SessionInfo, SessionStatus } from "../../ledger/types.js";

export type GetSessionParameters = { sessionId: bigint; blockNumber?: bigint };
/** `undefined` for an unknown session id. */
export type GetSessionReturnType = SessionInfo | undefined;
export type GetSessionErrorType = CogFiError;

export { SETTLEMENT_GRACE } from "../../constants.js";

/**
 * Reads a session and where it stands at the block (`status`): what the gateway checks before serving.
 * @example
 * const session = await getSession(client, { sessionId: 3n });
 * if (session?.status === "active") serve();
 */
export async function getSession(
  client: CogFiClient,
  { sessionId, blockNumber }: GetSessionParameters,
): Promise<GetSessionReturnType> {
  const address = ledgerAddresses(client).inferenceLedgerLens;
  const [session, block] = await readOrThrow("getSession", () =>
    Promise.all([
      client.publicClient.readContract({ address, abi: inferenceLedgerLensAbi, functionName: "getSession", args: [sessionId], blockNumber }),
      client.publicClient.getBlock(blockNumber === undefined ? {} : { blockNumber }),
    ]),
  );
  if (session.modelId === 0) return undefined;
  const refundableAt = BigInt(session.expiry) + SETTLEMENT_GRACE;
  return {
    sessionId,
    modelId: BigInt(session.modelId),
    gatewayId: BigInt(session.gatewayId),
    buyer: session.buyer,
    budget: BigInt(session.budget),
    spent: BigInt(session.spent),
    remaining: BigInt(session.budget) - BigInt(session.spent),
    lastSequence: BigInt(session.lastSequence),
    expiry: BigInt(session.expiry),
    refundableAt,
    policyId: BigInt(session.policyId),
    closed: session.closed,
    status: sessionStatus(session, block.timestamp, refundableAt),
  };
}

function sessionStatus(
  session: { closed: boolean; expiry: number | bigint; budget: bigint | number; spent: bigint | number },
  now: bigint,
  refundableAt: bigint,
): SessionStatus {
  if (session.closed) return "closed";
  if (now >= refundableAt) return "refundable";
  if (now >= BigInt(session.expiry)) return "grace";
  return BigInt(session.spent) >= BigInt(session.budget) ? "exhausted" : "active";
}
