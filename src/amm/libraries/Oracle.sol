// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";

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
        if (current == 0) revert ICognitionPoolErrors.NotInitialized();
        if (next <= current) return current;
        // A non-zero timestamp makes the slot's later write a non-zero to non-zero SSTORE; `initialized` stays
        // false so the slot is never read as data.
        for (uint16 i = current; i < next; ++i) {
            self[i].blockTimestamp = 1;
        }
        return next;
    }

    /// @dev a <= b for timestamps at most 2^32 - 1 seconds before `time` (either may have wrapped).
    function lte(uint32 time, uint32 a, uint32 b) private pure returns (bool) {
        if (a <= time && b <= time) return a <= b;
        uint256 aAdjusted = a > time ? a : uint256(a) + 2 ** 32;
        uint256 bAdjusted = b > time ? b : uint256(b) + 2 ** 32;
        return aAdjusted <= bAdjusted;
    }

    /// @dev The stored observations around `target`, which must lie within the buffer's time span.
    function binarySearch(
        Observation[65_535] storage self,
        uint32 time,
        uint32 target,
        uint16 index,
        uint16 cardinality
    ) private view returns (Observation memory beforeOrAt, Observation memory atOrAfter) {
        unchecked {
            uint256 l = (uint256(index) + 1) % cardinality; // oldest
            uint256 r = l + cardinality - 1; // newest
            while (true) {
                uint256 i = (l + r) / 2;
                beforeOrAt = self[i % cardinality];
                // Uninitialized slots lie between the newest and the oldest: search right.
                if (!beforeOrAt.initialized) {
                    l = i + 1;
                    continue;
                }
                atOrAfter = self[(i + 1) % cardinality];
                bool targetAtOrAfter = lte(time, beforeOrAt.blockTimestamp, target);
                if (targetAtOrAfter && lte(time, target, atOrAfter.blockTimestamp)) break;
                if (!targetAtOrAfter) r = i - 1;
                else l = i + 1;
            }
        }
    }

    /// @dev The observations at or just before and at or just after `target`; the second is synthesized from
    /// the current state when `target` is after the newest observation.
    function getSurroundingObservations(
        Observation[65_535] storage self,
        uint32 time,
        uint32 target,
        int24 tick,
        uint16 index,
        uint128 liquidity,
        uint16 cardinality
    ) private view returns (Observation memory beforeOrAt, Observation memory atOrAfter) {
        beforeOrAt = self[index];
        if (lte(time, beforeOrAt.blockTimestamp, target)) {
            if (beforeOrAt.blockTimestamp == target) return (beforeOrAt, atOrAfter);
            return (beforeOrAt, transform(beforeOrAt, target, tick, liquidity));
        }
        unchecked {
            beforeOrAt = self[(index + 1) % cardinality];
        }
        if (!beforeOrAt.initialized) beforeOrAt = self[0];
        if (!lte(time, beforeOrAt.blockTimestamp, target)) {
            revert ICognitionPoolErrors.ObservationTooOld(target, beforeOrAt.blockTimestamp);
        }
        return binarySearch(self, time, target, index, cardinality);
    }

    /// @dev The cumulatives `secondsAgo` seconds before `time`.
    function observeSingle(
        Observation[65_535] storage self,
        uint32 time,
        uint32 secondsAgo,
        int24 tick,
        uint16 index,
        uint128 liquidity,
        uint16 cardinality
    ) internal view returns (int56 tickCumulative, uint160 secondsPerLiquidityCumulativeX128) {
        if (secondsAgo == 0) {
            Observation memory last = self[index];
            if (last.blockTimestamp != time) last = transform(last, time, tick, liquidity);
            return (last.tickCumulative, last.secondsPerLiquidityCumulativeX128);
        }
        uint32 target;
        unchecked {
            target = time - secondsAgo;
        }
        (Observation memory beforeOrAt, Observation memory atOrAfter) =
            getSurroundingObservations(self, time, target, tick, index, liquidity, cardinality);
        if (target == beforeOrAt.blockTimestamp) {
            return (beforeOrAt.tickCumulative, beforeOrAt.secondsPerLiquidityCumulativeX128);
        }
        if (target == atOrAfter.blockTimestamp) {
            return (atOrAfter.tickCumulative, atOrAfter.secondsPerLiquidityCumulativeX128);
        }
        unchecked {
            // Linear interpolation; the tick slope is truncated toward zero before scaling, like v3.
            uint56 span = atOrAfter.blockTimestamp - beforeOrAt.blockTimestamp;
            uint56 elapsed = target - beforeOrAt.blockTimestamp;
            tickCumulative = beforeOrAt.tickCumulative
                + ((atOrAfter.tickCumulative - beforeOrAt.tickCumulative) / int56(span)) * int56(elapsed);
            secondsPerLiquidityCumulativeX128 = beforeOrAt.secondsPerLiquidityCumulativeX128
                + uint160(
                    (uint256(atOrAfter.secondsPerLiquidityCumulativeX128 - beforeOrAt.secondsPerLiquidityCumulativeX128)
                            * elapsed) / span
                );
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
        if (cardinality == 0) revert ICognitionPoolErrors.NotInitialized();
        tickCumulatives = new int56[](secondsAgos.length);
        secondsPerLiquidityCumulativeX128s = new uint160[](secondsAgos.length);
        for (uint256 i; i < secondsAgos.length; ++i) {
            (tickCumulatives[i], secondsPerLiquidityCumulativeX128s[i]) =
                observeSingle(self, time, secondsAgos[i], tick, index, liquidity, cardinality);
        }
    }
}
