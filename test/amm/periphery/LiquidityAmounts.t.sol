// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {LiquidityAmounts} from "../../../src/periphery/libraries/LiquidityAmounts.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Liquidity for amounts near a range bound: the side that is almost unused may buy more than uint128
/// liquidity; the manager mints the smaller side, as the Uniswap v3 SDK's `maxLiquidityForAmounts` computes it.
contract LiquidityAmountsTest is Test {
    function _forAmounts(uint160 price, uint160 lower, uint160 upper, uint256 amount0, uint256 amount1)
        external
        pure
        returns (uint128)
    {
        return LiquidityAmounts.getLiquidityForAmounts(price, lower, upper, amount0, amount1);
    }

    function test_getLiquidityForAmounts_oneWeiBelowTheUpperBound_mintsTheSmallerSide() public view {
        uint160 lower = TickMath.getSqrtRatioAtTick(-600);
        uint160 upper = TickMath.getSqrtRatioAtTick(600);
        uint160 price = upper - 1;
        uint256 amount = 1_000_000e18;
        // Token0 over a 1-wei interval alone would buy far more than uint128 liquidity.
        assertGt(
            uint256(amount) * (uint256(price) * upper >> 96) / (upper - price),
            type(uint128).max,
            "token0 side overflows"
        );
        uint128 liquidity = this._forAmounts(price, lower, upper, amount, amount);
        assertEq(liquidity, LiquidityAmounts.getLiquidityForAmount1(lower, price, amount), "the token1 side is minted");
    }

    function test_getLiquidityForAmounts_oneWeiAboveTheLowerBound_mintsTheSmallerSide() public view {
        uint160 lower = TickMath.getSqrtRatioAtTick(-600);
        uint160 upper = TickMath.getSqrtRatioAtTick(600);
        uint160 price = lower + 1;
        uint256 amount = 1_000_000e18;
        uint128 liquidity = this._forAmounts(price, lower, upper, amount, amount);
        assertEq(liquidity, LiquidityAmounts.getLiquidityForAmount0(price, upper, amount), "the token0 side is minted");
    }

    function testFuzz_getLiquidityForAmounts_inRangeIsTheSmallerSide(uint256 offset, uint128 amount0, uint128 amount1)
        public
    {
        uint160 lower = TickMath.getSqrtRatioAtTick(-600);
        uint160 upper = TickMath.getSqrtRatioAtTick(600);
        uint160 price = uint160(bound(offset, uint256(lower) + 1, uint256(upper) - 1));
        uint256 side0 = uint256(amount0) * (uint256(price) * upper >> 96) / (upper - price);
        uint256 side1 = uint256(amount1) * (1 << 96) / (price - lower);
        uint256 smaller = side0 < side1 ? side0 : side1;
        if (smaller > type(uint128).max) {
            vm.expectRevert(LiquidityAmounts.LiquidityTooLarge.selector);
            this._forAmounts(price, lower, upper, amount0, amount1);
        } else {
            assertEq(this._forAmounts(price, lower, upper, amount0, amount1), smaller, "min of the two sides");
        }
    }
}
