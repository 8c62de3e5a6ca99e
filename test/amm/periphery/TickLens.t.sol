// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ITickLens} from "../../../src/periphery/interfaces/ITickLens.sol";
import {PeripheryBase} from "../utils/PeripheryBase.sol";

contract TickLensTest is PeripheryBase {
    function setUp() public override {
        super.setUp();
        lp.mint(-600, 600, 1e18);
        lp.mint(-60, 60_000, 2e18);
        lp.mint(TickMath.MIN_TICK / 60 * 60, TickMath.MAX_TICK / 60 * 60, 3e18);
    }

    function test_getPopulatedTicksInWord_descending() public view {
        ITickLens.PopulatedTick[] memory ticks = lens.getPopulatedTicksInWord(address(pool), 0);
        assertEq(ticks.length, 1, "one tick in word 0 (600)");
        assertEq(ticks[0].tick, 600, "tick");
        assertEq(ticks[0].liquidityNet, -1e18, "net");
        ticks = lens.getPopulatedTicksInWord(address(pool), -1);
        assertEq(ticks.length, 2, "-600 and -60");
        assertEq(ticks[0].tick, -60, "descending");
        assertEq(ticks[1].tick, -600, "descending");
    }

    function test_getPopulatedTicksInWordRange_allAscendingSumToZero() public view {
        (int16 lo, int16 hi) = lens.wordRange(60);
        ITickLens.PopulatedTick[] memory ticks = lens.getPopulatedTicksInWordRange(address(pool), lo, hi);
        assertEq(ticks.length, 6, "six initialized ticks");
        int256 net;
        for (uint256 i; i < ticks.length; ++i) {
            if (i > 0) assertGt(ticks[i].tick, ticks[i - 1].tick, "ascending");
            net += ticks[i].liquidityNet;
            (uint128 gross,,,,,,,) = pool.ticks(ticks[i].tick);
            assertEq(ticks[i].liquidityGross, gross, "gross");
        }
        assertEq(net, 0, "nets cancel");
        assertEq(ticks[0].tick, TickMath.MIN_TICK / 60 * 60, "lowest");
        assertEq(ticks[5].tick, TickMath.MAX_TICK / 60 * 60, "highest");
    }

    function test_wordRange_coversUsableTicks() public view {
        (int16 lo, int16 hi) = lens.wordRange(10);
        assertEq(lo, -347, "spacing 10 low word");
        assertEq(hi, 346, "spacing 10 high word");
        (lo, hi) = lens.wordRange(1);
        assertEq(lo, -3466, "spacing 1 low word");
        assertEq(hi, 3465, "spacing 1 high word");
    }

    function test_getPopulatedTicksInWordRange_revertsInverted() public {
        vm.expectRevert(abi.encodeWithSelector(ITickLens.InvalidWordRange.selector, int16(1), int16(0)));
        lens.getPopulatedTicksInWordRange(address(pool), 1, 0);
    }
}
