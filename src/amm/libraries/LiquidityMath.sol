// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";
import {CustomRevert} from "./CustomRevert.sol";

/// @title LiquidityMath
/// @notice Signed liquidity deltas applied to unsigned liquidity.
library LiquidityMath {
    /// @dev x + y, reverting with `LiquidityOverflow` outside [0, 2^128).
    function addDelta(uint128 x, int128 y) internal pure returns (uint128 z) {
        unchecked {
            if (y < 0) {
                // -y fits uint128 even for type(int128).min.
                uint128 sub = uint128(uint256(-int256(y)));
                if (sub > x) CustomRevert.revertWith(uint32(ICognitionPoolErrors.LiquidityOverflow.selector));
                z = x - sub;
            } else {
                z = x + uint128(y);
                if (z < x) CustomRevert.revertWith(uint32(ICognitionPoolErrors.LiquidityOverflow.selector));
            }
        }
    }
}
