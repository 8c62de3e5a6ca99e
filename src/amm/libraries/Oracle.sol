// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";
import {CustomRevert} from "./CustomRevert.sol";

/// @title Oracle
/// @notice A ring buffer of up to 65535 observations of the cumulative tick and cumulative seconds per unit of
/// in-range liquidity, written at most once per block, with the semantics of Uniswap v3's oracle: timestamps
/// are uint32 and compared modulo 2^32 relative to the current time, and values between two observations are
/// interpolated linearly.
library Oracle {
    struct Observation {
        uint32 blockTimestamp;
        // Sum of tick * seconds since initialization.
        int56 tickCumulative;
        // Sum of seconds / max(1, liquidity) since initialization, Q128.128.
        uint160 secondsPerLiquidityCumulativeX128;
        bool initialized;
    }

    /// @dev `last` carried forward to `time` with `tick` and `liquidity` constant since.
    function transform(Observation memory last, uint32 time, int24 tick, uint128 liquidity)
        private
        pure
        returns (Observation memory)
    {
        unchecked {
            uint32 delta = time - last.blockTimestamp;
            return Observation({
                blockTimestamp: time,
                tickCumulative: last.tickCumulative + int56(tick) * int56(uint56(delta)),
                secondsPerLiquidityCumulativeX128: last.secondsPerLiquidityCumulativeX128
                    + ((uint160(delta) << 128) / (liquidity > 0 ? liquidity : 1)),
                initialized: true
            });
        }
    }

    /// @dev Writes the first observation.
    /// @return cardinality 1
    /// @return cardinalityNext 1
    function initialize(Observation[65_535] storage self, uint32 time)
        internal
        returns (uint16 cardinality, uint16 cardinalityNext)
    {
        self[0] = Observation({
            blockTimestamp: time, tickCumulative: 0, secondsPerLiquidityCumulativeX128: 0, initialized: true
        });
        return (1, 1);
    }

    /// @dev Appends an observation for `time` unless one exists for this block; the buffer grows to
    /// `cardinalityNext` once the write index reaches the end of the current cardinality.
    /// @param tick The tick that held since the last observation.
    /// @param liquidity The in-range liquidity that held since the last observation.
    function write(
        Observation[65_535] storage self,
        uint16 index,
        uint32 time,
        int24 tick,
        uint128 liquidity,
        uint16 cardinality,
        uint16 cardinalityNext
    ) internal returns (uint16 indexUpdated, uint16 cardinalityUpdated) {
        Observation memory last = self[index];
        if (last.blockTimestamp == time) return (index, cardinality);
        unchecked {
            cardinalityUpdated =
                cardinalityNext > cardinality && index == cardinality - 1 ? cardinalityNext : cardinality;
            indexUpdated = (index + 1) % cardinalityUpdated;
        }
        self[indexUpdated] = transform(last, time, tick, liquidity);
    }

    /// @dev Pre-pays the storage of slots [current, next) so that later writes are cheaper.
    function grow(Observation[65_535] storage self, uint16 current, uint16 next) internal returns (uint16) {
        if (current == 0) CustomRevert.revertWith(uint32(ICognitionPoolErrors.NotInitialized.selector));
        if (next <= current) return current;
        // A non-zero timestamp makes the slot's later write a non-zero to non-zero SSTORE; `initialized` stays
        // false so the slot is never read as data.
        for (uint16 i = current; i < next; ++i) {
            self[i].blockTimestamp = 1;
        }
        return next;
    }

    /// @dev The cumulatives `secondsAgo` seconds before `time` (v3's `observeSingle`, same results): the newest
    /// observation carried forward when the target is at or after it, else the stored observation at the target,
    /// else the interpolation between the two stored observations around it.
    /// Timestamps are compared by age, `time - timestamp` modulo 2^32, so that they may wrap (like v3's `lte`).
    /// @dev Reads packed slots directly (blockTimestamp: bits 0-31, tickCumulative: 32-87,
    /// secondsPerLiquidityCumulativeX128: 88-247, initialized: bit 248), which keeps this off-hot-path code small.
    function observeSingle(
        Observation[65_535] storage self,
        uint32 time,
        uint32 secondsAgo,
        int24 tick,
        uint16 index,
        uint128 liquidity,
        uint16 cardinality
    ) internal view returns (int56 tickCumulative, uint160 secondsPerLiquidityCumulativeX128) {
        unchecked {
            uint32 target = time - secondsAgo;
            uint256 base;
            assembly ("memory-safe") {
                base := self.slot
            }
            uint256 word = _load(base, index);
            if (uint32(time - uint32(word)) >= secondsAgo) {
                // At or after the newest observation: carried forward with the current tick and liquidity.
                uint32 delta = target - uint32(word);
                return (
                    int56(uint56(word >> 32)) + int56(tick) * int56(uint56(delta)),
                    uint160(word >> 88) + uint160((uint256(delta) << 128) / (liquidity > 0 ? liquidity : 1))
                );
            }
            (uint256 before, uint256 next) = _surrounding(base, time, secondsAgo, index, cardinality);
            tickCumulative = int56(uint56(before >> 32));
            secondsPerLiquidityCumulativeX128 = uint160(before >> 88);
            if (uint32(before) == target) return (tickCumulative, secondsPerLiquidityCumulativeX128);
            // Linear interpolation; the tick slope is truncated toward zero before scaling, like v3.
            uint56 span = uint32(next) - uint32(before);
            uint56 elapsed = target - uint32(before);
            tickCumulative += ((int56(uint56(next >> 32)) - tickCumulative) / int56(span)) * int56(elapsed);
            secondsPerLiquidityCumulativeX128 += uint160(
                (uint256(uint160(next >> 88) - secondsPerLiquidityCumulativeX128) * elapsed) / span
            );
        }
    }

    /// @dev The stored observations just before (or at) and just after `secondsAgo` seconds before `time`, which
    /// must be older than the newest one; reverts with `ObservationTooOld` if it precedes the oldest.
    function _surrounding(uint256 base, uint32 time, uint32 secondsAgo, uint16 index, uint16 cardinality)
        private
        view
        returns (uint256 before, uint256 next)
    {
        unchecked {
            // The stored observations, oldest first, are ring positions `oldest + k` for k in [0, hi]: the slots
            // after `index` are uninitialized (grown, not yet written) until the index wraps past them.
            uint256 oldest = (uint256(index) + 1) % cardinality;
            uint256 hi = uint256(cardinality) - 1;
            before = _load(base, oldest);
            if (before >> 248 == 0) {
                (oldest, hi) = (0, index);
                before = _load(base, 0);
            }
            if (uint32(time - uint32(before)) < secondsAgo) {
                CustomRevert.revertWith(
                    uint32(ICognitionPoolErrors.ObservationTooOld.selector), time - secondsAgo, uint32(before)
                );
            }
            // Invariant: position `lo` is at or before the target, position `hi` after it (the newest is after).
            uint256 lo;
            while (hi - lo > 1) {
                uint256 mid = (lo + hi) >> 1;
                if (uint32(time - uint32(_load(base, (oldest + mid) % cardinality))) >= secondsAgo) lo = mid;
                else hi = mid;
            }
            before = _load(base, (oldest + lo) % cardinality);
            next = _load(base, (oldest + hi) % cardinality);
        }
    }

    /// @dev The packed observation at `position` of the buffer whose first slot is `base`.
    function _load(uint256 base, uint256 position) private view returns (uint256 word) {
        assembly ("memory-safe") {
            word := sload(add(base, position))
        }
    }

    /// @dev `observeSingle` for each of `secondsAgos`.
    function observe(
        Observation[65_535] storage self,
        uint32 time,
        uint32[] calldata secondsAgos,
        int24 tick,
        uint16 index,
        uint128 liquidity,
        uint16 cardinality
    ) internal view returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s) {
        if (cardinality == 0) CustomRevert.revertWith(uint32(ICognitionPoolErrors.NotInitialized.selector));
        tickCumulatives = new int56[](secondsAgos.length);
        secondsPerLiquidityCumulativeX128s = new uint160[](secondsAgos.length);
        for (uint256 i; i < secondsAgos.length; ++i) {
            (tickCumulatives[i], secondsPerLiquidityCumulativeX128s[i]) =
                observeSingle(self, time, secondsAgos[i], tick, index, liquidity, cardinality);
        }
    }
}
