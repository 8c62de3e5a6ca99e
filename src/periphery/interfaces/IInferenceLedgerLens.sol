// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {IInferenceLedger, Session, UsageBatch, UsageStats} from "../../inference/interfaces/IInferenceLedger.sol";

/// @title IInferenceLedgerLens
/// @notice Views of one InferenceLedger's sessions, statistics and fees, read through the ledger's `extsload` so that
/// the ledger itself carries only what settlement needs.
interface IInferenceLedgerLens {
    /// @notice The ledger read.
    function ledger() external view returns (IInferenceLedger);
    /// @notice The stored session (all zero for an unknown id).
    function getSession(uint256 sessionId) external view returns (Session memory);
    /// @notice Budget left: `budget - spent` (0 once closed).
    function remainingBudget(uint256 sessionId) external view returns (uint256);
    /// @notice Whether the session approves inference of `modelId` now: for that model, not closed, unexpired, with
    /// budget left, and the model not paused. Only the session's gateway may serve it.
    function isApproved(uint256 sessionId, uint256 modelId) external view returns (bool);
    /// @notice When the session's unspent rest can be refunded: `expiry + SETTLEMENT_GRACE`. From then on, settling
    /// the session's receipts charges nothing. Reverts with `IInferenceLedger.UnknownSession` for an unknown id.
    function refundableAt(uint256 sessionId) external view returns (uint256);
    /// @notice Cumulative usage statistics of `modelId`.
    function usageStats(uint256 modelId) external view returns (UsageStats memory);
    /// @notice Request counts of `modelId` per bucket of generated tokens (output + reasoning) per request: bucket 0
    /// none, bucket k in [1, 30] [2^(k-1), 2^k), bucket 31 2^30 or more.
    function usageHistogram(uint256 modelId) external view returns (uint64[32] memory);
    /// @notice The protocol fee, in bps of every charge.
    function protocolFeeBps() external view returns (uint256);
    /// @notice The submitter fee, in bps of every charge.
    function submitterFeeBps() external view returns (uint256);
    /// @notice Protocol fees accrued and not yet claimed.
    function protocolFees() external view returns (uint256);
    /// @notice EIP-712 digest of a usage batch as the enclave key of gateway `gatewayId` signs it.
    function usageBatchDigest(UsageBatch calldata batch, uint256 gatewayId) external view returns (bytes32);
    /// @notice Attested cost of the given token counts at the model's pricing in force, rounded up (what settlement
    /// charges for one session group served at that pricing).
    function quoteCost(uint256 modelId, uint256 inputTokens, uint256 outputTokens, uint256 reasoningTokens)
        external
        view
        returns (uint256);
}
