// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {ICognitionSwapCallback} from "../../amm/interfaces/ICognitionCallbacks.sol";

/// @title ICognitionRouter
/// @notice Single-pool swaps against CognitionPools with a slippage bound and a deadline. The payer is the
/// caller, who must have approved the router for the input token.
interface ICognitionRouter is ICognitionSwapCallback {
    /* ERRORS */

    /// @notice Thrown when the block timestamp is after the deadline.
    error DeadlineExpired(uint256 deadline);
    /// @notice Thrown when no pool exists for the pair and fee.
    error PoolNotFound(address tokenA, address tokenB, uint24 fee);
    /// @notice Thrown when an exact-input swap returns less than `amountOutMinimum`.
    error TooLittleReceived(uint256 amountOut, uint256 amountOutMinimum);
    /// @notice Thrown when an exact-output swap costs more than `amountInMaximum`.
    error TooMuchRequested(uint256 amountIn, uint256 amountInMaximum);
    /// @notice Thrown when an exact-output swap without a price limit delivers less than asked.
    error OutputNotFilled(uint256 amountOut, uint256 amountOutRequested);
    /// @notice Thrown when the swap callback is called by anyone but the pool being swapped with.
    error UnauthorizedCallback(address caller);
    /// @notice Thrown when an amount does not fit int256.
    error AmountTooLarge(uint256 amount);
    /// @notice Thrown when pulling the input from the payer fails.
    error PaymentFailed(address token);

    /* TYPES */

    /// @param sqrtPriceLimitX96 The price the swap may not pass; zero for none.
    struct ExactInputSingleParams {
        address tokenIn;
        address tokenOut;
        uint24 fee;
        address recipient;
        uint256 deadline;
        uint256 amountIn;
        uint256 amountOutMinimum;
        uint160 sqrtPriceLimitX96;
    }

    /// @param sqrtPriceLimitX96 The price the swap may not pass; zero for none (then the output must be filled).
    struct ExactOutputSingleParams {
        address tokenIn;
        address tokenOut;
        uint24 fee;
        address recipient;
        uint256 deadline;
        uint256 amountOut;
        uint256 amountInMaximum;
        uint160 sqrtPriceLimitX96;
    }

    /* VIEWS */

    /// @notice The factory whose pools this router trades with.
    function factory() external view returns (address);

    /// @notice The pool of a pair and fee (tokens in either order), computed by CREATE2; it may not exist.
    function computePoolAddress(address tokenA, address tokenB, uint24 fee) external view returns (address);

    /* ACTIONS */

    /// @notice Swaps exactly `amountIn` of `tokenIn` for as much `tokenOut` as possible.
    /// @return amountOut The output sent to the recipient.
    function exactInputSingle(ExactInputSingleParams calldata params) external returns (uint256 amountOut);

    /// @notice Swaps as little `tokenIn` as possible for exactly `amountOut` of `tokenOut`.
    /// @return amountIn The input paid.
    function exactOutputSingle(ExactOutputSingleParams calldata params) external returns (uint256 amountIn);
}
