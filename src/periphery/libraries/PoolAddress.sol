// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

/// @title PoolAddress
/// @notice The CREATE2 address of a CognitionPool.
library PoolAddress {
    /// @dev Sorts the tokens: (token0, token1) with token0 < token1.
    function sort(address tokenA, address tokenB) internal pure returns (address, address) {
        return tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
    }

    /// @dev keccak256(0xff ++ factory ++ keccak256(abi.encode(token0, token1, fee)) ++ initCodeHash)[12:].
    function compute(address factory, bytes32 initCodeHash, address token0, address token1, uint24 fee)
        internal
        pure
        returns (address pool)
    {
        bytes32 salt = keccak256(abi.encode(token0, token1, fee));
        pool = address(uint160(uint256(keccak256(abi.encodePacked(hex"ff", factory, salt, initCodeHash)))));
    }
}
