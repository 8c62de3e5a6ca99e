// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Oracle} from "../../../src/amm/libraries/Oracle.sol";
import {Tick} from "../../../src/amm/libraries/Tick.sol";
import {TickBitmap} from "../../../src/amm/libraries/TickBitmap.sol";

/// @notice Exposes the storage libraries (tick bitmap, ticks, oracle) over their own storage.
contract TickBitmapHarness {
    using TickBitmap for mapping(int16 => uint256);

    mapping(int16 => uint256) public bitmap;

    function flipTick(int24 tick, int24 tickSpacing) external {
        bitmap.flipTick(tick, tickSpacing);
    }

    function isInitialized(int24 tick, int24 tickSpacing) external view returns (bool) {
        (int24 next, bool initialized) = bitmap.nextInitializedTickWithinOneWord(tick, tickSpacing, true);
        return next == tick && initialized;
    }

    function nextInitializedTickWithinOneWord(int24 tick, int24 tickSpacing, bool lte)
        external
        view
        returns (int24 next, bool initialized)
    {
        return bitmap.nextInitializedTickWithinOneWord(tick, tickSpacing, lte);
    }
}

contract TickHarness {
    using Tick for mapping(int24 => Tick.Info);

    mapping(int24 => Tick.Info) public ticks;

    function tickSpacingToMaxLiquidityPerTick(int24 tickSpacing) external pure returns (uint128) {
        return Tick.tickSpacingToMaxLiquidityPerTick(tickSpacing);
    }

    function setTick(int24 tick, Tick.Info memory info) external {
        ticks[tick] = info;
    }

    function getFeeGrowthInside(int24 lower, int24 upper, int24 current, uint256 global0, uint256 global1)
        external
        view
        returns (uint256, uint256)
    {
        return ticks.getFeeGrowthInside(lower, upper, current, global0, global1);
    }

    function update(
        int24 tick,
        int24 current,
        int128 delta,
        uint256 global0,
        uint256 global1,
        bool upper,
        uint128 maxLiquidity
    ) external returns (bool flipped) {
        return ticks.update(tick, current, delta, global0, global1, upper, maxLiquidity);
    }

    function cross(int24 tick, uint256 global0, uint256 global1) external returns (int128) {
        return ticks.cross(tick, global0, global1);
    }

    function clear(int24 tick) external {
        ticks.clear(tick);
    }
}

contract OracleHarness {
    using Oracle for Oracle.Observation[65_535];

    Oracle.Observation[65_535] public observations;
    uint32 public time;
    int24 public tick;
    uint128 public liquidity;
    uint16 public index;
    uint16 public cardinality;
    uint16 public cardinalityNext;

    function initialize(uint32 time_, int24 tick_, uint128 liquidity_) external {
        time = time_;
        tick = tick_;
        liquidity = liquidity_;
        (cardinality, cardinalityNext) = observations.initialize(time_);
    }

    /// @dev Advances time, then records the state that held until now and switches to the new one.
    function update(uint32 advance, int24 tick_, uint128 liquidity_) external {
        unchecked {
            time += advance;
        }
        (index, cardinality) = observations.write(index, time, tick, liquidity, cardinality, cardinalityNext);
        tick = tick_;
        liquidity = liquidity_;
    }

    function advanceTime(uint32 by) external {
        unchecked {
            time += by;
        }
    }

    function grow(uint16 next) external {
        cardinalityNext = observations.grow(cardinalityNext, next);
    }

    function observe(uint32[] calldata secondsAgos) external view returns (int56[] memory, uint160[] memory) {
        return observations.observe(time, secondsAgos, tick, index, liquidity, cardinality);
    }
}
