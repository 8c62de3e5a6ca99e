import { parseEventLogs, type Address, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import { requireWallet } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { liquidityManagerAbi } from "../../generated/abis.js";
import { ammAddresses } from "../../amm/internal.js";
import { writeAndWait } from "../../internal/write.js";

const MAX_UINT128 = (1n << 128n) - 1n;

export type CollectFeesParameters = {
  positionId: bigint;
  /** Receiver (default: the client's account). */
  recipient?: Address;
  /** Caps (default: everything owed). */
  amount0Max?: bigint;
  amount1Max?: bigint;
};
export type CollectFeesReturnType = { hash: Hash; amount0: bigint; amount1: bigint };
export type CollectFeesErrorType = CogFiContractError<"NotPositionOwner" | "UnknownPosition" | "ZeroAddress"> | CogFiError;

/**
 * Collects what a position of the client's account is owed: swap fees, the model-share revenue paid to
 * in-range liquidity (in the stablecoin), and tokens of liquidity removed earlier.
 * @example
 * const { amount0, amount1 } = await collectFees(client, { positionId });
 */
export async function collectFees(client: CogFiClient, parameters: CollectFeesParameters): Promise<CollectFeesReturnType> {
  const wallet = requireWallet(client, "collectFees");
  const { liquidityManager } = ammAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "collectFees", {
    address: liquidityManager,
    abi: liquidityManagerAbi,
    functionName: "collect",
    args: [
      {
        positionId: parameters.positionId,
        recipient: parameters.recipient ?? wallet.account.address,
        amount0Max: parameters.amount0Max ?? MAX_UINT128,
        amount1Max: parameters.amount1Max ?? MAX_UINT128,
      },
    ],
  });
  const [event] = parseEventLogs({ abi: liquidityManagerAbi, eventName: "Collect", logs: receipt.logs });
  if (!event) throw new CogFiError(`collectFees ${hash} emitted no Collect event`);
  return { hash, amount0: event.args.amount0, amount1: event.args.amount1 };
}
