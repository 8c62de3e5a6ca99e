// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

/// @title CustomRevert
/// @notice Reverts with a custom error given its selector and ABI words. `revert E(...)` pushes the selector as a
/// 32-byte constant and encodes through the free memory pointer at every site; these take it as a 4-byte constant,
/// which saves ~30 bytes of code per site and keeps the pool under its size budget. The revert data is the same
/// as `revert E(...)`'s, and paths that do not revert run the same code.
/// @dev Pass the selector as `uint32(E.selector)` (folded to a constant) and each argument as its ABI word:
/// `uint256(int256(x))` for a signed integer (sign-extended), `uint256(uint160(a))` for an address.
/// A contract's ABI lists the errors its code names in `revert E(...)`, not those only reverted with here: the
/// libraries the periphery also links (FullMath, TickMath) keep `revert E(...)`, so that the periphery's
/// generated ABIs, which the SDK decodes reverts with, keep their errors.
library CustomRevert {
    /// @dev Reverts with `E()`.
    function revertWith(uint32 selector) internal pure {
        assembly ("memory-safe") {
            mstore(0x00, selector)
            revert(0x1c, 0x04)
        }
    }

    /// @dev Reverts with `E(a)`.
    function revertWith(uint32 selector, uint256 a) internal pure {
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x20, a)
            revert(0x1c, 0x24)
        }
    }

    /// @dev Reverts with `E(a, b)` (overwrites the free memory pointer, which no longer matters).
    function revertWith(uint32 selector, uint256 a, uint256 b) internal pure {
        assembly {
            mstore(0x00, selector)
            mstore(0x20, a)
            mstore(0x40, b)
            revert(0x1c, 0x44)
        }
    }

    /// @dev Reverts with `E(a, b, c)` (overwrites the free memory pointer and the zero slot, which no longer
    /// matter).
    function revertWith(uint32 selector, uint256 a, uint256 b, uint256 c) internal pure {
        assembly {
            mstore(0x00, selector)
            mstore(0x20, a)
            mstore(0x40, b)
            mstore(0x60, c)
            revert(0x1c, 0x64)
        }
    }
}
