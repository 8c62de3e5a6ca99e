// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

/// @notice Revenue that streams in linearly. `pending` units are released evenly over (`lastUpdate`, `end`].
/// @dev Fits one slot: 96-bit amounts hold ~7.9e28 stablecoin units, 32-bit times last until 2106.
struct RevenueStream {
    /// @dev Units released to holders so far (claimed or not): the revenue accumulator.
    uint96 released;
    /// @dev Units deposited and not yet released.
    uint96 pending;
    /// @dev Last time `released` was brought up to date.
    uint32 lastUpdate;
    /// @dev Time at which everything pending is released.
    uint32 end;
}

/// @title RevenueStreamLib
/// @notice Pure math of a linear revenue stream and of pro-rata credit against a fixed supply.
library RevenueStreamLib {
    /// @notice The stream brought up to `timestamp`: units released since `lastUpdate` move from pending to
    /// released. Release is rounded down, so the rest stays pending and is released later.
    /// @dev Updates `stream` in place and returns it; copy first if the original is still needed.
    function releasedAt(RevenueStream memory stream, uint256 timestamp) internal pure returns (RevenueStream memory) {
        if (stream.pending == 0 || timestamp <= stream.lastUpdate) return stream;
        uint256 newlyReleased = timestamp >= stream.end
            ? stream.pending
            : uint256(stream.pending) * (timestamp - stream.lastUpdate) / (stream.end - stream.lastUpdate);
        stream.released += uint96(newlyReleased);
        stream.pending -= uint96(newlyReleased);
        stream.lastUpdate = uint32(timestamp);
        return stream;
    }

    /// @notice Credit owed to `balance` shares out of `totalSupply` for the revenue released between
    /// `checkpoint` and `released`, rounded down.
    function creditDown(uint256 balance, uint256 released, uint256 checkpoint, uint256 totalSupply)
        internal
        pure
        returns (uint256)
    {
        // balance <= totalSupply < 2^128 and released < 2^96: the product cannot overflow.
        return balance * (released - checkpoint) / totalSupply;
    }
}
