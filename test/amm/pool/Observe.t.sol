// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {AmmBase} from "../utils/AmmBase.sol";

contract ObserveTest is AmmBase {
    function setUp() public override {
        super.setUp();
        lp.mint(-6000, 6000, 1e21);
    }

    function _twapTick(uint32 window) internal view returns (int24) {
        uint32[] memory ago = new uint32[](2);
        ago[0] = window;
        (int56[] memory cumulatives,) = pool.observe(ago);
        return int24((cumulatives[1] - cumulatives[0]) / int56(uint56(window)));
    }

    function test_increaseObservationCardinalityNext_growsAndEmits() public {
        vm.expectEmit(address(pool));
        emit ICognitionPool.IncreaseObservationCardinalityNext(1, 50);
        pool.increaseObservationCardinalityNext(50);
        (,,,, uint16 cardNext,,) = pool.slot0();
        assertEq(cardNext, 50, "cardinality next");
        (uint32 ts,,, bool initialized) = pool.observations(49);
        assertEq(ts, 1, "slot pre-paid");
        assertFalse(initialized, "not data");
        pool.increaseObservationCardinalityNext(10);
        (,,,, cardNext,,) = pool.slot0();
        assertEq(cardNext, 50, "never shrinks");
    }

    function test_observe_twapOfPiecewiseConstantTick() public {
        pool.increaseObservationCardinalityNext(10);
        vm.warp(block.timestamp + 600); // tick 0 for 600 s
        trader.swap(false, 1e30, TickMath.getSqrtRatioAtTick(1000));
        vm.warp(block.timestamp + 1200); // tick 1000 for 1200 s
        assertEq(_twapTick(1800), int24(666), "time-weighted tick: 1000 * 1200 / 1800, truncated");
        assertEq(_twapTick(1200), int24(1000), "last 20 minutes");
    }

    function test_observe_secondsPerLiquidityGrowsWithTime() public {
        uint32[] memory ago = new uint32[](1);
        (, uint160[] memory before) = pool.observe(ago);
        vm.warp(block.timestamp + 100);
        (, uint160[] memory later) = pool.observe(ago);
        assertEq(later[0] - before[0], (uint160(100) << 128) / 1e21, "100 s over the in-range liquidity");
    }

    function test_observe_revertsBeforeOldestObservation() public {
        vm.warp(block.timestamp + 10);
        uint32[] memory ago = new uint32[](1);
        ago[0] = 11;
        vm.expectRevert(
            abi.encodeWithSelector(
                ICognitionPoolErrors.ObservationTooOld.selector,
                uint32(block.timestamp - 11),
                uint32(block.timestamp - 10)
            )
        );
        pool.observe(ago);
    }

    function test_observe_monotonicTimestampsInRing() public {
        pool.increaseObservationCardinalityNext(4);
        for (uint256 i; i < 10; ++i) {
            vm.warp(block.timestamp + 13);
            trader.swap(i % 2 == 0, 1e18, i % 2 == 0 ? _minLimit() : _maxLimit());
        }
        (,, uint16 index, uint16 card,,,) = pool.slot0();
        assertEq(card, 4, "grown to 4");
        uint32 previous;
        for (uint256 i = 1; i <= card; ++i) {
            (uint32 ts,,,) = pool.observations((index + i) % card);
            assertGt(ts, previous, "oldest to newest strictly increasing");
            previous = ts;
        }
    }
}
