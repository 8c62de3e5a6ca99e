// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../amm/interfaces/ICognitionPoolErrors.sol";

/// @title FullMath
/// @notice Multiply-then-divide with a 512-bit intermediate product, rounded down or up.
library FullMath {
    /// @dev floor(a * b / d). Reverts with `MulDivOverflow` if d == 0 or the quotient exceeds 256 bits.
    function mulDiv(uint256 a, uint256 b, uint256 d) internal pure returns (uint256 q) {
        unchecked {
            // The product as hi * 2^256 + lo: mulmod by 2^256 - 1 and the wrapped product differ by hi
            // (Chinese remainder theorem on the moduli 2^256 and 2^256 - 1).
            uint256 lo;
            uint256 hi;
            assembly ("memory-safe") {
                let mm := mulmod(a, b, not(0))
                lo := mul(a, b)
                hi := sub(sub(mm, lo), lt(mm, lo))
            }
            if (hi == 0) {
                if (d == 0) revert ICognitionPoolErrors.MulDivOverflow();
                return lo / d;
            }
            if (d <= hi) revert ICognitionPoolErrors.MulDivOverflow();

            // Make the division exact: subtract the remainder from the 512-bit product.
            assembly ("memory-safe") {
                let rem := mulmod(a, b, d)
                hi := sub(hi, gt(rem, lo))
                lo := sub(lo, rem)
            }
            // Divide out the largest power of two dividing d, moving hi's bits down into lo.
            uint256 pow2 = d & (0 - d);
            assembly ("memory-safe") {
                d := div(d, pow2)
                lo := div(lo, pow2)
                // 2^256 / pow2, which is 1 when pow2 == 1 (then hi is 0 after the exact division).
                pow2 := add(div(sub(0, pow2), pow2), 1)
            }
            lo |= hi * pow2;
            // d is now odd, so it has an inverse modulo 2^256. Newton-Raphson doubles the correct bits per
            // step, starting from 4 correct bits: (3d) xor 2 is the inverse of d modulo 16.
            uint256 inv = (3 * d) ^ 2;
            inv *= 2 - d * inv; // 8 bits
            inv *= 2 - d * inv; // 16
            inv *= 2 - d * inv; // 32
            inv *= 2 - d * inv; // 64
            inv *= 2 - d * inv; // 128
            inv *= 2 - d * inv; // 256
            // The exact quotient is below 2^256, so it equals lo * d^-1 modulo 2^256.
            q = lo * inv;
        }
    }

    /// @dev ceil(a * b / d). Reverts with `MulDivOverflow` if d == 0 or the quotient exceeds 256 bits.
    function mulDivUp(uint256 a, uint256 b, uint256 d) internal pure returns (uint256 q) {
        q = mulDiv(a, b, d);
        unchecked {
            if (mulmod(a, b, d) != 0) {
                if (q == type(uint256).max) revert ICognitionPoolErrors.MulDivOverflow();
                ++q;
            }
        }
    }

    /// @dev ceil(a / d); returns 0 for d == 0 (callers guarantee d != 0).
    function unsafeDivUp(uint256 a, uint256 d) internal pure returns (uint256 q) {
        assembly ("memory-safe") {
            q := add(div(a, d), gt(mod(a, d), 0))
        }
    }
}
