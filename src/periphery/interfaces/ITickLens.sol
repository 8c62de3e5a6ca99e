// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @title ITickLens
/// @notice Reads the initialized ticks of a pool for off-chain quoting.
interface ITickLens {
    struct PopulatedTick {
        int24 tick;
        int128 liquidityNet;
        uint128 liquidityGross;
    }

    /// @notice Thrown when `wordLower > wordUpper`.
    error InvalidWordRange(int16 wordLower, int16 wordUpper);

    /// @notice The initialized ticks in one bitmap word, in descending order (like Uniswap's TickLens).
    function getPopulatedTicksInWord(address pool, int16 wordPosition)
        external
        view
        returns (PopulatedTick[] memory populatedTicks);

    /// @notice The initialized ticks in the words `wordLower..wordUpper` (inclusive), in ascending order.
    function getPopulatedTicksInWordRange(address pool, int16 wordLower, int16 wordUpper)
        external
        view
        returns (PopulatedTick[] memory populatedTicks);

    /// @notice The bitmap words that can hold usable ticks of a pool with `tickSpacing`.
    function wordRange(int24 tickSpacing) external pure returns (int16 wordLower, int16 wordUpper);
}
