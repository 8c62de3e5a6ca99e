// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {WadMathLib} from "./WadMathLib.sol";

/// @title SharesLib
/// @notice Converts between assets and shares of a market side with a virtual offset: every conversion counts
/// `VIRTUAL_SHARES` extra shares backed by `VIRTUAL_ASSETS` extra assets, so an empty side starts at 1e6 shares per
/// asset and no donation or rounding can inflate the share price enough to round a depositor down to nothing.
library SharesLib {
    using WadMathLib for uint256;

    /// @notice Shares no one owns, counted in every conversion.
    uint256 internal constant VIRTUAL_SHARES = 1e6;
    /// @notice Assets no one owns, counted in every conversion.
    uint256 internal constant VIRTUAL_ASSETS = 1;

    /// @notice Shares worth `assets`, rounded down.
    function toSharesDown(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return assets.mulDivDown(totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    /// @notice Shares worth `assets`, rounded up.
    function toSharesUp(uint256 assets, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return assets.mulDivUp(totalShares + VIRTUAL_SHARES, totalAssets + VIRTUAL_ASSETS);
    }

    /// @notice Assets of `shares`, rounded down.
    function toAssetsDown(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return shares.mulDivDown(totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }

    /// @notice Assets of `shares`, rounded up.
    function toAssetsUp(uint256 shares, uint256 totalAssets, uint256 totalShares) internal pure returns (uint256) {
        return shares.mulDivUp(totalAssets + VIRTUAL_ASSETS, totalShares + VIRTUAL_SHARES);
    }
}
