// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @title ILiquidateCallback
/// @notice Implemented by a liquidator that wants the seized collateral before paying: called after the collateral
/// is sent and before the loan token is pulled (flash liquidation).
interface ILiquidateCallback {
    /// @param repaidAssets Loan-token units the market pulls from the caller right after this returns.
    /// @param data The `data` passed to `liquidate`.
    function onLendingLiquidate(uint256 repaidAssets, bytes calldata data) external;
}

/// @title IFlashLoanCallback
/// @notice Implemented by a flash borrower: called after `assets` are sent; the market pulls them back after.
interface IFlashLoanCallback {
    /// @param assets Units lent, to be returned (approved) before this returns.
    /// @param data The `data` passed to `flashLoan`.
    function onLendingFlashLoan(uint256 assets, bytes calldata data) external;
}
