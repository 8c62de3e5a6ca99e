// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";
import {LiquidityMath} from "./LiquidityMath.sol";
import {TickMath} from "./TickMath.sol";

/// @title Tick
/// @notice Per-tick state. "Outside" values are accumulated on the side of the tick away from the current
/// price (whitepaper 6.3): they are flipped (global - outside) at every crossing, so that the growth inside a
/// range is global - below(lower) - above(upper).
library Tick {
    struct Info {
        // Total liquidity of the positions that use the tick as a bound.
        uint128 liquidityGross;
        // Liquidity added when crossing the tick left to right (subtracted right to left).
        int128 liquidityNet;
        uint256 feeGrowthOutside0X128;
        uint256 feeGrowthOutside1X128;
        int56 tickCumulativeOutside;
        uint160 secondsPerLiquidityOutsideX128;
        uint32 secondsOutside;
        bool initialized;
    }

    /// @dev The cap on the gross liquidity of one tick, so that the sum over every usable tick fits uint128.
    function tickSpacingToMaxLiquidityPerTick(int24 tickSpacing) internal pure returns (uint128) {
        unchecked {
            int24 minTick = (TickMath.MIN_TICK / tickSpacing) * tickSpacing;
            int24 maxTick = (TickMath.MAX_TICK / tickSpacing) * tickSpacing;
            uint24 numTicks = uint24((maxTick - minTick) / tickSpacing) + 1;
            return type(uint128).max / numTicks;
        }
    }

    /// @dev Fee growth per unit of liquidity inside [tickLower, tickUpper); wraps modulo 2^256 by design.
    function getFeeGrowthInside(
        mapping(int24 => Info) storage self,
        int24 tickLower,
        int24 tickUpper,
        int24 tickCurrent,
        uint256 feeGrowthGlobal0X128,
        uint256 feeGrowthGlobal1X128
    ) internal view returns (uint256 feeGrowthInside0X128, uint256 feeGrowthInside1X128) {
        Info storage lower = self[tickLower];
        Info storage upper = self[tickUpper];
        unchecked {
            uint256 below0 = lower.feeGrowthOutside0X128;
            uint256 below1 = lower.feeGrowthOutside1X128;
            if (tickCurrent < tickLower) {
                below0 = feeGrowthGlobal0X128 - below0;
                below1 = feeGrowthGlobal1X128 - below1;
            }
            uint256 above0 = upper.feeGrowthOutside0X128;
            uint256 above1 = upper.feeGrowthOutside1X128;
            if (tickCurrent >= tickUpper) {
                above0 = feeGrowthGlobal0X128 - above0;
                above1 = feeGrowthGlobal1X128 - above1;
            }
            feeGrowthInside0X128 = feeGrowthGlobal0X128 - below0 - above0;
            feeGrowthInside1X128 = feeGrowthGlobal1X128 - below1 - above1;
        }
    }

    /// @dev Whether `tick` is referenced by no position yet (gross liquidity zero).
    function isUnused(mapping(int24 => Info) storage self, int24 tick) internal view returns (bool) {
        return self[tick].liquidityGross == 0;
    }

    /// @dev Applies a position's liquidity delta to one of its bounds. A tick referenced for the first time at
    /// or below the current tick starts with all growth so far counted as "below" it (the convention of v3).
    /// @return flipped Whether the tick went from unused to used or back.
    function update(
        mapping(int24 => Info) storage self,
        int24 tick,
        int24 tickCurrent,
        int128 liquidityDelta,
        uint256 feeGrowthGlobal0X128,
        uint256 feeGrowthGlobal1X128,
        uint160 secondsPerLiquidityCumulativeX128,
        int56 tickCumulative,
        uint32 time,
        bool upper,
        uint128 maxLiquidity
    ) internal returns (bool flipped) {
        Info storage info = self[tick];
        uint128 grossBefore = info.liquidityGross;
        uint128 grossAfter = LiquidityMath.addDelta(grossBefore, liquidityDelta);
        if (grossAfter > maxLiquidity) revert ICognitionPoolErrors.TickLiquidityOverflow(tick);

        flipped = (grossAfter == 0) != (grossBefore == 0);
        if (grossBefore == 0) {
            if (tick <= tickCurrent) {
                info.feeGrowthOutside0X128 = feeGrowthGlobal0X128;
                info.feeGrowthOutside1X128 = feeGrowthGlobal1X128;
                info.secondsPerLiquidityOutsideX128 = secondsPerLiquidityCumulativeX128;
                info.tickCumulativeOutside = tickCumulative;
                info.secondsOutside = time;
            }
            info.initialized = true;
        }
        info.liquidityGross = grossAfter;
        // Checked: |net| <= gross <= maxLiquidity < 2^127, so this cannot overflow for valid deltas.
        info.liquidityNet = upper ? info.liquidityNet - liquidityDelta : info.liquidityNet + liquidityDelta;
    }

    /// @dev Deletes a tick that no position references any more.
    function clear(mapping(int24 => Info) storage self, int24 tick) internal {
        delete self[tick];
    }

    /// @dev Flips the outside accumulators of a tick being crossed.
    /// @return liquidityNet The tick's liquidityNet (to be negated when crossing right to left).
    function cross(
        mapping(int24 => Info) storage self,
        int24 tick,
        uint256 feeGrowthGlobal0X128,
        uint256 feeGrowthGlobal1X128,
        uint160 secondsPerLiquidityCumulativeX128,
        int56 tickCumulative,
        uint32 time
    ) internal returns (int128 liquidityNet) {
        Info storage info = self[tick];
        unchecked {
            info.feeGrowthOutside0X128 = feeGrowthGlobal0X128 - info.feeGrowthOutside0X128;
            info.feeGrowthOutside1X128 = feeGrowthGlobal1X128 - info.feeGrowthOutside1X128;
            info.secondsPerLiquidityOutsideX128 = secondsPerLiquidityCumulativeX128 - info.secondsPerLiquidityOutsideX128;
            info.tickCumulativeOutside = tickCumulative - info.tickCumulativeOutside;
            info.secondsOutside = time - info.secondsOutside;
        }
        liquidityNet = info.liquidityNet;
    }
}
