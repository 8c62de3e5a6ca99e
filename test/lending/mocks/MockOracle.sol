// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IOracle} from "../../../src/lending/interfaces/IOracle.sol";

/// @notice Settable IOracle: `price` for health and liquidation, `borrowPrice` (the same unless set apart) for borrows;
/// `setBorrowsStopped` makes `borrowPrice` revert as a guarded oracle does.
contract MockOracle is IOracle {
    error BorrowsStopped();

    uint256 public price;
    uint256 internal _borrowPrice;
    bool internal _borrowPriceSet;
    bool public borrowsStopped;

    constructor(uint256 price_) {
        price = price_;
    }

    function setPrice(uint256 price_) external {
        price = price_;
    }

    function setBorrowPrice(uint256 borrowPrice_) external {
        _borrowPrice = borrowPrice_;
        _borrowPriceSet = true;
    }

    function setBorrowsStopped(bool stopped) external {
        borrowsStopped = stopped;
    }

    function borrowPrice() external view returns (uint256) {
        if (borrowsStopped) revert BorrowsStopped();
        return _borrowPriceSet ? _borrowPrice : price;
    }
}
