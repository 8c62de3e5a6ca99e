// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {PoolActor} from "../../amm/utils/PoolActor.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice The in-range liquidity floor of `borrowPrice`: the harmonic-mean in-range liquidity of each window it reads,
/// from the pool's `secondsPerLiquidityCumulativeX128`, against `minInRangeLiquidity`. The pool: THIN_LIQUIDITY
/// (8e16) in range over +-12,000 ticks, nothing outside.
contract ShareOracleLiquidityFloorTest is OracleBase {
    uint256 internal constant Q128 = 1 << 128;

    function _oracleWithFloor(uint128 floor) internal returns (ShareOracle) {
        IShareOracle.Config memory config = _config();
        config.minInRangeLiquidity = floor;
        return new ShareOracle(config);
    }

    /// @dev The harmonic-mean in-range liquidity of the window that ended `endSecondsAgo` ago, from the pool's own
    /// accumulator (the definition the oracle implements).
    function _harmonicMean(uint32 endSecondsAgo) internal view returns (uint256) {
        uint32[] memory secondsAgos = new uint32[](2);
        (secondsAgos[0], secondsAgos[1]) = (endSecondsAgo + WINDOW, endSecondsAgo);
        (, uint160[] memory perLiquidity) = cogPool.observe(secondsAgos);
        return (uint256(WINDOW) << 128) / (perLiquidity[1] - perLiquidity[0]);
    }

    /// @dev Moves the price beyond the LP's range (no liquidity in range) for `seconds_`, then back.
    function _emptyStretch(uint256 seconds_) internal {
        _tradeToTick(attacker, _shareIsToken0() ? startTick + 2 * RANGE_TICKS : startTick - 2 * RANGE_TICKS);
        _skip(seconds_);
        _tradeToTick(attacker, startTick);
    }

    function test_constructor_zeroFloorReverts() public {
        vm.expectRevert(IShareOracle.InvalidLiquidityFloor.selector);
        _oracleWithFloor(0);
    }

    function test_floor_isRecordedAndEmitted() public {
        assertEq(_oracleWithFloor(12_345).minInRangeLiquidity(), 12_345, "immutable");
    }

    /// @dev Constant liquidity L over both windows: the harmonic mean is L to a unit (the accumulator's and the
    /// quotient's floor divisions). A floor of exactly the measured mean passes, one above it fails on the older window
    /// (checked first) with the figures.
    function test_floor_boundary() public {
        uint256 older = _harmonicMean(WINDOW);
        uint256 last = _harmonicMean(0);
        assertApproxEqAbs(older, THIN_LIQUIDITY, 1, "harmonic mean = L, to a unit");
        assertApproxEqAbs(last, THIN_LIQUIDITY, 1, "same liquidity, same mean");
        uint256 lowest = older < last ? older : last;
        uint256 highest = older < last ? last : older;
        uint256 fair = _oracleWithFloor(uint128(lowest)).borrowPrice();
        assertGt(fair, 0, "at the floor: borrows");
        ShareOracle above = _oracleWithFloor(uint128(highest + 1));
        vm.expectRevert(
            abi.encodeWithSelector(IShareOracle.InRangeLiquidityTooLow.selector, WINDOW, older, uint128(highest + 1))
        );
        above.borrowPrice();
        assertEq(above.price(), _oracleWithFloor(1).price(), "price() ignores the floor");
    }

    /// @dev A floor of 1 accepts even windows with no liquidity in range at all (the pool counts none as 1): the
    /// price parked beyond the LP's range for both windows, spot and TWAP agree, and only the floor can stop it.
    function test_floor_oneAcceptsEmptyWindows() public {
        ShareOracle any = _oracleWithFloor(1);
        ShareOracle floored = _sameTokenOracle();
        _tradeToTick(attacker, _shareIsToken0() ? startTick + 2 * RANGE_TICKS : startTick - 2 * RANGE_TICKS);
        _skip(2 * WINDOW);
        assertEq(_harmonicMean(WINDOW), 1, "a whole window at no liquidity: 1");
        assertEq(_harmonicMean(0), 1, "both");
        assertGt(any.borrowPrice(), 0, "floor 1: borrows");
        vm.expectRevert(
            abi.encodeWithSelector(IShareOracle.InRangeLiquidityTooLow.selector, WINDOW, 1, LIQUIDITY_FLOOR)
        );
        floored.borrowPrice();
    }

    /// @dev One empty block (12 s of 1,800) caps the window's harmonic mean below 1,800 / 12 = 150, whatever liquidity
    /// held the rest of it: any floor above that stops borrows for the two windows that contain it, and price() keeps
    /// answering throughout; borrows resume once the stretch has left both.
    function test_floor_zeroLiquidityStretchStopsBorrowsForTwoWindows() public {
        ShareOracle oracle = _sameTokenOracle();
        uint256 fair = oracle.borrowPrice();
        _emptyStretch(BLOCK_TIME);
        _skip(BLOCK_TIME);
        assertLt(_harmonicMean(0), WINDOW / BLOCK_TIME, "one empty block: below 150");
        vm.expectPartialRevert(IShareOracle.InRangeLiquidityTooLow.selector);
        oracle.borrowPrice();
        assertGt(oracle.price(), 0, "price() answers");
        _skip(WINDOW);
        assertLt(_harmonicMean(WINDOW), WINDOW / BLOCK_TIME, "now in the older window");
        assertGe(_harmonicMean(0), THIN_LIQUIDITY, "the last window is whole again");
        vm.expectRevert(
            abi.encodeWithSelector(
                IShareOracle.InRangeLiquidityTooLow.selector, WINDOW, _harmonicMean(WINDOW), LIQUIDITY_FLOOR
            )
        );
        oracle.borrowPrice();
        assertGt(oracle.price(), 0, "price() answers");
        _skip(WINDOW);
        assertEq(oracle.borrowPrice(), fair, "both windows whole: borrows resume at the same price");
    }

    /// @dev A thin (non-empty) stretch: `s` seconds at liquidity `l` in a window otherwise at `L` give a harmonic mean
    /// of `W / ((W - s) / L + s / l)`. With l = L / 100 for 60 s of 1,800 the mean is 0.23 L: below the floor (L / 2).
    /// The same thinness for one block (12 s) gives 0.60 L, above it: the floor weighs how thin by how long.
    function test_floor_thinStretchIsWeighedByTime() public {
        ShareOracle oracle = _sameTokenOracle();
        // A thin position just beyond the LP's range.
        PoolActor thinLp = _newActorOn(cogPool, cog, "thinLp");
        int24 center = startTick / 60 * 60;
        int24 lower = _shareIsToken0() ? center + RANGE_TICKS : center - 3 * RANGE_TICKS;
        int24 upper = _shareIsToken0() ? center + 3 * RANGE_TICKS : center - RANGE_TICKS;
        thinLp.mint(lower, upper, THIN_LIQUIDITY / 100);
        int24 inThin = _shareIsToken0() ? center + 2 * RANGE_TICKS : center - 2 * RANGE_TICKS;
        _tradeToTick(attacker, inThin);
        _skip(60);
        _tradeToTick(attacker, startTick);
        _skip(WINDOW - 60);
        uint256 expected = uint256(WINDOW) * THIN_LIQUIDITY / ((WINDOW - 60) + 60 * 100);
        assertApproxEqRel(_harmonicMean(0), expected, 0.001e18, "W / ((W - s) / L + s / l)");
        vm.expectPartialRevert(IShareOracle.InRangeLiquidityTooLow.selector);
        oracle.borrowPrice();

        _skip(2 * WINDOW);
        // 12 s at L / 100: W / (1788 / L + 1200 / L) = L * 1800 / 2988 = 0.60 L, above the floor.
        _tradeToTick(attacker, inThin);
        _skip(BLOCK_TIME);
        _tradeToTick(attacker, startTick);
        _skip(WINDOW - 2 * BLOCK_TIME);
        assertApproxEqRel(
            _harmonicMean(0), uint256(WINDOW) * THIN_LIQUIDITY / ((WINDOW - 12) + 12 * 100), 0.001e18, "one block"
        );
        assertGt(_harmonicMean(0), LIQUIDITY_FLOOR, "above the floor");
        oracle.borrowPrice();
    }
}

contract ShareOracleLiquidityFloorToken1Test is ShareOracleLiquidityFloorTest {
    function _shareIsToken0() internal pure override returns (bool) {
        return false;
    }
}
