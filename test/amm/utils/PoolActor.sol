// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionMintCallback, ICognitionSwapCallback} from "../../../src/amm/interfaces/ICognitionCallbacks.sol";
import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Holds tokens and calls a pool directly, paying exactly what the callbacks ask (or a chosen shortfall).
contract PoolActor is ICognitionMintCallback, ICognitionSwapCallback {
    ICognitionPool public immutable pool;
    address public immutable token0;
    address public immutable token1;
    /// @dev Subtracted from every payment, to test underpaying callbacks.
    uint256 public shortfall;

    constructor(ICognitionPool pool_) {
        pool = pool_;
        token0 = pool_.token0();
        token1 = pool_.token1();
    }

    function setShortfall(uint256 amount) external {
        shortfall = amount;
    }

    function mint(int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256, uint256) {
        return pool.mint(address(this), tickLower, tickUpper, amount, "");
    }

    function burn(int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256, uint256) {
        return pool.burn(tickLower, tickUpper, amount);
    }

    function collect(int24 tickLower, int24 tickUpper) external returns (uint128, uint128) {
        return pool.collect(address(this), tickLower, tickUpper, type(uint128).max, type(uint128).max);
    }

    function swap(bool zeroForOne, int256 amountSpecified, uint160 sqrtPriceLimitX96)
        external
        returns (int256, int256)
    {
        return pool.swap(address(this), zeroForOne, amountSpecified, sqrtPriceLimitX96, "");
    }

    function cognitionMintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        require(msg.sender == address(pool), "PoolActor: not pool");
        _pay(token0, amount0Owed);
        _pay(token1, amount1Owed);
    }

    function cognitionSwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        require(msg.sender == address(pool), "PoolActor: not pool");
        if (amount0Delta > 0) _pay(token0, uint256(amount0Delta));
        if (amount1Delta > 0) _pay(token1, uint256(amount1Delta));
    }

    function _pay(address token, uint256 amount) private {
        uint256 pay = amount > shortfall ? amount - shortfall : 0;
        if (pay > 0) IERC20(token).transfer(msg.sender, pay);
    }
}
