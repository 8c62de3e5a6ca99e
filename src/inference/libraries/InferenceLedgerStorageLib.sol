// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @title InferenceLedgerStorageLib
/// @notice Storage slots of InferenceLedger, for reading its state through `extsload`. The slot numbers follow the
/// ledger's declaration order (after Ownable's and Ownable2Step's owner slots);
/// test/ledger/lens/InferenceLedgerLens.t.sol checks each against the deployed ledger.
library InferenceLedgerStorageLib {
    uint256 internal constant SESSION_COUNT_SLOT = 2;
    uint256 internal constant ACCOUNTS_SLOT = 3;
    uint256 internal constant TERMS_SLOT = 4;
    uint256 internal constant POLICY_IDS_SLOT = 5;
    uint256 internal constant SETTLED_BATCHES_SLOT = 6;
    uint256 internal constant FEES_SLOT = 7;
    uint256 internal constant SUBMITTER_FEES_SLOT = 8;
    uint256 internal constant STATS_SLOT = 9;
    uint256 internal constant HISTOGRAMS_SLOT = 10;

    /// @dev Slot 11 holds the share approvals, slot 12 the coverage (read with `coverage()`).

    /// @notice A session's settlement slot: modelId (48 bits), lastSequence (48), budget (80), spent (80), low to high.
    function accountSlot(uint256 sessionId) internal pure returns (bytes32) {
        return keccak256(abi.encode(sessionId, ACCOUNTS_SLOT));
    }

    /// @notice A session's terms slot: buyer (160 bits), expiry (40), gatewayId (48), flags (8: 1 closed, 2 insured),
    /// low to high.
    function termsSlot(uint256 sessionId) internal pure returns (bytes32) {
        return keccak256(abi.encode(sessionId, TERMS_SLOT));
    }

    /// @notice A session's insurance policy id (0 for none).
    function policyIdSlot(uint256 sessionId) internal pure returns (bytes32) {
        return keccak256(abi.encode(sessionId, POLICY_IDS_SLOT));
    }

    /// @notice Fees: protocolFeeBps (16 bits), submitterFeeBps (16), protocolFees (128), low to high.
    function feesSlot() internal pure returns (bytes32) {
        return bytes32(FEES_SLOT);
    }

    /// @notice The first of a model's two statistics slots: requests, input, output, reasoning tokens (64 bits each);
    /// the next holds cost (128), charged (96), lastFeedAt (32).
    function statsSlot(uint256 modelId) internal pure returns (bytes32) {
        return keccak256(abi.encode(modelId, STATS_SLOT));
    }

    /// @notice The first of a model's eight histogram slots, four 64-bit buckets each, bucket 4s + l at bits 64l of
    /// slot s.
    function histogramSlot(uint256 modelId) internal pure returns (bytes32) {
        return keccak256(abi.encode(modelId, HISTOGRAMS_SLOT));
    }
}
