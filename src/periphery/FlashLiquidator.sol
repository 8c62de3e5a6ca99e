// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionSwapCallback} from "../amm/interfaces/ICognitionCallbacks.sol";
import {ICognitionPool} from "../amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolFactory} from "../amm/interfaces/ICognitionPoolFactory.sol";
import {TickMath} from "../amm/libraries/TickMath.sol";
import {ILiquidateCallback} from "../lending/interfaces/ILendingCallbacks.sol";
import {ILendingMarket, MarketParams} from "../lending/interfaces/ILendingMarket.sol";
import {IFlashLiquidator} from "./interfaces/IFlashLiquidator.sol";
import {PoolAddress} from "./libraries/PoolAddress.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title FlashLiquidator
/// @notice Capital-free liquidations for keepers. See `IFlashLiquidator`.
contract FlashLiquidator is IFlashLiquidator, ILiquidateCallback, ICognitionSwapCallback {
    using SafeERC20 for IERC20;

    /// @inheritdoc IFlashLiquidator
    address public immutable market;
    /// @inheritdoc IFlashLiquidator
    address public immutable factory;
    bytes32 private immutable _poolInitCodeHash;

    // The liquidation in progress: only the market may call back during it, and only its pool during the sale.
    address private transient _pool;
    bool private transient _liquidating;
    uint256 private transient _minProfit;

    constructor(address market_, address factory_) {
        market = market_;
        factory = factory_;
        _poolInitCodeHash = ICognitionPoolFactory(factory_).POOL_INIT_CODE_HASH();
    }

    /// @inheritdoc IFlashLiquidator
    function liquidate(
        MarketParams calldata marketParams,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        uint24 poolFee,
        uint256 minProfit,
        address profitReceiver
    ) external returns (uint256 seized, uint256 repaidAssets, uint256 profit) {
        bytes memory data = _begin(marketParams, poolFee, minProfit);
        (seized, repaidAssets) =
            ILendingMarket(market).liquidate(marketParams, borrower, seizedAssets, repaidShares, data);
        (_pool, _liquidating, _minProfit) = (address(0), false, 0);

        // Whatever the sale brought beyond the repayment (the contract holds nothing between calls).
        profit = IERC20(marketParams.loanToken).balanceOf(address(this));
        emit FlashLiquidation(borrower, profitReceiver, seized, repaidAssets, profit);
        if (profit != 0) IERC20(marketParams.loanToken).safeTransfer(profitReceiver, profit);
    }

    /// @dev Finds the share's pool of fee tier `fee` (it must exist and pair the share with the loan token), marks
    /// the liquidation in progress, and returns the callback's data.
    function _begin(MarketParams calldata marketParams, uint24 fee, uint256 minProfit) private returns (bytes memory) {
        (address share, address loanToken) = (marketParams.collateralToken, marketParams.loanToken);
        (address token0, address token1) = PoolAddress.sort(share, loanToken);
        address pool = PoolAddress.compute(factory, _poolInitCodeHash, token0, token1, fee);
        if (pool.code.length == 0) revert PoolNotFound(share, loanToken, fee);
        if (ICognitionPool(pool).stablecoin() != loanToken) revert NoRoute(share, loanToken);
        (_pool, _liquidating, _minProfit) = (pool, true, minProfit);
        return abi.encode(share, loanToken, pool);
    }

    /// @inheritdoc ILiquidateCallback
    /// @dev The seized shares are here: sell all of them, check the proceeds, let the market pull its repayment.
    function onLendingLiquidate(uint256 repaidAssets, bytes calldata data) external {
        if (msg.sender != market || !_liquidating) revert UnauthorizedCallback(msg.sender);
        (address share, address loanToken, address pool) = abi.decode(data, (address, address, address));
        uint256 amountIn = IERC20(share).balanceOf(address(this));
        bool zeroForOne = share < loanToken;
        (int256 amount0, int256 amount1) = ICognitionPool(pool)
            .swap(
                address(this),
                zeroForOne,
                // Seized collateral fits int256 (a ModelShare balance is below 2^128).
                int256(amountIn),
                zeroForOne ? TickMath.MIN_SQRT_RATIO + 1 : TickMath.MAX_SQRT_RATIO - 1,
                ""
            );
        uint256 proceeds = uint256(-(zeroForOne ? amount1 : amount0));
        uint256 minProfit = _minProfit;
        if (proceeds < repaidAssets + minProfit) revert Unprofitable(proceeds, repaidAssets, minProfit);
        IERC20(loanToken).forceApprove(market, repaidAssets);
    }

    /// @inheritdoc ICognitionSwapCallback
    function cognitionSwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        address pool = _pool;
        if (msg.sender != pool || pool == address(0)) revert UnauthorizedCallback(msg.sender);
        if (amount0Delta > 0) IERC20(ICognitionPool(pool).token0()).safeTransfer(pool, uint256(amount0Delta));
        if (amount1Delta > 0) IERC20(ICognitionPool(pool).token1()).safeTransfer(pool, uint256(amount1Delta));
    }
}
