// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

/// @title BitMath
/// @notice Index of the highest and lowest set bit of a word.
library BitMath {
    /// @dev The index of the most significant set bit of x (x must be non-zero; 0 returns 0).
    function mostSignificantBit(uint256 x) internal pure returns (uint8 r) {
        assembly ("memory-safe") {
            // Binary search: each line keeps the upper half if it holds a set bit.
            let s := shl(7, gt(x, 0xffffffffffffffffffffffffffffffff))
            x := shr(s, x)
            r := s
            s := shl(6, gt(x, 0xffffffffffffffff))
            x := shr(s, x)
            r := or(r, s)
            s := shl(5, gt(x, 0xffffffff))
            x := shr(s, x)
            r := or(r, s)
            s := shl(4, gt(x, 0xffff))
            x := shr(s, x)
            r := or(r, s)
            s := shl(3, gt(x, 0xff))
            x := shr(s, x)
            r := or(r, s)
            s := shl(2, gt(x, 0xf))
            x := shr(s, x)
            r := or(r, s)
            s := shl(1, gt(x, 0x3))
            x := shr(s, x)
            r := or(or(r, s), gt(x, 0x1))
        }
    }

    /// @dev The index of the least significant set bit of x (x must be non-zero; 0 returns 0).
    function leastSignificantBit(uint256 x) internal pure returns (uint8 r) {
        unchecked {
            // x & -x keeps only the lowest set bit.
            r = mostSignificantBit(x & (0 - x));
        }
    }
}
