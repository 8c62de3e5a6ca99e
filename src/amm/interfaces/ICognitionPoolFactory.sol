// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @title ICognitionPoolFactory
/// @notice Deploys CognitionPools: one per (model share, its stablecoin, fee tier), at a CREATE2 address
/// salted by `keccak256(abi.encode(token0, token1, fee))` with init code hash `POOL_INIT_CODE_HASH`.
interface ICognitionPoolFactory {
    /* ERRORS */

    /// @notice Thrown when the fee is not one of 500, 3000, 10000.
    error InvalidFeeTier(uint24 fee);
    /// @notice Thrown when the pool for this (share, stablecoin, fee) already exists.
    error PoolExists(address pool);
    /// @notice Thrown when the share reports no stablecoin (not a model share).
    error NotModelShare(address share);
    /// @notice Thrown when deploying the pool (or the factory's code store) fails.
    error PoolDeploymentFailed();

    /* EVENTS */

    /// @notice Emitted when a pool is created (same shape as Uniswap v3's factory event).
    event PoolCreated(
        address indexed token0, address indexed token1, uint24 indexed fee, int24 tickSpacing, address pool
    );

    /* VIEWS */

    /// @notice keccak256 of the pool's creation code, for computing pool addresses off chain and in periphery.
    function POOL_INIT_CODE_HASH() external view returns (bytes32);
    /// @notice The pool of a pair and fee (tokens in either order), or zero.
    function getPool(address tokenA, address tokenB, uint24 fee) external view returns (address pool);
    /// @notice Tick spacing of a fee tier: 500 -> 10, 3000 -> 60, 10000 -> 200; zero if the tier is unknown.
    function feeAmountTickSpacing(uint24 fee) external pure returns (int24);
    /// @notice Construction parameters of the pool being deployed; only meaningful during `createPool`.
    function parameters()
        external
        view
        returns (address token0, address token1, uint24 fee, int24 tickSpacing, bool shareIsToken0);

    /* ACTIONS */

    /// @notice Creates the pool of `share` against its revenue stablecoin `IModelShare(share).stablecoin()`.
    /// @param share The model share.
    /// @param fee The fee tier: 500, 3000 or 10000.
    /// @return pool The new pool (uninitialized).
    function createPool(address share, uint24 fee) external returns (address pool);
}
