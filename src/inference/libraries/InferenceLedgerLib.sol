// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {IInferenceLedger, Session, UsageStats} from "../interfaces/IInferenceLedger.sol";
import {InferenceLedgerStorageLib as Slots} from "./InferenceLedgerStorageLib.sol";

/// @title InferenceLedgerLib
/// @notice Reads InferenceLedger state through its `extsload`, for contracts that build on it (insurance, lending,
/// the lens). One external call per read.
library InferenceLedgerLib {
    uint256 internal constant MASK_16 = 0xffff;
    uint256 internal constant MASK_32 = 0xffffffff;
    uint256 internal constant MASK_40 = 0xffffffffff;
    uint256 internal constant MASK_48 = 0xffffffffffff;
    uint256 internal constant MASK_64 = 0xffffffffffffffff;
    uint256 internal constant MASK_80 = 0xffffffffffffffffffff;
    uint256 internal constant MASK_96 = 0xffffffffffffffffffffffff;
    uint256 internal constant MASK_128 = 0xffffffffffffffffffffffffffffffff;

    /// @notice The stored session (all zero for an unknown id).
    function getSession(IInferenceLedger ledger, uint256 sessionId) internal view returns (Session memory session) {
        bytes32[] memory slots = new bytes32[](3);
        slots[0] = Slots.accountSlot(sessionId);
        slots[1] = Slots.termsSlot(sessionId);
        slots[2] = Slots.policyIdSlot(sessionId);
        bytes32[] memory words = ledger.extsload(slots);
        uint256 account = uint256(words[0]);
        uint256 terms = uint256(words[1]);
        session.modelId = uint48(account & MASK_48);
        session.lastSequence = uint48((account >> 48) & MASK_48);
        session.budget = uint80((account >> 96) & MASK_80);
        session.spent = uint80(account >> 176);
        session.buyer = address(uint160(terms));
        session.expiry = uint40((terms >> 160) & MASK_40);
        session.gatewayId = uint48((terms >> 200) & MASK_48);
        session.closed = (terms >> 248) & 1 != 0;
        session.policyId = uint48(uint256(words[2]));
    }

    /// @notice Cumulative usage statistics of `modelId`.
    function usageStats(IInferenceLedger ledger, uint256 modelId) internal view returns (UsageStats memory stats) {
        bytes32[] memory slots = new bytes32[](2);
        slots[0] = Slots.statsSlot(modelId);
        slots[1] = bytes32(uint256(slots[0]) + 1);
        bytes32[] memory words = ledger.extsload(slots);
        uint256 counts = uint256(words[0]);
        uint256 money = uint256(words[1]);
        stats.requests = uint64(counts & MASK_64);
        stats.inputTokens = uint64((counts >> 64) & MASK_64);
        stats.outputTokens = uint64((counts >> 128) & MASK_64);
        stats.reasoningTokens = uint64(counts >> 192);
        stats.cost = uint128(money & MASK_128);
        stats.charged = uint96((money >> 128) & MASK_96);
        stats.lastFeedAt = uint32(money >> 224);
    }

    /// @notice Request counts of `modelId` per bucket of generated tokens.
    function usageHistogram(IInferenceLedger ledger, uint256 modelId)
        internal
        view
        returns (uint64[32] memory buckets)
    {
        bytes32[] memory slots = new bytes32[](8);
        uint256 first = uint256(Slots.histogramSlot(modelId));
        for (uint256 s; s < 8; ++s) {
            slots[s] = bytes32(first + s);
        }
        bytes32[] memory words = ledger.extsload(slots);
        for (uint256 s; s < 8; ++s) {
            uint256 packed = uint256(words[s]);
            for (uint256 l; l < 4; ++l) {
                buckets[4 * s + l] = uint64(packed >> (64 * l));
            }
        }
    }

    /// @notice The protocol and submitter fee rates (bps) and the protocol fees accrued and not yet claimed.
    function fees(IInferenceLedger ledger)
        internal
        view
        returns (uint256 protocolFeeBps, uint256 submitterFeeBps, uint256 protocolFees)
    {
        bytes32[] memory slots = new bytes32[](1);
        slots[0] = Slots.feesSlot();
        uint256 word = uint256(ledger.extsload(slots)[0]);
        return (word & MASK_16, (word >> 16) & MASK_16, (word >> 32) & MASK_128);
    }
}
