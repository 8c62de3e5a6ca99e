// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {Oracle} from "../../../src/amm/libraries/Oracle.sol";

/// @title ReferenceOracle
/// @notice The pool's previous `observeSingle` (v3's structure: struct reads, `lte`, a two-slot binary search),
/// kept as the reference the compact packed-slot version is checked against (test/amm/math/OracleReference.t.sol).
library ReferenceOracle {
    /// @dev `last` carried forward to `time` with `tick` and `liquidity` constant since.
    function transform(Oracle.Observation memory last, uint32 time, int24 tick, uint128 liquidity)
        private
        pure
        returns (Oracle.Observation memory)
    {
        unchecked {
            uint32 delta = time - last.blockTimestamp;
            return Oracle.Observation({
                blockTimestamp: time,
                tickCumulative: last.tickCumulative + int56(tick) * int56(uint56(delta)),
                secondsPerLiquidityCumulativeX128: last.secondsPerLiquidityCumulativeX128
                    + ((uint160(delta) << 128) / (liquidity > 0 ? liquidity : 1)),
                initialized: true
            });
        }
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
        Oracle.Observation[65_535] storage self,
        uint32 time,
        uint32 target,
        uint16 index,
        uint16 cardinality
    ) private view returns (Oracle.Observation memory beforeOrAt, Oracle.Observation memory atOrAfter) {
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
        Oracle.Observation[65_535] storage self,
        uint32 time,
        uint32 target,
        int24 tick,
        uint16 index,
        uint128 liquidity,
        uint16 cardinality
    ) private view returns (Oracle.Observation memory beforeOrAt, Oracle.Observation memory atOrAfter) {
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
        Oracle.Observation[65_535] storage self,
        uint32 time,
        uint32 secondsAgo,
        int24 tick,
        uint16 index,
        uint128 liquidity,
        uint16 cardinality
    ) internal view returns (int56 tickCumulative, uint160 secondsPerLiquidityCumulativeX128) {
        if (secondsAgo == 0) {
            Oracle.Observation memory last = self[index];
            if (last.blockTimestamp != time) last = transform(last, time, tick, liquidity);
            return (last.tickCumulative, last.secondsPerLiquidityCumulativeX128);
        }
        uint32 target;
        unchecked {
            target = time - secondsAgo;
        }
        (Oracle.Observation memory beforeOrAt, Oracle.Observation memory atOrAfter) =
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
}

/// @notice One observation buffer written through `Oracle`, read through both `Oracle` and `ReferenceOracle`.
contract OracleDifferentialHarness {
    using Oracle for Oracle.Observation[65_535];

    Oracle.Observation[65_535] internal observations;
    uint32 public time;
    int24 public tick;
    uint128 public liquidity;
    uint16 public index;
    uint16 public cardinality;
    uint16 public cardinalityNext;

    function initialize(uint32 time_, int24 tick_, uint128 liquidity_) external {
        (time, tick, liquidity) = (time_, tick_, liquidity_);
        (cardinality, cardinalityNext) = observations.initialize(time_);
    }

    function update(uint32 advance, int24 tick_, uint128 liquidity_) external {
        unchecked {
            time += advance;
        }
        (index, cardinality) = observations.write(index, time, tick, liquidity, cardinality, cardinalityNext);
        (tick, liquidity) = (tick_, liquidity_);
    }

    function advanceTime(uint32 by) external {
        unchecked {
            time += by;
        }
    }

    function grow(uint16 next) external {
        cardinalityNext = observations.grow(cardinalityNext, next);
    }

    function observeCompact(uint32 secondsAgo) external view returns (int56, uint160) {
        return observations.observeSingle(time, secondsAgo, tick, index, liquidity, cardinality);
    }

    function observeReference(uint32 secondsAgo) external view returns (int56, uint160) {
        return ReferenceOracle.observeSingle(observations, time, secondsAgo, tick, index, liquidity, cardinality);
    }
}
