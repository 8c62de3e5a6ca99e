import { parseEventLogs, type Address, type Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi, cognitionRouterAbi } from "../../generated/abis.js";
import { requireWallet } from "../../client.js";
import type { FeeTier } from "../../amm/pool.js";
import { ammAddresses } from "../../amm/internal.js";
import { defaultDeadline } from "../../internal/amm.js";
import { writeAndWait } from "../../internal/write.js";
import { ensureAllowance } from "../../internal/allowance.js";

type SwapCommon = {
  tokenIn: Address;
  tokenOut: Address;
  fee: FeeTier;
  /** Receiver of the output (default: the client's account). */
  recipient?: Address;
  /** Unix seconds (default: 20 minutes after the latest block). */
  deadline?: bigint;
  /** The price the swap may not pass (default: none). */
  sqrtPriceLimitX96?: bigint;
  /** Approve the router for the input if needed (default true). */
  approve?: boolean;
};

export type SwapParameters = SwapCommon &
  (
    | { amountIn: bigint; amountOutMinimum: bigint; amountOut?: never; amountInMaximum?: never }
    | { amountOut: bigint; amountInMaximum: bigint; amountIn?: never; amountOutMinimum?: never }
  );
export type SwapReturnType = {
  hash: Hash;
  pool: Address;
  amountIn: bigint;
  amountOut: bigint;
  sqrtPriceX96After: bigint;
  tickAfter: number;
  liquidityAfter: bigint;
};
export type SwapErrorType =
  | CogFiContractError<
      | "DeadlineExpired"
      | "PoolNotFound"
      | "TooLittleReceived"
      | "TooMuchRequested"
      | "OutputNotFilled"
      | "PriceLimitOutOfRange"
      | "ZeroAmount"
      | "NotInitialized"
      | "PaymentFailed"
    >
  | CogFiError;

/**
 * Swaps through the CognitionRouter: exact input (`amountIn` + `amountOutMinimum`) or exact output (`amountOut` +
 * `amountInMaximum`), approving the router for the input first if needed.
 * @example
 * const state = await getPool(client, { pool });
 * const quote = await quoteExactInput({ pool: state, tokenIn: stablecoin, amountIn: 5_000_000n });
 * const { amountOut } = await swap(client, {
 *   tokenIn: stablecoin, tokenOut: share, fee: 3000, amountIn: 5_000_000n,
 *   amountOutMinimum: quote.amountOut * 995n / 1000n, // 0.5% slippage
 * });
 */
export async function swap(client: CogFiClient, parameters: SwapParameters): Promise<SwapReturnType> {
  const wallet = requireWallet(client, "swap");
  const { router } = ammAddresses(client);
  const recipient = parameters.recipient ?? wallet.account.address;
  const deadline = parameters.deadline ?? (await defaultDeadline(client));
  const sqrtPriceLimitX96 = parameters.sqrtPriceLimitX96 ?? 0n;
  const exactInput = parameters.amountIn !== undefined;
  const maxIn = exactInput ? parameters.amountIn! : parameters.amountInMaximum!;
  if (parameters.approve ?? true) await ensureAllowance(client, "swap", parameters.tokenIn, router, maxIn);

  const base = { tokenIn: parameters.tokenIn, tokenOut: parameters.tokenOut, fee: parameters.fee, recipient, deadline };
  const { hash, receipt } = exactInput
    ? await writeAndWait(client, "swap", {
        address: router,
        abi: cognitionRouterAbi,
        functionName: "exactInputSingle",
        args: [{ ...base, amountIn: parameters.amountIn!, amountOutMinimum: parameters.amountOutMinimum!, sqrtPriceLimitX96 }],
      })
    : await writeAndWait(client, "swap", {
        address: router,
        abi: cognitionRouterAbi,
        functionName: "exactOutputSingle",
        args: [{ ...base, amountOut: parameters.amountOut!, amountInMaximum: parameters.amountInMaximum!, sqrtPriceLimitX96 }],
      });

  const [event] = parseEventLogs({ abi: cognitionPoolAbi, eventName: "Swap", logs: receipt.logs });
  if (!event) throw new CogFiError(`swap ${hash} emitted no Swap event`);
  const { amount0, amount1 } = event.args;
  const zeroForOne = amount0 > 0n;
  return {
    hash,
    pool: event.address,
    amountIn: zeroForOne ? amount0 : amount1,
    amountOut: zeroForOne ? -amount1 : -amount0,
    sqrtPriceX96After: event.args.sqrtPriceX96,
    tickAfter: event.args.tick,
    liquidityAfter: event.args.liquidity,
  };
}
