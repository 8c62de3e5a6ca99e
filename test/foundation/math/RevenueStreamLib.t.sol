// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RevenueStream, RevenueStreamLib} from "../../../src/registry/libraries/RevenueStreamLib.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Fuzz tests of the accumulator math: the linear release (`releasedAt`) and the pro-rata credit
/// (`creditDown`). Streams are shaped as the share builds them: `released + pending` fits in 96 bits and
/// `end - lastUpdate` is at most one stream period (one day).
contract RevenueStreamLibTest is Test {
    using RevenueStreamLib for RevenueStream;

    uint256 internal constant PERIOD = 1 days;
    uint256 internal constant MAX_SUPPLY = type(uint128).max;

    function _stream(uint256 released, uint256 pending, uint256 lastUpdate, uint256 length)
        internal
        pure
        returns (RevenueStream memory stream)
    {
        released = bound(released, 0, type(uint96).max);
        pending = bound(pending, 0, type(uint96).max - released);
        lastUpdate = bound(lastUpdate, 1, type(uint32).max - PERIOD);
        length = bound(length, 1, PERIOD);
        stream = RevenueStream(uint96(released), uint96(pending), uint32(lastUpdate), uint32(lastUpdate + length));
    }

    /// @dev `releasedAt` updates the memory struct it is given in place and returns it: work on copies.
    function _at(RevenueStream memory stream, uint256 timestamp) internal pure returns (RevenueStream memory) {
        return RevenueStream(stream.released, stream.pending, stream.lastUpdate, stream.end).releasedAt(timestamp);
    }

    /* releasedAt */

    function testFuzz_releasedAt_conservesReleasedPlusPending(
        uint256 released,
        uint256 pending,
        uint256 lastUpdate,
        uint256 length,
        uint256 timestamp
    ) public pure {
        RevenueStream memory stream = _stream(released, pending, lastUpdate, length);
        uint256 total = uint256(stream.released) + stream.pending;
        timestamp = bound(timestamp, 0, uint256(stream.end) + 2 * PERIOD);
        RevenueStream memory later = _at(stream, timestamp);
        assertEq(uint256(later.released) + later.pending, total, "released + pending conserved");
        assertGe(later.released, stream.released, "released never decreases");
        assertEq(later.end, stream.end, "end unchanged");
    }

    function testFuzz_releasedAt_monotoneInTime(
        uint256 released,
        uint256 pending,
        uint256 lastUpdate,
        uint256 length,
        uint256 t1,
        uint256 t2
    ) public pure {
        RevenueStream memory stream = _stream(released, pending, lastUpdate, length);
        t1 = bound(t1, stream.lastUpdate, uint256(stream.end) + PERIOD);
        t2 = bound(t2, t1, uint256(stream.end) + PERIOD);
        uint256 r1 = _at(stream, t1).released;
        uint256 r2 = _at(stream, t2).released;
        assertLe(r1, r2, "release monotone in time");
        // Syncing at t1 and then going on to t2 is also monotone, and never ahead of a direct release at t2.
        uint256 synced = _at(_at(stream, t1), t2).released;
        assertLe(r1, synced, "release monotone across a sync");
        assertLe(synced, r2, "a sync never releases faster");
        assertLe(r2 - synced, 1, "a sync lags a direct release by at most one unit");
    }

    function testFuzz_releasedAt_fullReleaseAtEnd(
        uint256 released,
        uint256 pending,
        uint256 lastUpdate,
        uint256 length,
        uint256 after_
    ) public pure {
        RevenueStream memory stream = _stream(released, pending, lastUpdate, length);
        uint256 total = uint256(stream.released) + stream.pending;
        after_ = bound(after_, 0, 10 * PERIOD);
        RevenueStream memory done = _at(stream, uint256(stream.end) + after_);
        assertEq(done.released, total, "everything released at the end");
        assertEq(done.pending, 0, "nothing pending at the end");
    }

    function testFuzz_releasedAt_linearRoundedDown(
        uint256 released,
        uint256 pending,
        uint256 lastUpdate,
        uint256 length,
        uint256 elapsed
    ) public pure {
        RevenueStream memory stream = _stream(released, pending, lastUpdate, length);
        uint256 duration = stream.end - stream.lastUpdate;
        elapsed = bound(elapsed, 0, duration - 1);
        RevenueStream memory later = _at(stream, uint256(stream.lastUpdate) + elapsed);
        uint256 slice = later.released - stream.released;
        // slice = floor(pending * elapsed / duration): slice * duration <= pending * elapsed < (slice + 1) * duration.
        assertLe(slice * duration, uint256(stream.pending) * elapsed, "release rounded down");
        assertGt((slice + 1) * duration, uint256(stream.pending) * elapsed, "by less than one unit");
    }

    function testFuzz_releasedAt_noopAtOrBeforeLastUpdate(
        uint256 released,
        uint256 pending,
        uint256 lastUpdate,
        uint256 length,
        uint256 timestamp
    ) public pure {
        RevenueStream memory stream = _stream(released, pending, lastUpdate, length);
        timestamp = bound(timestamp, 0, stream.lastUpdate);
        RevenueStream memory same = _at(stream, timestamp);
        assertEq(same.released, stream.released, "released unchanged");
        assertEq(same.pending, stream.pending, "pending unchanged");
        assertEq(same.lastUpdate, stream.lastUpdate, "lastUpdate unchanged");
    }

    function testFuzz_releasedAt_manySyncsReleaseEverythingByEnd(uint256 pending, uint256 seed) public pure {
        RevenueStream memory stream = _stream(0, pending, 1_760_000_000, PERIOD);
        uint256 t = stream.lastUpdate;
        uint256 previous;
        for (uint256 i; i < 16; ++i) {
            t += bound(uint256(keccak256(abi.encode(seed, i))), 0, PERIOD / 8);
            stream = stream.releasedAt(t);
            assertGe(stream.released, previous, "monotone across many syncs");
            previous = stream.released;
        }
        stream = stream.releasedAt(stream.end);
        assertEq(stream.released, bound(pending, 0, type(uint96).max), "all released at the end");
        assertEq(stream.pending, 0, "nothing pending");
    }

    /// @dev Documents a footgun: the returned stream is the argument itself, updated in place.
    function test_releasedAt_updatesItsArgumentInPlace() public pure {
        RevenueStream memory stream = RevenueStream(0, 1000, 100, uint32(100 + PERIOD));
        RevenueStream memory later = stream.releasedAt(100 + PERIOD / 2);
        assertEq(later.released, 500, "half released");
        assertEq(stream.released, 500, "the argument was updated too");
    }

    /* creditDown */

    function testFuzz_creditDown_roundsDown(uint256 supply, uint256 balance, uint256 checkpoint, uint256 released)
        public
        pure
    {
        supply = bound(supply, 1, MAX_SUPPLY);
        balance = bound(balance, 0, supply);
        released = bound(released, 0, type(uint96).max);
        checkpoint = bound(checkpoint, 0, released);
        uint256 credit = RevenueStreamLib.creditDown(balance, released, checkpoint, supply);
        uint256 exact = balance * (released - checkpoint);
        assertLe(credit * supply, exact, "credit rounded down");
        assertGt((credit + 1) * supply, exact, "by less than one unit");
        assertLe(credit, released - checkpoint, "never more than was released");
    }

    function testFuzz_creditDown_wholeSupplyGetsEverything(uint256 supply, uint256 checkpoint, uint256 released)
        public
        pure
    {
        supply = bound(supply, 1, MAX_SUPPLY);
        released = bound(released, 0, type(uint96).max);
        checkpoint = bound(checkpoint, 0, released);
        assertEq(
            RevenueStreamLib.creditDown(supply, released, checkpoint, supply), released - checkpoint, "no rounding"
        );
    }

    function testFuzz_creditDown_sumOverRandomSplitLeReleased(
        uint256 supply,
        uint256 released,
        uint256 parts,
        uint256 seed
    ) public pure {
        supply = bound(supply, 1, MAX_SUPPLY);
        released = bound(released, 0, type(uint96).max);
        parts = bound(parts, 1, 12);
        uint256 left = supply;
        uint256 sum;
        for (uint256 i; i < parts; ++i) {
            uint256 balance = i == parts - 1 ? left : bound(uint256(keccak256(abi.encode(seed, i))), 0, left);
            left -= balance;
            sum += RevenueStreamLib.creditDown(balance, released, 0, supply);
        }
        assertLe(sum, released, "sum of credits <= released");
        assertLt(released - sum, parts, "dust below one unit per holder");
    }

    function testFuzz_creditDown_splittingTimeLosesAtMostOne(
        uint256 supply,
        uint256 balance,
        uint256 middle,
        uint256 released
    ) public pure {
        supply = bound(supply, 1, MAX_SUPPLY);
        balance = bound(balance, 0, supply);
        released = bound(released, 0, type(uint96).max);
        middle = bound(middle, 0, released);
        uint256 once = RevenueStreamLib.creditDown(balance, released, 0, supply);
        uint256 twice = RevenueStreamLib.creditDown(balance, middle, 0, supply)
            + RevenueStreamLib.creditDown(balance, released, middle, supply);
        assertLe(twice, once, "an extra checkpoint never credits more");
        assertLe(once - twice, 1, "an extra checkpoint loses at most one unit");
    }
}
