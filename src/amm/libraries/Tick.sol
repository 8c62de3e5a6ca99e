// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";
import {CustomRevert} from "./CustomRevert.sol";
import {LiquidityMath} from "./LiquidityMath.sol";
import {TickMath} from "./TickMath.sol";

/// @title Tick
/// @notice Per-tick state. "Outside" fee growth is accumulated on the side of the tick away from the current
/// price (whitepaper 6.3): it is flipped (global - outside) at every crossing, so that the growth inside a
/// range is global - below(lower) - above(upper). A tick is initialized iff its gross liquidity is non-zero.
/// @dev Unlike Uniswap v3, ticks keep no oracle accumulators (tick-cumulative, seconds-per-liquidity and
/// seconds outside): they only serve v3's `snapshotCumulativesInside`, which this pool does not offer, and
/// would cost a fourth storage slot on every new tick and every crossing.
library Tick {
    struct Info {
        // Total liquidity of the positions that use the tick as a bound.
        uint128 liquidityGross;
        // Liquidity added when crossing the tick left to right (subtracted right to left).
        int128 liquidityNet;
        uint256 feeGrowthOutside0X128;
        uint256 feeGrowthOutside1X128;
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
        bool upper,
        uint128 maxLiquidity
    ) internal returns (bool flipped) {
        Info storage info = self[tick];
        uint128 grossBefore = info.liquidityGross;
        uint128 grossAfter = LiquidityMath.addDelta(grossBefore, liquidityDelta);
        if (grossAfter > maxLiquidity) {
            CustomRevert.revertWith(uint32(ICognitionPoolErrors.TickLiquidityOverflow.selector), uint256(int256(tick)));
        }

        flipped = (grossAfter == 0) != (grossBefore == 0);
        if (grossBefore == 0 && tick <= tickCurrent) {
            info.feeGrowthOutside0X128 = feeGrowthGlobal0X128;
            info.feeGrowthOutside1X128 = feeGrowthGlobal1X128;
        }
        // Checked: |net| <= gross <= maxLiquidity < 2^127, so this cannot overflow for valid deltas.
        int128 net = upper ? info.liquidityNet - liquidityDelta : info.liquidityNet + liquidityDelta;
        uint256 packed = uint256(grossAfter) | (uint256(uint128(net)) << 128);
        // One write of the packed slot (liquidityGross: low 128 bits, liquidityNet: high 128 bits).
        assembly ("memory-safe") {
            sstore(info.slot, packed)
        }
    }

    /// @dev Deletes a tick that no position references any more.
    function clear(mapping(int24 => Info) storage self, int24 tick) internal {
        delete self[tick];
    }

    /// @dev Flips the outside fee growth of a tick being crossed.
    /// @return liquidityNet The tick's liquidityNet (to be negated when crossing right to left).
    function cross(
        mapping(int24 => Info) storage self,
        int24 tick,
        uint256 feeGrowthGlobal0X128,
        uint256 feeGrowthGlobal1X128
    ) internal returns (int128 liquidityNet) {
        Info storage info = self[tick];
        unchecked {
            info.feeGrowthOutside0X128 = feeGrowthGlobal0X128 - info.feeGrowthOutside0X128;
            info.feeGrowthOutside1X128 = feeGrowthGlobal1X128 - info.feeGrowthOutside1X128;
        }
        liquidityNet = info.liquidityNet;
    }
}
