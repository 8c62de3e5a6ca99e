// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {Market, MarketParams} from "./ILendingMarket.sol";

/// @title IIrm
/// @notice Interest rate model of a lending market. The structs are laid out as Morpho Blue's, so one model can
/// serve both (the same selectors).
interface IIrm {
    /// @notice Borrow rate per second, WAD-scaled, for the period since `market.lastUpdate`; may update the model's
    /// state (only when called by the lending market it serves).
    function borrowRate(MarketParams memory marketParams, Market memory market) external returns (uint256);

    /// @notice The rate `borrowRate` would return now, without updating anything.
    function borrowRateView(MarketParams memory marketParams, Market memory market) external view returns (uint256);
}
