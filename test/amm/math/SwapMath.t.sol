// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {MathHarness} from "../mocks/MathHarness.sol";
import {V3Vectors} from "../utils/V3Vectors.sol";
import {Test} from "forge-std/Test.sol";

contract SwapMathTest is Test {
    uint160 internal constant ONE = 1 << 96;
    MathHarness internal math;

    function setUp() public {
        math = new MathHarness();
    }

    function test_computeSwapStep_matchesV3Sdk() public view {
        V3Vectors.Step[] memory steps = V3Vectors.swapSteps();
        for (uint256 i; i < steps.length; ++i) {
            V3Vectors.Step memory s = steps[i];
            (uint160 next, uint256 amountIn, uint256 amountOut, uint256 feeAmount) =
                math.computeSwapStep(s.current, s.target, s.liquidity, s.remaining, s.fee);
            string memory label = vm.toString(i);
            assertEq(next, s.next, string.concat("next price ", label));
            assertEq(amountIn, s.amountIn, string.concat("amount in ", label));
            assertEq(amountOut, s.amountOut, string.concat("amount out ", label));
            assertEq(feeAmount, s.feeAmount, string.concat("fee ", label));
        }
    }

    function test_computeSwapStep_exactInReachesTarget() public view {
        uint160 target = math.getSqrtRatioAtTick(60);
        (uint160 next, uint256 amountIn, uint256 amountOut, uint256 fee) =
            math.computeSwapStep(ONE, target, 1e18, 1e18, 3000);
        assertEq(next, target, "stops at the target");
        assertEq(amountIn, math.getAmount1Delta(ONE, target, 1e18, true), "input to the target, rounded up");
        assertEq(amountOut, math.getAmount0Delta(ONE, target, 1e18, false), "output to the target, rounded down");
        assertEq(fee, math.mulDivUp(amountIn, 3000, 1e6 - 3000), "fee on the input, rounded up");
    }

    function test_computeSwapStep_exactInStopsShortTakesRemainderAsFee() public view {
        uint160 target = math.getSqrtRatioAtTick(6000);
        (uint160 next, uint256 amountIn,, uint256 fee) = math.computeSwapStep(ONE, target, 1e18, 1e15, 3000);
        assertLt(next, target, "stops before the target");
        assertEq(amountIn + fee, 1e15, "whole input used");
    }

    function test_computeSwapStep_exactOutCapsOutput() public view {
        uint160 target = math.getSqrtRatioAtTick(-6000);
        (uint160 next,, uint256 amountOut,) = math.computeSwapStep(ONE, target, 1e18, -1e15, 500);
        assertGt(next, target, "stops before the target");
        assertEq(amountOut, 1e15, "exactly the requested output");
    }

    function testFuzz_computeSwapStep_boundsAmounts(
        uint160 current,
        uint160 target,
        uint128 liquidity,
        int256 remaining,
        uint24 feePips
    ) public view {
        current = uint160(bound(current, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO - 1));
        target = uint160(bound(target, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO - 1));
        liquidity = uint128(bound(liquidity, 1, type(uint128).max));
        remaining = bound(remaining, -int256(1 << 200), int256(1 << 200));
        if (remaining == 0) remaining = 1;
        feePips = uint24(bound(feePips, 0, 999_999));
        (uint160 next, uint256 amountIn, uint256 amountOut, uint256 fee) =
            math.computeSwapStep(current, target, liquidity, remaining, feePips);
        bool zeroForOne = current >= target;
        if (zeroForOne) assertTrue(next <= current && next >= target, "price between current and target");
        else assertTrue(next >= current && next <= target, "price between current and target");
        if (remaining > 0) assertLe(amountIn + fee, uint256(remaining), "exact in: spends at most the input");
        else assertLe(amountOut, uint256(-remaining), "exact out: pays at most the output");
        if (next == current) assertEq(amountOut, 0, "no move, no output");
    }
}
