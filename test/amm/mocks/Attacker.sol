// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionMintCallback, ICognitionSwapCallback} from "../../../src/amm/interfaces/ICognitionCallbacks.sol";
import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Callback that re-enters the pool in one of several ways, records whether the pool looked locked,
/// and then pays what is owed.
contract ReentrantCallee is ICognitionMintCallback, ICognitionSwapCallback {
    enum Reentry {
        None,
        Swap,
        Mint,
        Burn,
        Collect,
        CollectRevenue,
        IncreaseCardinality
    }

    ICognitionPool public immutable pool;
    Reentry public reentry;
    bool public sawLocked;

    constructor(ICognitionPool pool_) {
        pool = pool_;
    }

    function setReentry(Reentry r) external {
        reentry = r;
    }

    function swap(bool zeroForOne, int256 amount) external {
        pool.swap(
            address(this),
            zeroForOne,
            amount,
            zeroForOne ? TickMath.MIN_SQRT_RATIO + 1 : TickMath.MAX_SQRT_RATIO - 1,
            ""
        );
    }

    function mint(int24 lower, int24 upper, uint128 amount) external {
        pool.mint(address(this), lower, upper, amount, "");
    }

    function cognitionSwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        _reenter();
        if (amount0Delta > 0) IERC20(pool.token0()).transfer(msg.sender, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(pool.token1()).transfer(msg.sender, uint256(amount1Delta));
    }

    function cognitionMintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        _reenter();
        if (amount0Owed > 0) IERC20(pool.token0()).transfer(msg.sender, amount0Owed);
        if (amount1Owed > 0) IERC20(pool.token1()).transfer(msg.sender, amount1Owed);
    }

    function _reenter() private {
        (,,,,,, bool unlocked) = pool.slot0();
        sawLocked = !unlocked;
        Reentry r = reentry;
        if (r == Reentry.Swap) pool.swap(address(this), true, 1, TickMath.MIN_SQRT_RATIO + 1, "");
        else if (r == Reentry.Mint) pool.mint(address(this), -60, 60, 1, "");
        else if (r == Reentry.Burn) pool.burn(-60, 60, 0);
        else if (r == Reentry.Collect) pool.collect(address(this), -60, 60, 1, 1);
        else if (r == Reentry.CollectRevenue) pool.collectRevenue();
        else if (r == Reentry.IncreaseCardinality) pool.increaseObservationCardinalityNext(5);
    }
}

/// @notice Flash swap: takes the output, checks it arrived before paying, and pays the input only at the end
/// (or not at all when told to default).
contract FlashBorrower is ICognitionSwapCallback {
    ICognitionPool public immutable pool;
    bool public defaultOnRepay;
    uint256 public outputSeenBeforePaying;

    constructor(ICognitionPool pool_) {
        pool = pool_;
    }

    function setDefault(bool d) external {
        defaultOnRepay = d;
    }

    function flash(uint256 amountOut) external {
        pool.swap(address(this), true, -int256(amountOut), TickMath.MIN_SQRT_RATIO + 1, "");
    }

    function cognitionSwapCallback(int256 amount0Delta, int256, bytes calldata) external {
        outputSeenBeforePaying = IERC20(pool.token1()).balanceOf(address(this));
        if (!defaultOnRepay) IERC20(pool.token0()).transfer(msg.sender, uint256(amount0Delta));
    }
}
