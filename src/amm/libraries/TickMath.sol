// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";
import {BitMath} from "./BitMath.sol";

/// @title TickMath
/// @notice Conversions between ticks and sqrt prices: sqrtPrice(tick) = sqrt(1.0001^tick) * 2^96, computed
/// to the same bits as Uniswap v3, and its inverse (the greatest tick whose sqrt price is <= a price).
library TickMath {
    /// @dev The lowest tick: log base 1.0001 of 2^-128, truncated.
    int24 internal constant MIN_TICK = -887_272;
    /// @dev The highest tick.
    int24 internal constant MAX_TICK = 887_272;
    /// @dev getSqrtRatioAtTick(MIN_TICK).
    uint160 internal constant MIN_SQRT_RATIO = 4_295_128_739;
    /// @dev getSqrtRatioAtTick(MAX_TICK).
    uint160 internal constant MAX_SQRT_RATIO = 1_461_446_703_485_210_103_287_273_052_203_988_822_378_723_970_342;

    /// @dev 2 / log2(1.0001) (ticks per doubling of the sqrt price), Q64.64, rounded to nearest.
    int256 private constant TICKS_PER_LOG2_X64 = 255_738_958_999_603_826_347_141;
    /// @dev Q128 margin below the tick estimate: 2^-16 tick, far above every error source (the Q96 rounding
    /// of a sqrt price is at most ~5e-6 tick at MIN_TICK; the log and constant truncations are < 1e-17 tick).
    int256 private constant EST_MARGIN_BELOW_X128 = 1 << 112;
    /// @dev Q128 margin above the estimate: the 18-fraction-bit log2 truncation (TICKS_PER_LOG2 * 2^-18
    /// = 0.0529 tick) plus 2^-16 tick, rounded up. Below + above < 1, so at most two candidates remain.
    int256 private constant EST_MARGIN_ABOVE_X128 = 18_001_221_678_963_758_996_976_550_734_347_434_096;

    /// @notice sqrt(1.0001^tick) * 2^96, rounded up.
    /// @dev Reverts with `TickOutOfRange` if |tick| > MAX_TICK.
    function getSqrtRatioAtTick(int24 tick) internal pure returns (uint160 sqrtPriceX96) {
        unchecked {
            uint256 absTick = tick < 0 ? uint256(-int256(tick)) : uint256(int256(tick));
            if (absTick > uint256(int256(MAX_TICK))) revert ICognitionPoolErrors.TickOutOfRange(tick);
            // 1.0001^(-|tick|/2) in Q128: the product, over the set bits i of |tick|, of
            // round(2^128 / 1.0001^(2^(i-1))), each multiplication truncated.
            uint256 r = absTick & 0x1 != 0 ? 0xfffcb933bd6fad37aa2d162d1a594001 : 1 << 128;
            if (absTick & 0x2 != 0) r = (r * 0xfff97272373d413259a46990580e213a) >> 128;
            if (absTick & 0x4 != 0) r = (r * 0xfff2e50f5f656932ef12357cf3c7fdcc) >> 128;
            if (absTick & 0x8 != 0) r = (r * 0xffe5caca7e10e4e61c3624eaa0941cd0) >> 128;
            if (absTick & 0x10 != 0) r = (r * 0xffcb9843d60f6159c9db58835c926644) >> 128;
            if (absTick & 0x20 != 0) r = (r * 0xff973b41fa98c081472e6896dfb254c0) >> 128;
            if (absTick & 0x40 != 0) r = (r * 0xff2ea16466c96a3843ec78b326b52861) >> 128;
            if (absTick & 0x80 != 0) r = (r * 0xfe5dee046a99a2a811c461f1969c3053) >> 128;
            if (absTick & 0x100 != 0) r = (r * 0xfcbe86c7900a88aedcffc83b479aa3a4) >> 128;
            if (absTick & 0x200 != 0) r = (r * 0xf987a7253ac413176f2b074cf7815e54) >> 128;
            if (absTick & 0x400 != 0) r = (r * 0xf3392b0822b70005940c7a398e4b70f3) >> 128;
            if (absTick & 0x800 != 0) r = (r * 0xe7159475a2c29b7443b29c7fa6e889d9) >> 128;
            if (absTick & 0x1000 != 0) r = (r * 0xd097f3bdfd2022b8845ad8f792aa5825) >> 128;
            if (absTick & 0x2000 != 0) r = (r * 0xa9f746462d870fdf8a65dc1f90e061e5) >> 128;
            if (absTick & 0x4000 != 0) r = (r * 0x70d869a156d2a1b890bb3df62baf32f7) >> 128;
            if (absTick & 0x8000 != 0) r = (r * 0x31be135f97d08fd981231505542fcfa6) >> 128;
            if (absTick & 0x10000 != 0) r = (r * 0x9aa508b5b7a84e1c677de54f3e99bc9) >> 128;
            if (absTick & 0x20000 != 0) r = (r * 0x5d6af8dedb81196699c329225ee604) >> 128;
            if (absTick & 0x40000 != 0) r = (r * 0x2216e584f5fa1ea926041bedfe98) >> 128;
            if (absTick & 0x80000 != 0) r = (r * 0x48a170391f7dc42444e8fa2) >> 128;
            // Positive ticks: invert (the Q128 reciprocal is 2^256 / r, the all-ones word is one below).
            if (tick > 0) r = type(uint256).max / r;
            // Q128 -> Q96, rounded up.
            sqrtPriceX96 = uint160((r >> 32) + (r & 0xffffffff == 0 ? 0 : 1));
        }
    }

    /// @notice The greatest tick t with getSqrtRatioAtTick(t) <= sqrtPriceX96.
    /// @dev Reverts with `SqrtPriceOutOfRange` unless MIN_SQRT_RATIO <= sqrtPriceX96 < MAX_SQRT_RATIO.
    /// Method: log2(sqrtPrice / 2^96) with 18 fraction bits (integer part from the top bit, fraction bits by
    /// repeated squaring of the mantissa), times ticks per doubling; the true tick lies in a window narrower
    /// than one tick around that estimate, and one getSqrtRatioAtTick call decides between the two candidates.
    function getTickAtSqrtRatio(uint160 sqrtPriceX96) internal pure returns (int24 tick) {
        if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO) {
            revert ICognitionPoolErrors.SqrtPriceOutOfRange(sqrtPriceX96);
        }
        unchecked {
            uint256 msb = BitMath.mostSignificantBit(sqrtPriceX96);
            // Mantissa in [2^127, 2^128), i.e. sqrtPrice / 2^msb in Q127.
            uint256 r = msb >= 127 ? uint256(sqrtPriceX96) >> (msb - 127) : uint256(sqrtPriceX96) << (127 - msb);
            int256 log2X64 = (int256(msb) - 96) << 64;
            // Squaring the mantissa doubles its log; when it reaches [2, 4) the next fraction bit is 1 and the
            // mantissa is halved back into [1, 2). Truncation keeps the estimate at or below the true log.
            assembly ("memory-safe") {
                let f
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(63, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(62, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(61, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(60, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(59, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(58, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(57, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(56, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(55, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(54, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(53, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(52, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(51, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(50, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(49, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(48, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(47, f))
                r := shr(f, r)
                r := shr(127, mul(r, r))
                f := shr(128, r)
                log2X64 := or(log2X64, shl(46, f))
                r := shr(f, r)
            }
            int256 estX128 = log2X64 * TICKS_PER_LOG2_X64;
            int24 tickLow = int24((estX128 - EST_MARGIN_BELOW_X128) >> 128);
            int24 tickHigh = int24((estX128 + EST_MARGIN_ABOVE_X128) >> 128);
            tick = tickLow == tickHigh ? tickLow : getSqrtRatioAtTick(tickHigh) <= sqrtPriceX96 ? tickHigh : tickLow;
        }
    }
}
