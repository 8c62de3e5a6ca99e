/**
 * A model's CognitionPool without a chain: full-range liquidity in a v3-sdk pool (`offlinePoolState`), swapped with
 * the sdk's quotes (`quoteExactInput` / `quoteExactOutput`), so every price impact is the pool's own to the wei. LP
 * fees are tracked beside it: each swap's fee (the input x fee tier, rounded up, as the pool charges it) goes to the
 * LPs pro rata; with one full-range LP class that is all of it.
 */
import { Position } from "@uniswap/v3-sdk";
import {
  fullRangeBounds,
  fullRangeTicks,
  offlinePoolState,
  poolStateAfter,
  quoteExactInput,
  quoteExactOutput,
  withFullRangeLiquidity,
  type PoolState,
} from "@cogfi/sdk";
import type { Params } from "../config.js";
import { poolAddress, shareAddress, STABLECOIN, sqrtPriceX96Of, SHARE_DECIMALS, USD_DECIMALS, usdPerShareOfSqrt, usdOf, sharesOf } from "./units.js";

export type SwapRecord = { shareIn: bigint; shareOut: bigint; usdIn: bigint; usdOut: bigint; feeUsd: number };

export class SimPool {
  state: PoolState;
  readonly share;
  /** Fees the LPs earned, in USD at the external price when earned. */
  feesUsd = 0;
  /** What the LPs took out (drains), valued later at the final external price. */
  withdrawnUsdUnits = 0n;
  withdrawnShareUnits = 0n;
  readonly initialUsdUnits: bigint;
  readonly initialShareUnits: bigint;

  constructor(readonly model: number, params: Params, priceUsd: number) {
    this.share = shareAddress(model);
    const usdUnits = BigInt(Math.round(params.amm.liquidityUsd)) * 10n ** 6n;
    const sqrtPriceX96 = sqrtPriceX96Of(priceUsd);
    // Full range: L = amount0 x sqrtP (token0 = stablecoin), so the pool holds `liquidityUsd` of stablecoin.
    const liquidity = (usdUnits * sqrtPriceX96) >> 96n;
    const tickSpacing = { 500: 10, 3000: 60, 10000: 200 }[params.amm.fee];
    this.state = offlinePoolState({
      address: poolAddress(model),
      tokenA: { address: STABLECOIN, decimals: USD_DECIMALS },
      tokenB: { address: this.share, decimals: SHARE_DECIMALS },
      fee: params.amm.fee,
      sqrtPriceX96,
      liquidity,
      ticks: fullRangeTicks(tickSpacing, liquidity),
    });
    [this.initialUsdUnits, this.initialShareUnits] = this.amounts(liquidity);
  }

  get priceUsd(): number {
    return usdPerShareOfSqrt(this.state.sqrtPriceX96);
  }

  /** Token amounts of `liquidity` of full-range position at the current price (rounded down): [stablecoin, shares]. */
  amounts(liquidity: bigint): [bigint, bigint] {
    if (liquidity === 0n) return [0n, 0n];
    const [tickLower, tickUpper] = fullRangeBounds(this.state.tickSpacing);
    const position = new Position({ pool: this.state.pool, liquidity: liquidity.toString(), tickLower, tickUpper });
    return [BigInt(position.amount0.quotient.toString()), BigInt(position.amount1.quotient.toString())];
  }

  private fee(amountIn: bigint): bigint {
    return (amountIn * BigInt(this.state.fee) + 999_999n) / 1_000_000n;
  }

  /** Sells `shares` into the pool (exact input); returns the stablecoin received, applying the swap. */
  async sellShares(shares: bigint, externalUsd: number, apply = true): Promise<bigint> {
    if (shares === 0n || this.state.liquidity === 0n) return 0n;
    const quote = await quoteExactInput({ pool: this.state, tokenIn: this.share, amountIn: shares });
    if (apply) {
      this.state = poolStateAfter(this.state, quote);
      this.feesUsd += sharesOf(this.fee(shares)) * externalUsd;
    }
    return quote.amountOut;
  }

  /**
   * Arbitrage toward `externalUsd`: trades until the pool's marginal price net of the fee meets the external price
   * (sell shares while price x (1 - fee) > external; buy while price / (1 - fee) < external), if the profit at the
   * external price covers `gasUsd`. Returns the trade, or null.
   */
  async arbitrage(externalUsd: number, gasUsd: number): Promise<(SwapRecord & { profitUsd: number; sqrtPriceLimitX96: bigint }) | null> {
    if (this.state.liquidity === 0n) return null;
    const feeFraction = this.state.fee / 1e6;
    const price = this.priceUsd;
    let record: SwapRecord;
    let quote;
    let limit: bigint;
    if (price * (1 - feeFraction) > externalUsd) {
      // Sell shares for stablecoin down to price = external / (1 - fee): the pool's sqrt price rises.
      limit = sqrtPriceX96Of(externalUsd / (1 - feeFraction));
      if (limit <= this.state.sqrtPriceX96) return null;
      quote = await quoteExactOutput({ pool: this.state, tokenOut: STABLECOIN, amountOut: (1n << 200n) - 1n, sqrtPriceLimitX96: limit });
      record = { shareIn: quote.amountIn, shareOut: 0n, usdIn: 0n, usdOut: quote.amountOut, feeUsd: sharesOf(this.fee(quote.amountIn)) * externalUsd };
    } else if (price / (1 - feeFraction) < externalUsd) {
      limit = sqrtPriceX96Of(externalUsd * (1 - feeFraction));
      if (limit >= this.state.sqrtPriceX96) return null;
      quote = await quoteExactOutput({ pool: this.state, tokenOut: this.share, amountOut: (1n << 200n) - 1n, sqrtPriceLimitX96: limit });
      record = { shareIn: 0n, shareOut: quote.amountOut, usdIn: quote.amountIn, usdOut: 0n, feeUsd: usdOf(this.fee(quote.amountIn)) };
    } else return null;
    const profitUsd = usdOf(record.usdOut) - usdOf(record.usdIn) + (sharesOf(record.shareOut) - sharesOf(record.shareIn)) * externalUsd;
    if (profitUsd <= gasUsd) return null;
    this.state = poolStateAfter(this.state, quote);
    this.feesUsd += record.feeUsd;
    return { ...record, profitUsd, sqrtPriceLimitX96: limit };
  }

  /** LPs remove `fraction` of the liquidity (a drain); their tokens are kept aside. */
  drain(fraction: number): { liquidity: bigint; usdUnits: bigint; shareUnits: bigint } {
    const removed = (this.state.liquidity * BigInt(Math.round(fraction * 1e9))) / 1_000_000_000n;
    const [usdUnits, shareUnits] = this.amounts(removed);
    this.withdrawnUsdUnits += usdUnits;
    this.withdrawnShareUnits += shareUnits;
    this.state = withFullRangeLiquidity(this.state, this.state.liquidity - removed);
    return { liquidity: removed, usdUnits, shareUnits };
  }

  /** LP value (position + withdrawn + fees) against holding the initial tokens, both at `externalUsd`: PnL / hold. */
  lpPnlVsHold(externalUsd: number): number {
    const [usd, shares] = this.amounts(this.state.liquidity);
    const lp = usdOf(usd + this.withdrawnUsdUnits) + sharesOf(shares + this.withdrawnShareUnits) * externalUsd + this.feesUsd;
    const hold = usdOf(this.initialUsdUnits) + sharesOf(this.initialShareUnits) * externalUsd;
    return lp / hold - 1;
  }
}
