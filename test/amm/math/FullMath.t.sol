// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {MathHarness} from "../mocks/MathHarness.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Test} from "forge-std/Test.sol";

contract FullMathTest is Test {
    MathHarness internal math;

    function setUp() public {
        math = new MathHarness();
    }

    function test_mulDiv_fullPrecision() public view {
        uint256 max = type(uint256).max;
        assertEq(math.mulDiv(max, max, max), max, "max * max / max");
        assertEq(math.mulDiv(1 << 255, 4, 8), 1 << 254, "512-bit intermediate");
        assertEq(math.mulDivUp(max, max, max), max, "exact: no rounding up");
        assertEq(math.mulDivUp(1, 1, 3), 1, "1/3 rounded up");
        assertEq(math.mulDiv(1, 1, 3), 0, "1/3 rounded down");
    }

    function test_mulDiv_revertsOnZeroDenominator() public {
        vm.expectRevert(ICognitionPoolErrors.MulDivOverflow.selector);
        math.mulDiv(1, 1, 0);
        vm.expectRevert(ICognitionPoolErrors.MulDivOverflow.selector);
        math.mulDiv(1 << 200, 1 << 200, 0);
    }

    function test_mulDiv_revertsOnOverflow() public {
        vm.expectRevert(ICognitionPoolErrors.MulDivOverflow.selector);
        math.mulDiv(type(uint256).max, type(uint256).max, type(uint256).max - 1);
    }

    function test_mulDivUp_revertsWhenRoundingUpOverflows() public {
        // 23 * b = 3 * max + 2: the floor is max with a remainder, so rounding up leaves 256 bits.
        uint256 b =
            15_103_315_987_476_025_490_030_998_044_611_466_241_730_867_565_083_551_831_233_597_914_075_625_605_209;
        assertEq(math.mulDiv(23, b, 3), type(uint256).max, "floor is max");
        vm.expectRevert(ICognitionPoolErrors.MulDivOverflow.selector);
        math.mulDivUp(23, b, 3);
    }

    function testFuzz_mulDiv_matchesOpenZeppelin(uint256 a, uint256 b, uint256 d) public {
        (uint256 hi,) = _mul512(a, b);
        if (hi == type(uint256).max) return; // no denominator makes the quotient fit
        d = bound(d, hi + 1, type(uint256).max); // the quotient fits 256 bits
        uint256 floor = math.mulDiv(a, b, d);
        assertEq(floor, Math.mulDiv(a, b, d), "floor");
        if (floor == type(uint256).max && mulmod(a, b, d) != 0) {
            // Rounding up would need 257 bits: ours reverts with its custom error (OpenZeppelin panics).
            vm.expectRevert(ICognitionPoolErrors.MulDivOverflow.selector);
            math.mulDivUp(a, b, d);
        } else {
            assertEq(math.mulDivUp(a, b, d), Math.mulDiv(a, b, d, Math.Rounding.Ceil), "ceil");
        }
    }

    /// @dev The counterexample the ci profile's fuzzer found: a floor of 2^256 - 1 with a remainder.
    function test_mulDivUp_matchesOpenZeppelinAtTheTop() public {
        testFuzz_mulDiv_matchesOpenZeppelin(type(uint256).max - 1, type(uint256).max - 3, 6);
    }

    function _mul512(uint256 a, uint256 b) private pure returns (uint256 hi, uint256 lo) {
        assembly {
            let mm := mulmod(a, b, not(0))
            lo := mul(a, b)
            hi := sub(sub(mm, lo), lt(mm, lo))
        }
    }
}
