// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {BitMath} from "./BitMath.sol";

/// @title TickBitmap
/// @notice One bit per usable tick: compressed tick c = tick / tickSpacing (rounded toward -inf) lives at bit
/// c mod 256 of word floor(c / 256).
library TickBitmap {
    /// @dev Word and bit of a compressed tick.
    function position(int24 compressed) internal pure returns (int16 wordPos, uint8 bitPos) {
        unchecked {
            wordPos = int16(compressed >> 8);
            bitPos = uint8(uint24(compressed) & 0xff);
        }
    }

    /// @dev Toggles the bit of `tick`, which must be a multiple of `tickSpacing` (the pool checks it).
    function flipTick(mapping(int16 => uint256) storage self, int24 tick, int24 tickSpacing) internal {
        (int16 wordPos, uint8 bitPos) = position(tick / tickSpacing);
        self[wordPos] ^= 1 << bitPos;
    }

    /// @notice The next initialized tick at or left of `tick` (lte) or strictly right of it, searching only the
    /// bitmap word that holds the start; if none, the word's last tick in that direction, not initialized.
    /// @dev The returned tick may lie beyond MIN_TICK / MAX_TICK; the swap clamps it.
    function nextInitializedTickWithinOneWord(
        mapping(int16 => uint256) storage self,
        int24 tick,
        int24 tickSpacing,
        bool lte
    ) internal view returns (int24 next, bool initialized) {
        unchecked {
            int24 compressed = tick / tickSpacing;
            if (tick < 0 && tick % tickSpacing != 0) compressed--;

            if (lte) {
                (int16 wordPos, uint8 bitPos) = position(compressed);
                // Bits bitPos and below.
                uint256 masked = self[wordPos] & (type(uint256).max >> (255 - bitPos));
                initialized = masked != 0;
                int24 offset =
                    initialized ? int24(uint24(bitPos - BitMath.mostSignificantBit(masked))) : int24(uint24(bitPos));
                next = (compressed - offset) * tickSpacing;
            } else {
                (int16 wordPos, uint8 bitPos) = position(compressed + 1);
                // Bits bitPos and above.
                uint256 masked = self[wordPos] & (type(uint256).max << bitPos);
                initialized = masked != 0;
                int24 offset = initialized
                    ? int24(uint24(BitMath.leastSignificantBit(masked) - bitPos))
                    : int24(uint24(255 - bitPos));
                next = (compressed + 1 + offset) * tickSpacing;
            }
        }
    }
}
