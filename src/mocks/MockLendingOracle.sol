// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IOracle} from "../lending/interfaces/IOracle.sol";

/// @title MockLendingOracle
/// @notice Settable `IOracle` for local chains and tests: `price` (health, liquidation) and `borrowPrice` (borrow,
/// withdraw collateral) are set apart; `setBorrowsStopped` makes `borrowPrice` revert as a guarded oracle does.
/// Anyone may set them: never use it for a market holding value.
contract MockLendingOracle is IOracle {
    /// @notice Thrown by `borrowPrice` while borrows are stopped.
    error BorrowsStopped();

    /// @notice Emitted when a price changes.
    event SetPrices(uint256 price, uint256 borrowPrice);

    /// @inheritdoc IOracle
    uint256 public price;
    /// @notice The answer of `borrowPrice` while borrows are not stopped.
    uint256 public borrowPriceValue;
    /// @notice Whether `borrowPrice` reverts.
    bool public borrowsStopped;

    /// @param price_ The first `price` and `borrowPrice`, 1e36-scaled.
    constructor(uint256 price_) {
        price = price_;
        borrowPriceValue = price_;
    }

    /// @notice Sets `price` and `borrowPrice` to `price_`.
    function setPrice(uint256 price_) external {
        price = price_;
        borrowPriceValue = price_;
        emit SetPrices(price_, price_);
    }

    /// @notice Sets `price` and `borrowPrice` apart.
    function setPrices(uint256 price_, uint256 borrowPrice_) external {
        price = price_;
        borrowPriceValue = borrowPrice_;
        emit SetPrices(price_, borrowPrice_);
    }

    /// @notice Stops (or resumes) borrows: `borrowPrice` reverts `BorrowsStopped` while stopped.
    function setBorrowsStopped(bool stopped) external {
        borrowsStopped = stopped;
    }

    /// @inheritdoc IOracle
    function borrowPrice() external view returns (uint256) {
        if (borrowsStopped) revert BorrowsStopped();
        return borrowPriceValue;
    }
}
