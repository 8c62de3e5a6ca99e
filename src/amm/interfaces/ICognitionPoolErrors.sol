// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @title ICognitionPoolErrors
/// @notice Every custom error the CognitionPool core (pool and math libraries) can throw, in one place so that
/// clients decode them from one ABI.
interface ICognitionPoolErrors {
    /* MATH */

    /// @notice Thrown when a tick is below `MIN_TICK` or above `MAX_TICK`.
    error TickOutOfRange(int24 tick);
    /// @notice Thrown when a sqrt price is below `MIN_SQRT_RATIO` or at / above `MAX_SQRT_RATIO`.
    error SqrtPriceOutOfRange(uint160 sqrtPriceX96);
    /// @notice Thrown when a full-precision `a * b / d` does not fit 256 bits (or `d` is zero).
    error MulDivOverflow();
    /// @notice Thrown when a price move is asked for with a zero price or zero liquidity.
    error ZeroPriceOrLiquidity();
    /// @notice Thrown when a price move leaves the uint160 range, or an exact output exceeds the reserves.
    error PriceOverflow();
    /// @notice Thrown when a liquidity addition overflows uint128 or a removal underflows zero.
    error LiquidityOverflow();
    /// @notice Thrown when a value does not fit the target integer type.
    error SafeCastOverflow();

    /* TICKS AND POSITIONS */

    /// @notice Thrown when `tickLower >= tickUpper`.
    error TicksMisordered(int24 tickLower, int24 tickUpper);
    /// @notice Thrown when a position bound is not a multiple of the pool's tick spacing.
    error TickMisaligned(int24 tick, int24 tickSpacing);
    /// @notice Thrown when the gross liquidity referencing a tick would exceed `maxLiquidityPerTick`.
    error TickLiquidityOverflow(int24 tick);
    /// @notice Thrown when a position with zero liquidity is poked (burn of zero on an empty position).
    error PositionNotFound();

    /* POOL */

    /// @notice Thrown when `initialize` is called on an initialized pool.
    error AlreadyInitialized();
    /// @notice Thrown when the pool (or its oracle) is used before `initialize`.
    error NotInitialized();
    /// @notice Thrown when `mint` is called with zero liquidity.
    error ZeroLiquidity();
    /// @notice Thrown when `swap` is called with `amountSpecified == 0`.
    error ZeroAmount();
    /// @notice Thrown when the swap price limit is on the wrong side of the current price or outside the
    /// `(MIN_SQRT_RATIO, MAX_SQRT_RATIO)` range.
    error PriceLimitOutOfRange(uint160 sqrtPriceLimitX96, uint160 sqrtPriceX96);
    /// @notice Thrown when a mint or swap callback pays less than owed.
    /// @param token The token that was underpaid.
    /// @param owed The amount the callback had to pay.
    /// @param paid The balance increase the pool observed.
    error InsufficientPayment(address token, uint256 owed, uint256 paid);
    /// @notice Thrown when a locked function is re-entered (e.g. from a callback).
    error Reentrancy();
    /// @notice Thrown when an observation older than the oldest stored one is asked for.
    error ObservationTooOld(uint32 target, uint32 oldest);
    /// @notice Thrown when an ERC-20 transfer out of the pool fails.
    error TransferFailed(address token);
    /// @notice Thrown when a token's `balanceOf` call fails.
    error BalanceQueryFailed(address token);
}
