// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {MathHarness} from "../mocks/MathHarness.sol";
import {Test} from "forge-std/Test.sol";

contract SmallMathTest is Test {
    MathHarness internal math;

    function setUp() public {
        math = new MathHarness();
    }

    function test_addDelta_edges() public view {
        assertEq(math.addDelta(1, 0), 1, "zero delta");
        assertEq(math.addDelta(1, -1), 0, "down to zero");
        assertEq(math.addDelta(type(uint128).max - 1, 1), type(uint128).max, "up to max");
        assertEq(math.addDelta(type(uint128).max, type(int128).min), (uint128(1) << 127) - 1, "most negative delta");
    }

    function test_addDelta_revertsOutsideRange() public {
        vm.expectRevert(ICognitionPoolErrors.LiquidityOverflow.selector);
        math.addDelta(0, -1);
        vm.expectRevert(ICognitionPoolErrors.LiquidityOverflow.selector);
        math.addDelta(type(uint128).max, 1);
    }

    function testFuzz_addDelta_matchesSignedSum(uint128 x, int128 y) public {
        int256 sum = int256(uint256(x)) + y;
        if (sum < 0 || sum > int256(uint256(type(uint128).max))) {
            try math.addDelta(x, y) {
                fail();
            } catch (bytes memory reason) {
                assertEq(bytes4(reason), ICognitionPoolErrors.LiquidityOverflow.selector, "custom error");
            }
        } else {
            assertEq(math.addDelta(x, y), uint256(sum), "sum");
        }
    }

    function testFuzz_mostSignificantBit(uint256 x) public view {
        x = bound(x, 1, type(uint256).max);
        uint8 msb = math.mostSignificantBit(x);
        assertGe(x, uint256(1) << msb, "bit set");
        if (msb < 255) assertLt(x, uint256(1) << (msb + 1), "no higher bit");
    }

    function testFuzz_leastSignificantBit(uint256 x) public view {
        x = bound(x, 1, type(uint256).max);
        uint8 lsb = math.leastSignificantBit(x);
        assertTrue(x & (uint256(1) << lsb) != 0, "bit set");
        assertEq(x & ((uint256(1) << lsb) - 1), 0, "no lower bit");
    }

    function test_bits_powersOfTwo() public view {
        for (uint8 i; i < 255; ++i) {
            assertEq(math.mostSignificantBit(uint256(1) << i), i, "msb of 2^i");
            assertEq(math.leastSignificantBit(uint256(1) << i), i, "lsb of 2^i");
        }
        assertEq(math.mostSignificantBit(type(uint256).max), 255, "msb of max");
        assertEq(math.leastSignificantBit(type(uint256).max), 0, "lsb of max");
    }
}
