// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {Tick} from "../../../src/amm/libraries/Tick.sol";
import {TickHarness} from "../mocks/StorageHarness.sol";
import {Test} from "forge-std/Test.sol";

contract TickTest is Test {
    TickHarness internal ticks;

    function setUp() public {
        ticks = new TickHarness();
    }

    function test_tickSpacingToMaxLiquidityPerTick_v3Values() public view {
        assertEq(
            ticks.tickSpacingToMaxLiquidityPerTick(10), 1_917_569_901_783_203_986_719_870_431_555_990, "spacing 10"
        );
        assertEq(
            ticks.tickSpacingToMaxLiquidityPerTick(60), 11_505_743_598_341_114_571_880_798_222_544_994, "spacing 60"
        );
        assertEq(
            ticks.tickSpacingToMaxLiquidityPerTick(200), 38_350_317_471_085_141_830_651_933_667_504_588, "spacing 200"
        );
        assertEq(ticks.tickSpacingToMaxLiquidityPerTick(887_272), type(uint128).max / 3, "three ticks");
    }

    function _info(uint256 outside0, uint256 outside1) private pure returns (Tick.Info memory info) {
        info.feeGrowthOutside0X128 = outside0;
        info.feeGrowthOutside1X128 = outside1;
        info.liquidityGross = 1;
    }

    function test_getFeeGrowthInside_inRange() public {
        ticks.setTick(-2, _info(2, 3));
        ticks.setTick(2, _info(4, 1));
        (uint256 in0, uint256 in1) = ticks.getFeeGrowthInside(-2, 2, 0, 15, 15);
        assertEq(in0, 9, "15 - 2 below - 4 above");
        assertEq(in1, 11, "15 - 3 below - 1 above");
    }

    function test_getFeeGrowthInside_belowAndAboveRange() public {
        ticks.setTick(-2, _info(2, 3));
        ticks.setTick(2, _info(4, 1));
        (uint256 in0,) = ticks.getFeeGrowthInside(-2, 2, -4, 15, 15);
        // Below the range: below(lower) = 15 - 2, above(upper) = 4.
        unchecked {
            assertEq(in0, uint256(15) - (15 - 2) - 4, "price below the range (wraps)");
        }
        (in0,) = ticks.getFeeGrowthInside(-2, 2, 4, 15, 15);
        assertEq(in0, 15 - 2 - (15 - 4), "price above the range");
    }

    function test_getFeeGrowthInside_wraps() public {
        ticks.setTick(-2, _info(type(uint256).max - 3, 0));
        ticks.setTick(2, _info(3, 0));
        (uint256 in0,) = ticks.getFeeGrowthInside(-2, 2, 0, 15, 15);
        unchecked {
            assertEq(in0, uint256(15) - (type(uint256).max - 3) - 3, "modular arithmetic");
        }
    }

    function test_update_flipsAndInitializesBelowCurrent() public {
        assertTrue(ticks.update(0, 1, 5, 7, 9, false, 10), "unused -> used flips");
        (uint128 gross, int128 net, uint256 out0, uint256 out1) = ticks.ticks(0);
        assertEq(gross, 5, "gross");
        assertEq(net, 5, "lower bound adds");
        assertEq(out0, 7, "growth so far counted below");
        assertEq(out1, 9, "growth so far counted below");
        assertFalse(ticks.update(0, 1, 3, 7, 9, true, 10), "still used: no flip");
        (, net,,) = ticks.ticks(0);
        assertEq(net, 2, "upper bound subtracts");
        assertTrue(ticks.update(0, 1, -8, 7, 9, false, 10), "used -> unused flips");
    }

    function test_update_aboveCurrentStartsAtZero() public {
        ticks.update(5, 1, 1, 7, 9, false, 10);
        (,, uint256 out0, uint256 out1) = ticks.ticks(5);
        assertEq(out0 + out1, 0, "nothing outside above the price");
    }

    function test_update_revertsAboveMaxLiquidity() public {
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickLiquidityOverflow.selector, int24(0)));
        ticks.update(0, 0, 11, 0, 0, false, 10);
    }

    function test_update_revertsOnUnderflow() public {
        vm.expectRevert(ICognitionPoolErrors.LiquidityOverflow.selector);
        ticks.update(0, 0, -1, 0, 0, false, 10);
    }

    function test_cross_flipsOutside() public {
        Tick.Info memory info = _info(2, 3);
        info.liquidityNet = -7;
        ticks.setTick(1, info);
        assertEq(ticks.cross(1, 10, 20), -7, "returns liquidityNet");
        (,, uint256 out0, uint256 out1) = ticks.ticks(1);
        assertEq(out0, 8, "10 - 2");
        assertEq(out1, 17, "20 - 3");
    }

    function test_clear_deletes() public {
        ticks.setTick(1, _info(2, 3));
        ticks.clear(1);
        (uint128 gross,, uint256 out0,) = ticks.ticks(1);
        assertEq(gross + out0, 0, "zeroed");
    }
}
