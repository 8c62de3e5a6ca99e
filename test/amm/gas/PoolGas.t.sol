// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionMintCallback, ICognitionSwapCallback} from "../../../src/amm/interfaces/ICognitionCallbacks.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {CognitionRouter} from "../../../src/periphery/CognitionRouter.sol";
import {ICognitionRouter} from "../../../src/periphery/interfaces/ICognitionRouter.sol";
import {AmmBase} from "../utils/AmmBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Transaction gas of the pool's hot paths, recorded with `forge test --isolate` into
/// snapshots/CognitionPool.json. Each measured call is the first pool interaction of a new block (12 s later)
/// while model-share revenue is streaming, so the per-block work (oracle write, revenue claim) is included.
contract PoolGasTest is AmmBase, ICognitionMintCallback, ICognitionSwapCallback {
    CognitionRouter internal router;

    function setUp() public override {
        super.setUp();
        router = new CognitionRouter(address(factory));
        stable.mint(address(this), 1e36);
        IERC20(address(stable)).approve(address(router), type(uint256).max);
        IERC20(address(share)).approve(address(router), type(uint256).max);
        pool.increaseObservationCardinalityNext(8);
        pool.mint(address(this), -600, 600, 1e24, "");
        pool.mint(address(this), 600, 1200, 1e24, "");
        pool.mint(address(this), -1200, -600, 1e24, "");
        // A swap per block to pre-fill observations, then revenue starts streaming.
        for (uint256 i; i < 8; ++i) {
            vm.warp(block.timestamp + 12);
            pool.swap(address(this), i % 2 == 0, 1e18, i % 2 == 0 ? _minLimit() : _maxLimit(), "");
        }
        _depositRevenue(share, 1e12);
        vm.warp(block.timestamp + 12);
    }

    function cognitionMintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (amount0Owed > 0) IERC20(token0).transfer(msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(token1).transfer(msg.sender, amount1Owed);
    }

    function cognitionSwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        if (amount0Delta > 0) IERC20(token0).transfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(token1).transfer(msg.sender, uint256(amount1Delta));
    }

    function test_gas_swap_withinTick() public {
        pool.swap(address(this), true, 1e15, _minLimit(), "");
        vm.snapshotGasLastCall("CognitionPool", "swap_withinTick");
    }

    function test_gas_swap_crossOneTick() public {
        pool.swap(address(this), true, 1e30, TickMath.getSqrtRatioAtTick(-700), "");
        vm.snapshotGasLastCall("CognitionPool", "swap_crossOneTick");
    }

    function test_gas_swap_router_exactInputSingle() public {
        router.exactInputSingle(
            ICognitionRouter.ExactInputSingleParams({
                tokenIn: token0,
                tokenOut: token1,
                fee: 3000,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: 1e15,
                amountOutMinimum: 0,
                sqrtPriceLimitX96: 0
            })
        );
        vm.snapshotGasLastCall("CognitionPool", "swap_router_exactInputSingle");
    }

    function test_gas_mint_existingRange() public {
        pool.mint(address(this), -600, 600, 1e20, "");
        vm.snapshotGasLastCall("CognitionPool", "mint_existingRange");
    }

    function test_gas_mint_newRange() public {
        pool.mint(address(this), -240, 360, 1e20, "");
        vm.snapshotGasLastCall("CognitionPool", "mint_newRange");
    }

    function test_gas_burn() public {
        pool.burn(-600, 600, 1e20);
        vm.snapshotGasLastCall("CognitionPool", "burn");
    }

    function test_gas_collect() public {
        pool.burn(-600, 600, 1e20);
        vm.warp(block.timestamp + 12);
        pool.collect(address(this), -600, 600, type(uint128).max, type(uint128).max);
        vm.snapshotGasLastCall("CognitionPool", "collect");
    }
}
