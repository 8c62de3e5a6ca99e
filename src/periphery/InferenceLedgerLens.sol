// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IInferenceLedger, Session, UsageBatch, UsageStats} from "../inference/interfaces/IInferenceLedger.sol";
import {InferenceLedgerLib} from "../inference/libraries/InferenceLedgerLib.sol";
import {ReceiptLib} from "../inference/libraries/ReceiptLib.sol";
import {UsageBatchLib} from "../inference/libraries/UsageBatchLib.sol";
import {IModelRegistry, Pricing} from "../registry/interfaces/IModelRegistry.sol";
import {IInferenceLedgerLens} from "./interfaces/IInferenceLedgerLens.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title InferenceLedgerLens
/// @notice Views of an InferenceLedger for wallets, dashboards, gateways and keepers. See IInferenceLedgerLens.
contract InferenceLedgerLens is IInferenceLedgerLens {
    using InferenceLedgerLib for IInferenceLedger;

    /// @inheritdoc IInferenceLedgerLens
    IInferenceLedger public immutable ledger;
    IModelRegistry internal immutable _registry;
    uint256 internal immutable _settlementGrace;

    /// @param ledger_ The ledger to read.
    constructor(IInferenceLedger ledger_) {
        ledger = ledger_;
        _registry = IModelRegistry(ledger_.modelRegistry());
        _settlementGrace = ledger_.SETTLEMENT_GRACE();
    }

    /// @inheritdoc IInferenceLedgerLens
    function getSession(uint256 sessionId) external view returns (Session memory) {
        return ledger.getSession(sessionId);
    }

    /// @inheritdoc IInferenceLedgerLens
    function remainingBudget(uint256 sessionId) external view returns (uint256) {
        Session memory session = ledger.getSession(sessionId);
        return session.budget - session.spent;
    }

    /// @inheritdoc IInferenceLedgerLens
    function isApproved(uint256 sessionId, uint256 modelId) external view returns (bool) {
        Session memory session = ledger.getSession(sessionId);
        if (session.modelId != modelId || modelId == 0 || session.closed) return false;
        if (block.timestamp >= session.expiry || session.spent >= session.budget) return false;
        (,,,, bool paused) = _registry.lineageOf(modelId);
        return !paused;
    }

    /// @inheritdoc IInferenceLedgerLens
    function refundableAt(uint256 sessionId) external view returns (uint256) {
        Session memory session = ledger.getSession(sessionId);
        if (session.buyer == address(0)) revert IInferenceLedger.UnknownSession(sessionId);
        return uint256(session.expiry) + _settlementGrace;
    }

    /// @inheritdoc IInferenceLedgerLens
    function usageStats(uint256 modelId) external view returns (UsageStats memory) {
        return ledger.usageStats(modelId);
    }

    /// @inheritdoc IInferenceLedgerLens
    function usageHistogram(uint256 modelId) external view returns (uint64[32] memory) {
        return ledger.usageHistogram(modelId);
    }

    /// @inheritdoc IInferenceLedgerLens
    function protocolFeeBps() external view returns (uint256 feeBps) {
        (feeBps,,) = ledger.fees();
    }

    /// @inheritdoc IInferenceLedgerLens
    function submitterFeeBps() external view returns (uint256 feeBps) {
        (, feeBps,) = ledger.fees();
    }

    /// @inheritdoc IInferenceLedgerLens
    function protocolFees() external view returns (uint256 accrued) {
        (,, accrued) = ledger.fees();
    }

    /// @inheritdoc IInferenceLedgerLens
    function usageBatchDigest(UsageBatch calldata batch, uint256 gatewayId) external view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(ledger.DOMAIN_SEPARATOR(), UsageBatchLib.structHash(batch, gatewayId));
    }

    /// @inheritdoc IInferenceLedgerLens
    function quoteCost(uint256 modelId, uint256 inputTokens, uint256 outputTokens, uint256 reasoningTokens)
        external
        view
        returns (uint256)
    {
        Pricing memory pricing = _registry.pricingOf(modelId);
        return ReceiptLib.costUp(
            inputTokens,
            outputTokens,
            reasoningTokens,
            pricing.inputPerMTok,
            pricing.outputPerMTok,
            pricing.reasoningPerMTok
        );
    }
}
