// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {MathHarness} from "../mocks/MathHarness.sol";
import {V3Vectors} from "../utils/V3Vectors.sol";
import {Test} from "forge-std/Test.sol";

contract TickMathTest is Test {
    MathHarness internal math;

    function setUp() public {
        math = new MathHarness();
    }

    function test_getSqrtRatioAtTick_bounds() public view {
        assertEq(math.getSqrtRatioAtTick(TickMath.MIN_TICK), TickMath.MIN_SQRT_RATIO, "MIN_TICK price");
        assertEq(math.getSqrtRatioAtTick(TickMath.MAX_TICK), TickMath.MAX_SQRT_RATIO, "MAX_TICK price");
        assertEq(math.getSqrtRatioAtTick(0), 1 << 96, "tick 0 is price 1");
        assertEq(math.getSqrtRatioAtTick(1), 79_232_123_823_359_799_118_286_999_568, "tick 1");
        assertEq(math.getSqrtRatioAtTick(-1), 79_224_201_403_219_477_170_569_942_574, "tick -1");
    }

    function test_getSqrtRatioAtTick_revertsOutOfRange() public {
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickOutOfRange.selector, TickMath.MIN_TICK - 1));
        math.getSqrtRatioAtTick(TickMath.MIN_TICK - 1);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickOutOfRange.selector, TickMath.MAX_TICK + 1));
        math.getSqrtRatioAtTick(TickMath.MAX_TICK + 1);
    }

    function test_getSqrtRatioAtTick_matchesV3Sdk() public view {
        (int24[] memory ticks, uint160[] memory prices) = V3Vectors.tickToPrice();
        for (uint256 i; i < ticks.length; ++i) {
            assertEq(math.getSqrtRatioAtTick(ticks[i]), prices[i], string.concat("tick ", vm.toString(ticks[i])));
        }
    }

    function test_getTickAtSqrtRatio_matchesV3Sdk() public view {
        (uint160[] memory prices, int24[] memory ticks) = V3Vectors.priceToTick();
        for (uint256 i; i < prices.length; ++i) {
            assertEq(math.getTickAtSqrtRatio(prices[i]), ticks[i], string.concat("price ", vm.toString(prices[i])));
        }
    }

    function test_getTickAtSqrtRatio_bounds() public view {
        assertEq(math.getTickAtSqrtRatio(TickMath.MIN_SQRT_RATIO), TickMath.MIN_TICK, "MIN price");
        assertEq(math.getTickAtSqrtRatio(TickMath.MIN_SQRT_RATIO + 1), TickMath.MIN_TICK, "MIN price + 1");
        assertEq(math.getTickAtSqrtRatio(TickMath.MAX_SQRT_RATIO - 1), TickMath.MAX_TICK - 1, "MAX price - 1");
        assertEq(math.getTickAtSqrtRatio(1 << 96), 0, "price 1");
        assertEq(math.getTickAtSqrtRatio((1 << 96) - 1), -1, "just below price 1");
    }

    function test_getTickAtSqrtRatio_revertsOutOfRange() public {
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.SqrtPriceOutOfRange.selector, TickMath.MIN_SQRT_RATIO - 1)
        );
        math.getTickAtSqrtRatio(TickMath.MIN_SQRT_RATIO - 1);
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.SqrtPriceOutOfRange.selector, TickMath.MAX_SQRT_RATIO)
        );
        math.getTickAtSqrtRatio(TickMath.MAX_SQRT_RATIO);
    }

    /// @dev The defining property: the tick of a tick's own price is the tick, and one wei below it is the tick
    /// below.
    function testFuzz_getTickAtSqrtRatio_inverseAtBoundaries(int24 tick) public view {
        tick = int24(bound(tick, TickMath.MIN_TICK + 1, TickMath.MAX_TICK - 1));
        uint160 price = math.getSqrtRatioAtTick(tick);
        assertEq(math.getTickAtSqrtRatio(price), tick, "tick of its own price");
        assertEq(math.getTickAtSqrtRatio(price - 1), tick - 1, "one wei below the boundary");
    }

    function testFuzz_getTickAtSqrtRatio_bracketsPrice(uint160 price) public view {
        price = uint160(bound(price, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO - 1));
        int24 tick = math.getTickAtSqrtRatio(price);
        assertLe(math.getSqrtRatioAtTick(tick), price, "tick price at or below");
        assertGt(math.getSqrtRatioAtTick(tick + 1), price, "next tick price above");
    }

    function testFuzz_getSqrtRatioAtTick_strictlyIncreasing(int24 tick) public view {
        tick = int24(bound(tick, TickMath.MIN_TICK, TickMath.MAX_TICK - 1));
        assertLt(math.getSqrtRatioAtTick(tick), math.getSqrtRatioAtTick(tick + 1), "increasing");
    }
}
