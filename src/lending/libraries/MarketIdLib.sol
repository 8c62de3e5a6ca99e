// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {MarketId, MarketParams} from "../interfaces/ILendingMarket.sol";

/// @title MarketIdLib
/// @notice The id of a market: keccak256 of its five params, abi-encoded (160 bytes), as Morpho Blue computes it.
library MarketIdLib {
    /// @dev Size of the abi-encoded `MarketParams` (five words).
    uint256 internal constant MARKET_PARAMS_BYTES = 5 * 32;

    /// @notice The id of the market `marketParams` defines.
    function id(MarketParams memory marketParams) internal pure returns (MarketId marketId) {
        assembly ("memory-safe") {
            marketId := keccak256(marketParams, MARKET_PARAMS_BYTES)
        }
    }
}
