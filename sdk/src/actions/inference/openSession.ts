import { parseEventLogs, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { inferenceLedgerAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import { ensureAllowance } from "../../internal/allowance.js";

export type OpenSessionParameters = {
  modelId: bigint;
  /**
   * The EnclaveRegistry gateway that may serve the session (a gateway publishes its id, e.g. in its `/v1/models`
   * and `/attestation`): only its receipts charge the session, and its code cannot change while the session lives.
   */
  gatewayId: bigint;
  /** Stablecoin units deposited as the session's budget. */
  budget: bigint;
  /** Unix time (s) until which the session approves inference; at most `MAX_SESSION_DURATION` ahead. */
  expiry: bigint;
  /** Insurance policy id (reserved; 0n for none). */
  policyId?: bigint;
  /** Approve the ledger for `budget` first when the allowance is short (default true). */
  approve?: boolean;
};
export type OpenSessionReturnType = { sessionId: bigint; hash: Hash };
export type OpenSessionErrorType =
  | CogFiContractError<
      | "ZeroAmount"
      | "BudgetOverflow"
      | "PolicyIdTooLarge"
      | "ModelIdTooLarge"
      | "ModelPaused"
      | "UnknownModel"
      | "UnknownGateway"
      | "GatewayModelMismatch"
      | "InvalidExpiry"
      | "ERC20InsufficientAllowance"
      | "ERC20InsufficientBalance"
    >
  | CogFiError;

/**
 * Opens a funded session for a model with one gateway: the on-chain approval that gateway checks before serving
 * the buyer (another gateway refuses the session).
 * @example
 * const { sessionId } = await openSession(client, {
 *   modelId: 1n, gatewayId: 3n, budget: parseUnits("25", 6), expiry: BigInt(Math.floor(Date.now() / 1000) + 86_400),
 * });
 */
export async function openSession(client: CogFiClient, parameters: OpenSessionParameters): Promise<OpenSessionReturnType> {
  const { modelId, gatewayId, budget, expiry, policyId = 0n, approve = true } = parameters;
  const ledger = ledgerAddresses(client).inferenceLedger;
  if (approve) await ensureAllowance(client, "openSession", client.deployment.contracts.Stablecoin, ledger, budget);
  const { hash, receipt } = await writeAndWait(client, "openSession", {
    address: ledger,
    abi: inferenceLedgerAbi,
    functionName: "openSession",
    args: [modelId, gatewayId, budget, expiry, policyId],
  });
  const [opened] = parseEventLogs({ abi: inferenceLedgerAbi, eventName: "SessionOpened", logs: receipt.logs });
  if (!opened) throw new Error(`openSession: no SessionOpened event in ${hash}`);
  return { sessionId: opened.args.sessionId, hash };
}
