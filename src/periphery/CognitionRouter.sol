// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionSwapCallback} from "../amm/interfaces/ICognitionCallbacks.sol";
import {ICognitionPool} from "../amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolFactory} from "../amm/interfaces/ICognitionPoolFactory.sol";
import {TickMath} from "../amm/libraries/TickMath.sol";
import {ICognitionRouter} from "./interfaces/ICognitionRouter.sol";
import {PoolAddress} from "./libraries/PoolAddress.sol";
import {SafePull} from "./libraries/SafePull.sol";

/// @title CognitionRouter
/// @notice Exact-input and exact-output swaps through one CognitionPool. See `ICognitionRouter`.
contract CognitionRouter is ICognitionRouter {
    /// @inheritdoc ICognitionRouter
    address public immutable factory;
    bytes32 private immutable _poolInitCodeHash;

    // The swap in progress: only its pool may call back, and the input is pulled from its payer.
    address private transient _pool;
    address private transient _payer;
    address private transient _tokenIn;

    constructor(address factory_) {
        factory = factory_;
        _poolInitCodeHash = ICognitionPoolFactory(factory_).POOL_INIT_CODE_HASH();
    }

    /// @inheritdoc ICognitionRouter
    function computePoolAddress(address tokenA, address tokenB, uint24 fee) public view returns (address) {
        (address token0, address token1) = PoolAddress.sort(tokenA, tokenB);
        return PoolAddress.compute(factory, _poolInitCodeHash, token0, token1, fee);
    }

    /// @inheritdoc ICognitionRouter
    function exactInputSingle(ExactInputSingleParams calldata params) external returns (uint256 amountOut) {
        if (block.timestamp > params.deadline) revert DeadlineExpired(params.deadline);
        if (params.amountIn > uint256(type(int256).max)) revert AmountTooLarge(params.amountIn);
        bool zeroForOne = params.tokenIn < params.tokenOut;
        (int256 amount0, int256 amount1) = _swap(
            params.tokenIn,
            params.tokenOut,
            params.fee,
            params.recipient,
            zeroForOne,
            int256(params.amountIn),
            params.sqrtPriceLimitX96
        );
        amountOut = uint256(-(zeroForOne ? amount1 : amount0));
        if (amountOut < params.amountOutMinimum) revert TooLittleReceived(amountOut, params.amountOutMinimum);
    }

    /// @inheritdoc ICognitionRouter
    function exactOutputSingle(ExactOutputSingleParams calldata params) external returns (uint256 amountIn) {
        if (block.timestamp > params.deadline) revert DeadlineExpired(params.deadline);
        if (params.amountOut > uint256(type(int256).max)) revert AmountTooLarge(params.amountOut);
        bool zeroForOne = params.tokenIn < params.tokenOut;
        (int256 amount0, int256 amount1) = _swap(
            params.tokenIn,
            params.tokenOut,
            params.fee,
            params.recipient,
            zeroForOne,
            -int256(params.amountOut),
            params.sqrtPriceLimitX96
        );
        uint256 amountOut;
        (amountIn, amountOut) =
            zeroForOne ? (uint256(amount0), uint256(-amount1)) : (uint256(amount1), uint256(-amount0));
        if (params.sqrtPriceLimitX96 == 0 && amountOut != params.amountOut) {
            revert OutputNotFilled(amountOut, params.amountOut);
        }
        if (amountIn > params.amountInMaximum) revert TooMuchRequested(amountIn, params.amountInMaximum);
    }

    /// @inheritdoc ICognitionSwapCallback
    function cognitionSwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (msg.sender != _pool) revert UnauthorizedCallback(msg.sender);
        uint256 owed = uint256(amount0Delta > 0 ? amount0Delta : amount1Delta);
        address token = _tokenIn;
        if (owed > 0 && !SafePull.tryTransferFrom(token, _payer, msg.sender, owed)) revert PaymentFailed(token);
    }

    function _swap(
        address tokenIn,
        address tokenOut,
        uint24 fee,
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96
    ) private returns (int256 amount0, int256 amount1) {
        address pool = computePoolAddress(tokenIn, tokenOut, fee);
        if (pool.code.length == 0) revert PoolNotFound(tokenIn, tokenOut, fee);
        (_pool, _payer, _tokenIn) = (pool, msg.sender, tokenIn);
        (amount0, amount1) = ICognitionPool(pool)
            .swap(
                recipient,
                zeroForOne,
                amountSpecified,
                sqrtPriceLimitX96 == 0
                    ? (zeroForOne ? TickMath.MIN_SQRT_RATIO + 1 : TickMath.MAX_SQRT_RATIO - 1)
                    : sqrtPriceLimitX96,
                ""
            );
        _pool = address(0);
    }
}
