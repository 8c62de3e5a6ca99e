import type { Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { inferenceLedgerAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";
import { ensureAllowance } from "../../internal/allowance.js";

export type TopUpSessionParameters = {
  sessionId: bigint;
  /** Stablecoin units to add (0n to only extend). */
  amount: bigint;
  /** New expiry (Unix s), not earlier than the current one; omit to keep it. */
  newExpiry?: bigint;
  /** Approve the ledger for `amount` first when the allowance is short (default true). */
  approve?: boolean;
};
export type TopUpSessionReturnType = { hash: Hash };
export type TopUpSessionErrorType =
  | CogFiContractError<
      "UnknownSession" | "NotSessionBuyer" | "SessionAlreadyClosed" | "ZeroAmount" | "BudgetOverflow" | "InvalidExpiry"
    >
  | CogFiError;

/**
 * Adds budget to a session and/or extends its expiry. Buyer only.
 * @example
 * await topUpSession(client, { sessionId, amount: parseUnits("10", 6) });
 */
export async function topUpSession(
  client: CogFiClient,
  parameters: TopUpSessionParameters,
): Promise<TopUpSessionReturnType> {
  const { sessionId, amount, newExpiry = 0n, approve = true } = parameters;
  const ledger = ledgerAddresses(client).inferenceLedger;
  if (approve && amount > 0n) await ensureAllowance(client, "topUpSession", client.deployment.contracts.Stablecoin, ledger, amount);
  const { hash } = await writeAndWait(client, "topUpSession", {
    address: ledger,
    abi: inferenceLedgerAbi,
    functionName: "topUpSession",
    args: [sessionId, amount, newExpiry],
  });
  return { hash };
}
