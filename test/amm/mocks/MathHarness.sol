// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BitMath} from "../../../src/amm/libraries/BitMath.sol";
import {LiquidityMath} from "../../../src/amm/libraries/LiquidityMath.sol";
import {SqrtPriceMath} from "../../../src/amm/libraries/SqrtPriceMath.sol";
import {SwapMath} from "../../../src/amm/libraries/SwapMath.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {FullMath} from "../../../src/libraries/FullMath.sol";
import {LiquidityAmounts} from "../../../src/periphery/libraries/LiquidityAmounts.sol";

/// @notice External wrappers around the pure math libraries, so tests can expect their reverts.
contract MathHarness {
    function getSqrtRatioAtTick(int24 tick) external pure returns (uint160) {
        return TickMath.getSqrtRatioAtTick(tick);
    }

    function getTickAtSqrtRatio(uint160 sqrtPriceX96) external pure returns (int24) {
        return TickMath.getTickAtSqrtRatio(sqrtPriceX96);
    }

    function mulDiv(uint256 a, uint256 b, uint256 d) external pure returns (uint256) {
        return FullMath.mulDiv(a, b, d);
    }

    function mulDivUp(uint256 a, uint256 b, uint256 d) external pure returns (uint256) {
        return FullMath.mulDivUp(a, b, d);
    }

    function addDelta(uint128 x, int128 y) external pure returns (uint128) {
        return LiquidityMath.addDelta(x, y);
    }

    function mostSignificantBit(uint256 x) external pure returns (uint8) {
        return BitMath.mostSignificantBit(x);
    }

    function leastSignificantBit(uint256 x) external pure returns (uint8) {
        return BitMath.leastSignificantBit(x);
    }

    function getNextSqrtPriceFromInput(uint160 sqrtP, uint128 liquidity, uint256 amountIn, bool zeroForOne)
        external
        pure
        returns (uint160)
    {
        return SqrtPriceMath.getNextSqrtPriceFromInput(sqrtP, liquidity, amountIn, zeroForOne);
    }

    function getNextSqrtPriceFromOutput(uint160 sqrtP, uint128 liquidity, uint256 amountOut, bool zeroForOne)
        external
        pure
        returns (uint160)
    {
        return SqrtPriceMath.getNextSqrtPriceFromOutput(sqrtP, liquidity, amountOut, zeroForOne);
    }

    function getAmount0Delta(uint160 a, uint160 b, uint128 liquidity, bool roundUp) external pure returns (uint256) {
        return SqrtPriceMath.getAmount0Delta(a, b, liquidity, roundUp);
    }

    function getAmount1Delta(uint160 a, uint160 b, uint128 liquidity, bool roundUp) external pure returns (uint256) {
        return SqrtPriceMath.getAmount1Delta(a, b, liquidity, roundUp);
    }

    function computeSwapStep(uint160 current, uint160 target, uint128 liquidity, int256 remaining, uint24 fee)
        external
        pure
        returns (uint160, uint256, uint256, uint256)
    {
        return SwapMath.computeSwapStep(current, target, liquidity, remaining, fee);
    }

    function getLiquidityForAmounts(uint160 sqrtP, uint160 a, uint160 b, uint256 amount0, uint256 amount1)
        external
        pure
        returns (uint128)
    {
        return LiquidityAmounts.getLiquidityForAmounts(sqrtP, a, b, amount0, amount1);
    }
}
