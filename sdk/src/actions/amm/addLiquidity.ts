import { parseEventLogs, type Address, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import { requireWallet } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi, liquidityManagerAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import type { FeeTier } from "../../amm/pool.js";
import { ammAddresses, sortTokens } from "../../amm/internal.js";
import { defaultDeadline } from "../../internal/amm.js";
import { writeAndWait } from "../../internal/write.js";
import { ensureAllowance } from "../../internal/allowance.js";

type AddCommon = {
  amount0Desired: bigint;
  amount1Desired: bigint;
  /** Minimum token0 / token1 actually added (default 0: set them, e.g. from `Position.fromAmounts`). */
  amount0Min?: bigint;
  amount1Min?: bigint;
  /** Unix seconds (default: 20 minutes after the latest block). */
  deadline?: bigint;
  /** Approve the manager for the desired amounts if needed (default true). */
  approve?: boolean;
};

export type AddLiquidityParameters = AddCommon &
  (
    | { positionId: bigint }
    | {
        positionId?: never;
        token0: Address;
        token1: Address;
        fee: FeeTier;
        tickLower: number;
        tickUpper: number;
        /** Owner of the new position (default: the client's account). */
        recipient?: Address;
      }
  );
export type AddLiquidityReturnType = {
  hash: Hash;
  positionId: bigint;
  liquidity: bigint;
  amount0: bigint;
  amount1: bigint;
};
export type AddLiquidityErrorType =
  | CogFiContractError<
      | "DeadlineExpired"
      | "PoolNotFound"
      | "TokensNotSorted"
      | "SlippageExceeded"
      | "UnknownPosition"
      | "NotInitialized"
      | "ZeroLiquidity"
      | "TickMisaligned"
      | "TickOutOfRange"
      | "TicksMisordered"
      | "TickLiquidityOverflow"
      | "PaymentFailed"
    >
  | CogFiError;

/**
 * Adds liquidity through the LiquidityManager: a new position (give the pair, fee and range) or more liquidity
 * in an existing one (give `positionId`). The manager mints the most liquidity the desired amounts buy
 * (`maxLiquidityForAmounts` with `useFullPrecision = false` in the v3-sdk).
 * @example
 * const { positionId, liquidity } = await addLiquidity(client, {
 *   token0, token1, fee: 3000, tickLower: -6000, tickUpper: 6000,
 *   amount0Desired: parseUnits("100", 18), amount1Desired: 100_000_000n,
 * });
 */
export async function addLiquidity(
  client: CogFiClient,
  parameters: AddLiquidityParameters,
): Promise<AddLiquidityReturnType> {
  const wallet = requireWallet(client, "addLiquidity");
  const { liquidityManager } = ammAddresses(client);
  const deadline = parameters.deadline ?? (await defaultDeadline(client));
  const amount0Min = parameters.amount0Min ?? 0n;
  const amount1Min = parameters.amount1Min ?? 0n;

  let token0: Address;
  let token1: Address;
  if (parameters.positionId !== undefined) {
    const position = await readOrThrow("addLiquidity", () =>
      client.publicClient.readContract({
        address: liquidityManager,
        abi: liquidityManagerAbi,
        functionName: "positions",
        args: [parameters.positionId!],
      }),
    );
    const pool = position[1];
    [token0, token1] = await readOrThrow("addLiquidity", () =>
      Promise.all([
        client.publicClient.readContract({ address: pool, abi: cognitionPoolAbi, functionName: "token0" }),
        client.publicClient.readContract({ address: pool, abi: cognitionPoolAbi, functionName: "token1" }),
      ]),
    );
  } else {
    [token0, token1] = [parameters.token0, parameters.token1];
    const [sorted0] = sortTokens(token0, token1);
    if (sorted0 !== token0) throw new CogFiError("addLiquidity: token0 must be the lower address (token0 < token1)");
  }
  if (parameters.approve ?? true) {
    await ensureAllowance(client, "addLiquidity", token0, liquidityManager, parameters.amount0Desired);
    await ensureAllowance(client, "addLiquidity", token1, liquidityManager, parameters.amount1Desired);
  }

  const { hash, receipt } =
    parameters.positionId !== undefined
      ? await writeAndWait(client, "addLiquidity", {
          address: liquidityManager,
          abi: liquidityManagerAbi,
          functionName: "increaseLiquidity",
          args: [
            {
              positionId: parameters.positionId,
              amount0Desired: parameters.amount0Desired,
              amount1Desired: parameters.amount1Desired,
              amount0Min,
              amount1Min,
              deadline,
            },
          ],
        })
      : await writeAndWait(client, "addLiquidity", {
          address: liquidityManager,
          abi: liquidityManagerAbi,
          functionName: "mint",
          args: [
            {
              token0,
              token1,
              fee: parameters.fee,
              tickLower: parameters.tickLower,
              tickUpper: parameters.tickUpper,
              amount0Desired: parameters.amount0Desired,
              amount1Desired: parameters.amount1Desired,
              amount0Min,
              amount1Min,
              recipient: parameters.recipient ?? wallet.account.address,
              deadline,
            },
          ],
        });
  const [event] = parseEventLogs({ abi: liquidityManagerAbi, eventName: "IncreaseLiquidity", logs: receipt.logs });
  if (!event) throw new CogFiError(`addLiquidity ${hash} emitted no IncreaseLiquidity event`);
  return {
    hash,
    positionId: event.args.positionId,
    liquidity: event.args.liquidity,
    amount0: event.args.amount0,
    amount1: event.args.amount1,
  };
}
