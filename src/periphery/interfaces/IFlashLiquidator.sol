// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {MarketParams} from "../../lending/interfaces/ILendingMarket.sol";

/// @title IFlashLiquidator
/// @notice Liquidates a LendingMarket position with no capital: the market sends the seized model shares first
/// (flash liquidation), they are sold in the share's CognitionPool for the loan token, the market pulls the repaid
/// assets, and what is left is the caller's profit. Reverts, changing nothing, unless the sale covers the repayment
/// plus `minProfit`. Holds nothing between calls; anyone may use it.
interface IFlashLiquidator {
    /// @notice The loan token is not the pool's stablecoin (no direct route for the seized shares).
    error NoRoute(address collateralToken, address loanToken);
    /// @notice The share's pool for `fee` does not exist.
    error PoolNotFound(address collateralToken, address loanToken, uint24 fee);
    /// @notice Selling the seized collateral brought `proceeds`, less than the `repaidAssets` plus `minProfit` owed.
    error Unprofitable(uint256 proceeds, uint256 repaidAssets, uint256 minProfit);
    /// @notice A callback came from someone other than the market or the pool of the liquidation in progress.
    error UnauthorizedCallback(address caller);

    /// @notice A liquidation through this contract: `profit` loan-token units went to `profitReceiver`.
    event FlashLiquidation(
        address indexed borrower, address indexed profitReceiver, uint256 seized, uint256 repaidAssets, uint256 profit
    );

    /// @notice The LendingMarket this contract liquidates on.
    function market() external view returns (address);

    /// @notice The CognitionPoolFactory whose pools sell the seized shares.
    function factory() external view returns (address);

    /// @notice Liquidates `borrower` in the market of `marketParams` (by `seizedAssets` of collateral or
    /// `repaidShares` of debt, exactly one non-zero, as `ILendingMarket.liquidate`), sells the seized shares in the
    /// share's pool of fee tier `poolFee`, and sends the profit (at least `minProfit`) to `profitReceiver`.
    /// @return seized Collateral seized and sold.
    /// @return repaidAssets Loan token repaid to the market.
    /// @return profit Loan token sent to `profitReceiver`.
    function liquidate(
        MarketParams calldata marketParams,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        uint24 poolFee,
        uint256 minProfit,
        address profitReceiver
    ) external returns (uint256 seized, uint256 repaidAssets, uint256 profit);
}
