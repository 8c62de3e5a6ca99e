// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @title ICognitionMintCallback
/// @notice Implemented by whoever calls `ICognitionPool.mint`.
interface ICognitionMintCallback {
    /// @notice Called by the pool during `mint`, after the position is credited: pay what is owed.
    /// @dev Must transfer at least `amount0Owed` of token0 and `amount1Owed` of token1 to the pool (msg.sender).
    /// The implementation must check that msg.sender is a genuine pool.
    /// @param amount0Owed Token0 owed for the minted liquidity, rounded up.
    /// @param amount1Owed Token1 owed for the minted liquidity, rounded up.
    /// @param data Whatever the caller passed to `mint`.
    function cognitionMintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata data) external;
}

/// @title ICognitionSwapCallback
/// @notice Implemented by whoever calls `ICognitionPool.swap`; it is also the flash-swap hook.
interface ICognitionSwapCallback {
    /// @notice Called by the pool during `swap`, after the output was sent to the recipient: pay the input.
    /// @dev A positive delta is owed to the pool, a negative one was sent out. Both can be zero if the swap
    /// moved no tokens. The implementation must check that msg.sender is a genuine pool. Anything can happen
    /// in between (flash swap) as long as the positive delta is paid before returning.
    /// @param amount0Delta Token0 owed to (> 0) or sent by (< 0) the pool.
    /// @param amount1Delta Token1 owed to (> 0) or sent by (< 0) the pool.
    /// @param data Whatever the caller passed to `swap`.
    function cognitionSwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata data) external;
}
