// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RequestsMerkle} from "../RequestsMerkle.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Second-preimage attack on the request commitment (docs/receipts.md §4): an inner node is the hash of 64
/// bytes, its two children. If a leaf were the hash of the 64-byte `abi.encode(word, requestHash)`, the claim
/// `(word = uint256(left child), requestHash = right child)` would hash to that inner node and verify with the inner
/// node's (shorter) proof: a "receipt" the batch never held. The roots are the SDK's, from test/vectors/receipts.json.
contract MerkleLeafAttackTest is Test {
    string internal json;

    function setUp() public {
        json = vm.readFile("test/vectors/receipts.json");
    }

    function _key(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".batches[", vm.toString(i), "].", field);
    }

    function _leaves(uint256 i) internal view returns (bytes32[] memory leaves) {
        uint256[] memory words = vm.parseJsonUintArray(json, _key(i, "words"));
        bytes32[] memory requestHashes = vm.parseJsonBytes32Array(json, _key(i, "requestHashes"));
        leaves = new bytes32[](words.length);
        for (uint256 j; j < words.length; ++j) {
            leaves[j] = RequestsMerkle.leaf(words[j], requestHashes[j]);
        }
    }

    /// @dev Tries every inner node of the tree over `leaves` as a forged leaf; returns how many inner nodes it tried.
    function _tryEveryInnerNode(bytes32[] memory leaves, bytes32 root) internal pure returns (uint256 tried) {
        bytes32[] memory level = leaves;
        while (level.length > 1) {
            bytes32[] memory next = RequestsMerkle.up(level);
            for (uint256 k; 2 * k + 1 < level.length; ++k) {
                (bytes32 a, bytes32 b) = (level[2 * k], level[2 * k + 1]);
                (bytes32 lo, bytes32 hi) = a < b ? (a, b) : (b, a);
                bytes32[] memory shorter = RequestsMerkle.proof(next, k);
                // The proof is right: the inner node is under the root, as every node is.
                assertTrue(MerkleProof.verify(shorter, root, next[k]), "inner node proof");
                // The forged claim: its children read as (receipt word, request hash).
                assertFalse(
                    MerkleProof.verify(shorter, root, RequestsMerkle.leaf(uint256(lo), hi)),
                    "an inner node verifies as the leaf of (uint256(left), right)"
                );
                assertNotEq(RequestsMerkle.leaf(uint256(lo), hi), next[k], "leaf hash equals an inner node");
                ++tried;
            }
            level = next;
        }
    }

    function test_attack_innerNodeOfVectorTreesDoesNotVerifyAsLeaf() public view {
        uint256 tried;
        for (uint256 i; vm.keyExistsJson(json, string.concat(".batches[", vm.toString(i), "]")); ++i) {
            bytes32[] memory leaves = _leaves(i);
            bytes32 root = vm.parseJsonBytes32(json, _key(i, "requestsCommitment"));
            assertEq(RequestsMerkle.root(leaves), root, "the SDK's root");
            tried += _tryEveryInnerNode(leaves, root);
        }
        assertGe(tried, 7, "the vector trees have inner nodes to try");
    }

    function testFuzz_attack_innerNodeDoesNotVerifyAsLeaf(bytes32 seed, uint8 size) public pure {
        uint256 n = bound(size, 2, 64);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 j; j < n; ++j) {
            uint256 word =
                (uint256(j >> 3) << 240) | ((j + 1) << 192) | uint256(keccak256(abi.encode(seed, j))) % 2 ** 96;
            leaves[j] = RequestsMerkle.leaf(word, keccak256(abi.encode(seed, "request", j)));
        }
        assertEq(_tryEveryInnerNode(leaves, RequestsMerkle.root(leaves)), n - 1, "a tree of n leaves has n - 1 pairs");
    }

    /// @dev The honest path still works: every receipt's proof verifies with OpenZeppelin's `MerkleProof`.
    function test_everyReceiptProofVerifies() public view {
        for (uint256 i; vm.keyExistsJson(json, string.concat(".batches[", vm.toString(i), "]")); ++i) {
            bytes32[] memory leaves = _leaves(i);
            bytes32 root = RequestsMerkle.root(leaves);
            for (uint256 j; j < leaves.length; ++j) {
                assertTrue(MerkleProof.verify(RequestsMerkle.proof(leaves, j), root, leaves[j]), "receipt proof");
            }
        }
    }
}
