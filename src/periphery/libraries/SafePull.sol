// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

/// @title SafePull
/// @notice `transferFrom` that accepts tokens returning nothing or true, and reports failure to the caller.
library SafePull {
    /// @dev Moves `amount` of `token` from `from` to `to`; returns false if the token call failed.
    function tryTransferFrom(address token, address from, address to, uint256 amount) internal returns (bool ok) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x23b872dd) // transferFrom(address,address,uint256)
            mstore(add(m, 0x20), shr(96, shl(96, from)))
            mstore(add(m, 0x40), shr(96, shl(96, to)))
            mstore(add(m, 0x60), amount)
            ok := call(gas(), token, 0, add(m, 0x1c), 0x64, 0x00, 0x20)
            ok := and(
                ok,
                or(
                    and(iszero(returndatasize()), gt(extcodesize(token), 0)),
                    and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))
                )
            )
        }
    }
}
