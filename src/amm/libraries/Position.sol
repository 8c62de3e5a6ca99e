// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {FullMath} from "../../libraries/FullMath.sol";
import {ICognitionPoolErrors} from "../interfaces/ICognitionPoolErrors.sol";
import {CustomRevert} from "./CustomRevert.sol";
import {LiquidityMath} from "./LiquidityMath.sol";

/// @title Position
/// @notice A position is liquidity owned by an address over [tickLower, tickUpper), with the fees (and model
/// share revenue) it has earned but not yet collected.
library Position {
    uint256 internal constant Q128 = 1 << 128;

    struct Info {
        uint128 liquidity;
        // Fee growth inside the range at the last update, per unit of liquidity, Q128.128.
        uint256 feeGrowthInside0LastX128;
        uint256 feeGrowthInside1LastX128;
        // Tokens owed to the owner (fees, revenue and burned liquidity), collectable.
        uint128 tokensOwed0;
        uint128 tokensOwed1;
    }

    /// @dev The storage key of a position: keccak256(abi.encodePacked(owner, tickLower, tickUpper)).
    function key(address owner, int24 tickLower, int24 tickUpper) internal pure returns (bytes32 k) {
        assembly ("memory-safe") {
            // 20 + 3 + 3 packed bytes, built right-aligned in scratch space.
            mstore(0x06, tickUpper)
            mstore(0x03, tickLower)
            mstore(0x00, owner)
            k := keccak256(0x0c, 0x1a)
        }
    }

    /// @dev The storage pointer of a position.
    function get(mapping(bytes32 => Info) storage self, address owner, int24 tickLower, int24 tickUpper)
        internal
        view
        returns (Info storage)
    {
        return self[key(owner, tickLower, tickUpper)];
    }

    /// @dev Credits the fees earned since the last update (rounded down) and applies the liquidity delta.
    /// A zero delta (poke) needs a position with liquidity. Owed amounts wrap at 2^128, like v3: owners must
    /// collect before that.
    function update(
        Info storage self,
        int128 liquidityDelta,
        uint256 feeGrowthInside0X128,
        uint256 feeGrowthInside1X128
    ) internal {
        uint128 liquidity = self.liquidity;
        if (liquidityDelta == 0) {
            if (liquidity == 0) CustomRevert.revertWith(uint32(ICognitionPoolErrors.PositionNotFound.selector));
        } else {
            self.liquidity = LiquidityMath.addDelta(liquidity, liquidityDelta);
        }
        unchecked {
            uint128 owed0 =
                uint128(FullMath.mulDiv(feeGrowthInside0X128 - self.feeGrowthInside0LastX128, liquidity, Q128));
            uint128 owed1 =
                uint128(FullMath.mulDiv(feeGrowthInside1X128 - self.feeGrowthInside1LastX128, liquidity, Q128));
            self.feeGrowthInside0LastX128 = feeGrowthInside0X128;
            self.feeGrowthInside1LastX128 = feeGrowthInside1X128;
            if (owed0 > 0 || owed1 > 0) {
                self.tokensOwed0 += owed0;
                self.tokensOwed1 += owed1;
            }
        }
    }
}
