import { parseEventLogs, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { liquidityManagerAbi } from "../../generated/abis.js";
import { collectFees } from "./collectFees.js";
import { ammAddresses } from "../../amm/internal.js";
import { defaultDeadline } from "../../internal/amm.js";
import { writeAndWait } from "../../internal/write.js";

export type RemoveLiquidityParameters = {
  positionId: bigint;
  liquidity: bigint;
  /** Minimum token0 / token1 the removed liquidity must be worth (default 0). */
  amount0Min?: bigint;
  amount1Min?: bigint;
  /** Unix seconds (default: 20 minutes after the latest block). */
  deadline?: bigint;
  /** Also collect everything owed (the removed tokens, fees and revenue) to the account (default true). */
  collect?: boolean;
};
export type RemoveLiquidityReturnType = {
  hash: Hash;
  /** Tokens the removed liquidity was worth (now owed to the position). */
  amount0: bigint;
  amount1: bigint;
  /** What was collected, when `collect` is on. */
  collected?: { amount0: bigint; amount1: bigint; hash: Hash };
};
export type RemoveLiquidityErrorType =
  | CogFiContractError<
      "DeadlineExpired" | "SlippageExceeded" | "NotPositionOwner" | "UnknownPosition" | "LiquidityOverflow"
    >
  | CogFiError;

/**
 * Removes liquidity from a position of the client's account, and by default collects the tokens.
 * @example
 * const { amount0, amount1 } = await removeLiquidity(client, { positionId, liquidity });
 */
export async function removeLiquidity(
  client: CogFiClient,
  parameters: RemoveLiquidityParameters,
): Promise<RemoveLiquidityReturnType> {
  const { liquidityManager } = ammAddresses(client);
  const deadline = parameters.deadline ?? (await defaultDeadline(client));
  const { hash, receipt } = await writeAndWait(client, "removeLiquidity", {
    address: liquidityManager,
    abi: liquidityManagerAbi,
    functionName: "decreaseLiquidity",
    args: [
      {
        positionId: parameters.positionId,
        liquidity: parameters.liquidity,
        amount0Min: parameters.amount0Min ?? 0n,
        amount1Min: parameters.amount1Min ?? 0n,
        deadline,
      },
    ],
  });
  const [event] = parseEventLogs({ abi: liquidityManagerAbi, eventName: "DecreaseLiquidity", logs: receipt.logs });
  if (!event) throw new CogFiError(`removeLiquidity ${hash} emitted no DecreaseLiquidity event`);
  const result: RemoveLiquidityReturnType = { hash, amount0: event.args.amount0, amount1: event.args.amount1 };
  if (parameters.collect ?? true) result.collected = await collectFees(client, { positionId: parameters.positionId });
  return result;
}
