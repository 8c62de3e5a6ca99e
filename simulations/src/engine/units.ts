/**
 * Units of the simulated suite: a 6-decimal stablecoin and 18-decimal model shares; the stablecoin's address sorts
 * first, so it is each pool's token0 and the pool's price is shares per stablecoin unit.
 */
import type { Address } from "viem";

export const USD_DECIMALS = 6;
export const SHARE_DECIMALS = 18;
export const STABLECOIN: Address = "0x00000000000000000000000000000000000000A1";
export const shareAddress = (model: number): Address => `0x${(0xb000 + model).toString(16).padStart(40, "0")}` as Address;
export const poolAddress = (model: number): Address => `0x${(0xc000 + model).toString(16).padStart(40, "0")}` as Address;

const Q96 = 2 ** 96;

/** USD per share -> the 1e36-scaled oracle price (loan units per collateral unit x 1e36), 12 significant digits. */
export function oraclePriceOf(usdPerShare: number): bigint {
  // 1 USD/share = 1e6 units / 1e18 units x 1e36 = 1e24.
  return BigInt(Math.round(usdPerShare * 1e12)) * 10n ** 12n;
}

/** USD per share -> the pool's sqrtPriceX96 (shares per stablecoin unit, token1/token0). */
export function sqrtPriceX96Of(usdPerShare: number): bigint {
  const sqrt = 1e6 / Math.sqrt(usdPerShare); // sqrt(1e12 / P)
  return BigInt(Math.round(sqrt * 2 ** 40)) << 56n;
}
/** The pool's sqrtPriceX96 -> USD per share. */
export function usdPerShareOfSqrt(sqrtPriceX96: bigint): number {
  const s = Number(sqrtPriceX96) / Q96;
  return 1e12 / (s * s);
}
/** A pool tick -> USD per share (price = 1.0001^tick shares per unit). */
export const usdPerShareOfTick = (tick: number): number => 1e12 * Math.pow(1.0001, -tick);

/** Stablecoin units -> USD. */
export const usdOf = (units: bigint): number => Number(units) / 1e6;
/** Share units -> shares. */
export const sharesOf = (units: bigint): number => Number(units / 10n ** 6n) / 1e12;
