// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {FullMath} from "../../libraries/FullMath.sol";

/// @title LiquidityAmounts
/// @notice The most liquidity that given token amounts can buy over a range, rounded down (the formulas of the
/// Uniswap v3 SDK's `maxLiquidityForAmounts` with `useFullPrecision = false`).
library LiquidityAmounts {
    uint256 internal constant Q96 = 1 << 96;

    /// @notice Thrown when the liquidity does not fit uint128.
    error LiquidityTooLarge();

    /// @dev amount0 * (a * b / 2^96) / (b - a), each division rounded down.
    function getLiquidityForAmount0(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint256 amount0)
        internal
        pure
        returns (uint128)
    {
        return _toUint128(_liquidityForAmount0(sqrtRatioAX96, sqrtRatioBX96, amount0));
    }

    /// @dev amount1 * 2^96 / (b - a), rounded down.
    function getLiquidityForAmount1(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint256 amount1)
        internal
        pure
        returns (uint128)
    {
        return _toUint128(_liquidityForAmount1(sqrtRatioAX96, sqrtRatioBX96, amount1));
    }

    /// @dev The liquidity both amounts can pay for at the current price (the smaller one when in range). In range,
    /// both sides are compared at full width before narrowing: within a few wei of a bound the side that is almost
    /// unused buys more than uint128 liquidity, while the smaller side is mintable.
    function getLiquidityForAmounts(
        uint160 sqrtRatioX96,
        uint160 sqrtRatioAX96,
        uint160 sqrtRatioBX96,
        uint256 amount0,
        uint256 amount1
    ) internal pure returns (uint128 liquidity) {
        if (sqrtRatioAX96 > sqrtRatioBX96) {
            (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        }
        if (sqrtRatioX96 <= sqrtRatioAX96) {
            liquidity = getLiquidityForAmount0(sqrtRatioAX96, sqrtRatioBX96, amount0);
        } else if (sqrtRatioX96 < sqrtRatioBX96) {
            uint256 liquidity0 = _liquidityForAmount0(sqrtRatioX96, sqrtRatioBX96, amount0);
            uint256 liquidity1 = _liquidityForAmount1(sqrtRatioAX96, sqrtRatioX96, amount1);
            liquidity = _toUint128(liquidity0 < liquidity1 ? liquidity0 : liquidity1);
        } else {
            liquidity = getLiquidityForAmount1(sqrtRatioAX96, sqrtRatioBX96, amount1);
        }
    }

    /// @dev amount0 * (a * b / 2^96) / (b - a), each division rounded down, unnarrowed.
    function _liquidityForAmount0(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint256 amount0)
        private
        pure
        returns (uint256)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        uint256 intermediate = FullMath.mulDiv(sqrtRatioAX96, sqrtRatioBX96, Q96);
        return FullMath.mulDiv(amount0, intermediate, sqrtRatioBX96 - sqrtRatioAX96);
    }

    /// @dev amount1 * 2^96 / (b - a), rounded down, unnarrowed.
    function _liquidityForAmount1(uint160 sqrtRatioAX96, uint160 sqrtRatioBX96, uint256 amount1)
        private
        pure
        returns (uint256)
    {
        if (sqrtRatioAX96 > sqrtRatioBX96) (sqrtRatioAX96, sqrtRatioBX96) = (sqrtRatioBX96, sqrtRatioAX96);
        return FullMath.mulDiv(amount1, Q96, sqrtRatioBX96 - sqrtRatioAX96);
    }

    function _toUint128(uint256 x) private pure returns (uint128) {
        if (x > type(uint128).max) revert LiquidityTooLarge();
        return uint128(x);
    }
}
