/**
 * The demo's initial model offering: one CognitionPool per demo model against the stablecoin, seeded by the model
 * owner with shares and stablecoin around $0.10 a share, then the owner sells part of its shares into the pool.
 */
import { TickMath, encodeSqrtRatioX96, nearestUsableTick } from "@uniswap/v3-sdk";
import { parseUnits, type Address } from "viem";
import {
  addLiquidity,
  createPool,
  getPool,
  mockStablecoinAbi,
  quoteExactInput,
  sortTokens,
  swap,
  type CogFiClient,
} from "../sdk/src/index.js";

/** The 0.3% tier: tick spacing 60. */
const FEE = 3000;
const TICK_SPACING = 60;
/** About x10 either side of the opening price (1.0001^23,040 ≈ 10). */
const RANGE_TICKS = 23_040;

export type DemoMarket = { pool: Address; soldShares: bigint; receivedStablecoin: bigint };

export async function openDemoMarket(owner: CogFiClient, share: Address): Promise<DemoMarket> {
  const stablecoin = owner.deployment.contracts.Stablecoin;
  const [token0] = sortTokens(share, stablecoin);
  const shareIsToken0 = token0.toLowerCase() === share.toLowerCase();
  // $0.10 per share: 100,000 stablecoin units (6 decimals) per 1e18 share units; the price is token1 per token0.
  const [amount1, amount0] = shareIsToken0 ? ["100000", (10n ** 18n).toString()] : [(10n ** 18n).toString(), "100000"];
  const ratio = encodeSqrtRatioX96(amount1, amount0);
  const { pool } = await createPool(owner, { share, fee: FEE, sqrtPriceX96: BigInt(ratio.toString()) });

  const tick = TickMath.getTickAtSqrtRatio(ratio);
  const tickLower = nearestUsableTick(tick - RANGE_TICKS, TICK_SPACING);
  const tickUpper = nearestUsableTick(tick + RANGE_TICKS, TICK_SPACING);

  const shares = parseUnits("100000", 18);
  const stable = parseUnits("10000", 6);
  const mint = await owner.walletClient!.writeContract({
    address: stablecoin,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [owner.walletClient!.account.address, stable],
  });
  await owner.publicClient.waitForTransactionReceipt({ hash: mint });
  const [amount0Desired, amount1Desired] = shareIsToken0 ? [shares, stable] : [stable, shares];
  await addLiquidity(owner, {
    token0,
    token1: shareIsToken0 ? stablecoin : share,
    fee: FEE,
    tickLower,
    tickUpper,
    amount0Desired,
    amount1Desired,
    amount0Min: 0n,
    amount1Min: 0n,
  });

  const sell = parseUnits("20000", 18);
  const quote = await quoteExactInput({ pool: await getPool(owner, { pool }), tokenIn: share, amountIn: sell });
  const sold = await swap(owner, {
    tokenIn: share,
    tokenOut: stablecoin,
    fee: FEE,
    amountIn: sell,
    amountOutMinimum: (quote.amountOut * 995n) / 1000n,
  });
  return { pool, soldShares: sold.amountIn, receivedStablecoin: sold.amountOut };
}
