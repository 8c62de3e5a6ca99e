// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @notice The request-commitment Merkle tree of docs/receipts.md §4, written independently of the SDK so the tests can
/// check the SDK's roots and proofs (test/vectors/receipts.json) against it: double-hashed leaves in receipt order,
/// pairs hashed commutatively (OpenZeppelin `MerkleProof`), an odd last node moved up unchanged.
library RequestsMerkle {
    /// @dev The leaf a verifier computes from a claimed `(receipt word, request hash)`: hashed twice, as OpenZeppelin's
    /// `StandardMerkleTree`, so a leaf (hash of 32 bytes) is never an inner node (hash of 64 bytes).
    function leaf(uint256 word, bytes32 requestHash) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(word, requestHash))));
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    /// @dev The level above `level`.
    function up(bytes32[] memory level) internal pure returns (bytes32[] memory next) {
        next = new bytes32[]((level.length + 1) / 2);
        for (uint256 k; k < level.length; k += 2) {
            next[k / 2] = k + 1 == level.length ? level[k] : hashPair(level[k], level[k + 1]);
        }
    }

    function root(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory level = leaves;
        while (level.length > 1) level = up(level);
        return level[0];
    }

    /// @dev Proof of the node at `index` of `level` (any level): its siblings from that level up.
    function proof(bytes32[] memory level, uint256 index) internal pure returns (bytes32[] memory siblings) {
        bytes32[] memory buffer = new bytes32[](256);
        uint256 count;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) buffer[count++] = level[sibling];
            level = up(level);
            index >>= 1;
        }
        siblings = new bytes32[](count);
        for (uint256 k; k < count; ++k) {
            siblings[k] = buffer[k];
        }
    }
}
