// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {OracleHarness} from "../mocks/StorageHarness.sol";
import {Test} from "forge-std/Test.sol";

contract OracleTest is Test {
    OracleHarness internal oracle;

    function setUp() public {
        oracle = new OracleHarness();
    }

    function _observe1(uint32 secondsAgo) private view returns (int56 tickCumulative, uint160 secondsPerLiquidity) {
        uint32[] memory ago = new uint32[](1);
        ago[0] = secondsAgo;
        (int56[] memory t, uint160[] memory s) = oracle.observe(ago);
        return (t[0], s[0]);
    }

    function test_initialize_firstObservation() public {
        oracle.initialize(5, 1, 1);
        (uint32 ts, int56 tc, uint160 spl, bool initialized) = oracle.observations(0);
        assertEq(ts, 5, "timestamp");
        assertEq(tc, 0, "tick cumulative starts at 0");
        assertEq(spl, 0, "seconds per liquidity starts at 0");
        assertTrue(initialized, "initialized");
        assertEq(oracle.cardinality(), 1, "cardinality");
        assertEq(oracle.cardinalityNext(), 1, "cardinality next");
    }

    function test_write_oncePerBlockAndOverwritesAtCardinalityOne() public {
        oracle.initialize(0, 3, 4);
        oracle.update(0, 7, 4); // same block: no new observation (tick 7 holds from now)
        assertEq(oracle.index(), 0, "same block keeps index");
        (uint32 ts, int56 tc,,) = oracle.observations(0);
        assertEq(ts, 0, "first observation untouched");
        oracle.update(10, 7, 4);
        assertEq(oracle.index(), 0, "ring of one");
        uint160 spl;
        (ts, tc, spl,) = oracle.observations(0);
        assertEq(ts, 10, "timestamp");
        assertEq(tc, 70, "tick 7 for 10 s");
        assertEq(spl, (uint160(10) << 128) / 4, "10 s over liquidity 4");
    }

    function test_grow_appliesWhenIndexReachesEnd() public {
        oracle.initialize(0, 0, 1);
        oracle.grow(3);
        assertEq(oracle.cardinality(), 1, "not until written");
        oracle.update(1, 0, 1);
        assertEq(oracle.cardinality(), 3, "grown on write");
        assertEq(oracle.index(), 1, "next slot");
    }

    function test_grow_revertsUninitialized() public {
        vm.expectRevert(ICognitionPoolErrors.NotInitialized.selector);
        oracle.grow(2);
    }

    function test_observe_interpolatesBetweenObservations() public {
        oracle.initialize(0, 0, 1);
        oracle.grow(4);
        oracle.update(10, 5, 1); // tick 0 for [0, 10]
        oracle.update(10, -3, 1); // tick 5 for [10, 20]
        oracle.advanceTime(10); // tick -3 for [20, 30]
        (int56 now_,) = _observe1(0);
        assertEq(now_, 0 + 50 - 30, "counterfactual at now");
        (int56 at15,) = _observe1(15);
        assertEq(at15, 25, "interpolated at t = 15");
        (int56 at20,) = _observe1(10);
        assertEq(at20, 50, "exactly at an observation");
        (int56 at0,) = _observe1(30);
        assertEq(at0, 0, "oldest");
    }

    function test_observe_interpolationTruncatesSlopeTowardZero() public {
        oracle.initialize(0, 0, 1);
        oracle.grow(2);
        oracle.update(3, -1, 1);
        oracle.update(3, 0, 1); // tick -1 for 3 s: cumulative -3 over [3, 6]
        // slope -3 / 3 = -1 exactly; now check a non-integer slope: tick cumulative -3 over 3 s at 1 s in.
        (int56 at4,) = _observe1(2);
        assertEq(at4, -1, "-3 / 3 * 1");
    }

    function test_observe_revertsTooOld() public {
        oracle.initialize(100, 0, 1);
        oracle.advanceTime(10);
        uint32[] memory ago = new uint32[](1);
        ago[0] = 11;
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.ObservationTooOld.selector, uint32(99), uint32(100))
        );
        oracle.observe(ago);
    }

    function test_observe_revertsUninitialized() public {
        uint32[] memory ago = new uint32[](1);
        vm.expectRevert(ICognitionPoolErrors.NotInitialized.selector);
        oracle.observe(ago);
    }

    function test_observe_worksAcrossTimestampOverflow() public {
        oracle.initialize(type(uint32).max - 5, 2, 1);
        oracle.grow(2);
        oracle.update(10, 2, 1); // wraps to 4
        assertEq(oracle.time(), 4, "wrapped");
        (int56 at,) = _observe1(5);
        assertEq(at, 10, "tick 2 for 5 s across the wrap");
        (int56 oldest,) = _observe1(10);
        assertEq(oldest, 0, "oldest before the wrap");
    }

    function testFuzz_observe_monotonicForConstantPositiveTick(uint32 a, uint32 b) public {
        oracle.initialize(1000, 7, 1);
        oracle.grow(8);
        for (uint256 i; i < 6; ++i) {
            oracle.update(13, 7, 1);
        }
        a = uint32(bound(a, 0, 78));
        b = uint32(bound(b, 0, 78));
        (int56 ca,) = _observe1(a);
        (int56 cb,) = _observe1(b);
        assertEq(ca - cb, int56(7) * (int56(uint56(b)) - int56(uint56(a))), "cumulative grows 7 per second");
    }
}
