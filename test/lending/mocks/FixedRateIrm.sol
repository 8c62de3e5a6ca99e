// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IIrm} from "../../../src/lending/interfaces/IIrm.sol";
import {Market, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";

/// @notice Constant borrow rate per second (WAD), settable.
contract FixedRateIrm is IIrm {
    uint256 public ratePerSecond;

    constructor(uint256 ratePerSecond_) {
        ratePerSecond = ratePerSecond_;
    }

    function setRate(uint256 ratePerSecond_) external {
        ratePerSecond = ratePerSecond_;
    }

    function borrowRate(MarketParams memory, Market memory) external view returns (uint256) {
        return ratePerSecond;
    }

    function borrowRateView(MarketParams memory, Market memory) external view returns (uint256) {
        return ratePerSecond;
    }
}
