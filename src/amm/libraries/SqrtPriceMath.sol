// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {FullMath} from "../../libraries/FullMath.sol";
import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";
import {CustomRevert} from "./CustomRevert.sol";

/// @title SqrtPriceMath
/// @notice Price moves and token amounts between two sqrt prices for a liquidity (whitepaper eqs. 6.13-6.16).
/// Rounding always favours the pool: amounts owed to it round up, amounts it pays round down, and price moves
/// round so that the pool never gives more than the input buys.
library SqrtPriceMath {
    uint256 internal constant Q96 = 1 << 96;

    /// @notice Sqrt price after adding (or removing) `amount` of token0: L * P / (L +- amount * P), rounded up.
    /// @dev Reverts with `PriceOverflow` when removing at least the reserves' worth.
    function getNextSqrtPriceFromAmount0RoundingUp(uint160 sqrtPX96, uint128 liquidity, uint256 amount, bool add)
        internal
        pure
        returns (uint160)
    {
        if (amount == 0) return sqrtPX96;
        uint256 numerator = uint256(liquidity) << 96;
        unchecked {
            uint256 product = amount * sqrtPX96;
            bool exact = product / amount == sqrtPX96;
            if (add) {
                if (exact) {
                    uint256 denominator = numerator + product;
                    if (denominator >= numerator) {
                        // <= sqrtPX96 because numerator <= denominator.
                        return uint160(FullMath.mulDivUp(numerator, sqrtPX96, denominator));
                    }
                }
                // amount * P overflows: the equivalent L / (L / P + amount), still rounded up.
                uint256 denominator2 = numerator / sqrtPX96 + amount;
                if (denominator2 < amount) {
                    CustomRevert.revertWith(uint32(ICognitionPoolErrors.PriceOverflow.selector));
                }
                return uint160(FullMath.unsafeDivUp(numerator, denominator2));
            }
            if (!exact || numerator <= product) {
                CustomRevert.revertWith(uint32(ICognitionPoolErrors.PriceOverflow.selector));
            }
            return _toUint160(FullMath.mulDivUp(numerator, sqrtPX96, numerator - product));
        }
    }

    /// @notice Sqrt price after adding (or removing) `amount` of token1: P +- amount / L, rounded down.
    /// @dev Reverts with `PriceOverflow` when removing at least the reserves' worth or leaving uint160.
    function getNextSqrtPriceFromAmount1RoundingDown(uint160 sqrtPX96, uint128 liquidity, uint256 amount, bool add)
        internal
        pure
        returns (uint160)
    {
        if (add) {
            uint256 quotient =
                amount <= type(uint160).max ? (amount << 96) / liquidity : FullMath.mulDiv(amount, Q96, liquidity);
            if (quotient > type(uint160).max) {
                CustomRevert.revertWith(uint32(ICognitionPoolErrors.PriceOverflow.selector));
            }
            unchecked {
                return _toUint160(uint256(sqrtPX96) + quotient);
            }
        }
        uint256 quotientUp = amount <= type(uint160).max
            ? FullMath.unsafeDivUp(amount << 96, liquidity)
            : FullMath.mulDivUp(amount, Q96, liquidity);
        if (sqrtPX96 <= quotientUp) CustomRevert.revertWith(uint32(ICognitionPoolErrors.PriceOverflow.selector));
        unchecked {
            return uint160(sqrtPX96 - quotientUp);
        }
    }

    /// @notice Sqrt price after swapping in `amountIn` (of token0 if zeroForOne, else token1); never overshoots.
    function getNextSqrtPriceFromInput(uint160 sqrtPX96, uint128 liquidity, uint256 amountIn, bool zeroForOne)
        internal
        pure
        returns (uint160)
    {
        if (sqrtPX96 == 0 || liquidity == 0) {
            CustomRevert.revertWith(uint32(ICognitionPoolErrors.ZeroPriceOrLiquidity.selector));
        }
        return zeroForOne
            ? getNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountIn, true)
            : getNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountIn, true);
    }

    /// @notice Sqrt price after swapping out `amountOut` (of token1 if zeroForOne, else token0); always passes
    /// the exact target so that at least `amountOut` is available.
    function getNextSqrtPriceFromOutput(uint160 sqrtPX96, uint128 liquidity, uint256 amountOut, bool zeroForOne)
        internal
        pure
        returns (uint160)
    {
        if (sqrtPX96 == 0 || liquidity == 0) {
            CustomRevert.revertWith(uint32(ICognitionPoolErrors.ZeroPriceOrLiquidity.selector));
        }
        return zeroForOne
            ? getNextSqrtPriceFromAmount1RoundingDown(sqrtPX96, liquidity, amountOut, false)
            : getNextSqrtPriceFromAmount0RoundingUp(sqrtPX96, liquidity, amountOut, false);
    }

    /// @notice Token0 between two sqrt prices: L * 2^96 * (b - a) / b / a, rounded up or down.
    function getAmount0Delta(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint128 liquidity, bool roundUp)
        internal
        pure
        returns (uint256)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        if (sqrtRatioAX96 == 0) CustomRevert.revertWith(uint32(ICognitionPoolErrors.ZeroPriceOrLiquidity.selector));
        uint256 numerator = uint256(liquidity) << 96;
        unchecked {
            uint256 diff = sqrtRatioBX96 - sqrtRatioAX96;
            return roundUp
                ? FullMath.unsafeDivUp(FullMath.mulDivUp(numerator, diff, sqrtRatioBX96), sqrtRatioAX96)
                : FullMath.mulDiv(numerator, diff, sqrtRatioBX96) / sqrtRatioAX96;
        }
    }

    /// @notice Token1 between two sqrt prices: L * (b - a) / 2^96, rounded up or down.
    function getAmount1Delta(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint128 liquidity, bool roundUp)
        internal
        pure
        returns (uint256)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        unchecked {
            uint256 diff = sqrtRatioBX96 - sqrtRatioAX96;
            return roundUp ? FullMath.mulDivUp(liquidity, diff, Q96) : FullMath.mulDiv(liquidity, diff, Q96);
        }
    }

    /// @notice Signed token0 delta for a liquidity delta: owed to the pool (> 0, rounded up) when adding,
    /// paid by it (< 0, rounded down) when removing.
    function getAmount0Delta(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, int128 liquidity)
        internal
        pure
        returns (int256)
    {
        // Amounts are below 2^192 (liquidity < 2^128, 2^96 / sqrtPrice < 2^64), so the casts are exact.
        return liquidity < 0
            ? -int256(getAmount0Delta(sqrtRatioAX96, sqrtRatioBX96, uint128(-liquidity), false))
            : int256(getAmount0Delta(sqrtRatioAX96, sqrtRatioBX96, uint128(liquidity), true));
    }

    /// @notice Signed token1 delta for a liquidity delta, rounded like `getAmount0Delta`.
    function getAmount1Delta(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, int128 liquidity)
        internal
        pure
        returns (int256)
    {
        return liquidity < 0
            ? -int256(getAmount1Delta(sqrtRatioAX96, sqrtRatioBX96, uint128(-liquidity), false))
            : int256(getAmount1Delta(sqrtRatioAX96, sqrtRatioBX96, uint128(liquidity), true));
    }

    function _toUint160(uint256 x) private pure returns (uint160) {
        if (x > type(uint160).max) CustomRevert.revertWith(uint32(ICognitionPoolErrors.PriceOverflow.selector));
        return uint160(x);
    }
}
