// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IModelRegistry, Pricing} from "../registry/interfaces/IModelRegistry.sol";
import {IModelShare} from "../registry/interfaces/IModelShare.sol";
import {ModelId, PolicyId, SessionId} from "../types/Ids.sol";
import {IComputeCostFeed} from "./interfaces/IComputeCostFeed.sol";
import {Gateway, IEnclaveRegistry, KeyStatus} from "./interfaces/IEnclaveRegistry.sol";
import {IInferenceLedger, Session, UsageBatch, UsageStats} from "./interfaces/IInferenceLedger.sol";
import {ISettlementCoverage} from "./interfaces/ISettlementCoverage.sol";
import {ReceiptLib} from "./libraries/ReceiptLib.sol";
import {UsageBatchLib} from "./libraries/UsageBatchLib.sol";
import {UsageHistogramLib} from "./libraries/UsageHistogramLib.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";

/// @title InferenceLedger
/// @notice Approval sessions and batched settlement of attested inference usage. See IInferenceLedger and
/// docs/receipts.md.
/// @dev Every external function follows the same order: checks, accounting, events, external calls.
contract InferenceLedger is IInferenceLedger, Ownable2Step, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using UsageHistogramLib for uint256[8];

    /* CONSTANTS */

    /// @inheritdoc IInferenceLedger
    uint256 public constant SETTLEMENT_GRACE = 1 hours;
    /// @inheritdoc IInferenceLedger
    uint256 public constant MAX_PROTOCOL_FEE_BPS = 1000;
    /// @inheritdoc IInferenceLedger
    uint256 public constant MAX_SUBMITTER_FEE_BPS = 500;
    /// @inheritdoc IInferenceLedger
    uint256 public constant HISTOGRAM_BUCKETS = UsageHistogramLib.BUCKETS;
    /// @inheritdoc IInferenceLedger
    bytes32 public constant USAGE_BATCH_TYPEHASH = UsageBatchLib.TYPEHASH;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_SESSIONS_PER_BATCH = 1 << 16;
    uint256 internal constant MASK_48 = 0xffffffffffff;
    uint256 internal constant MASK_80 = 0xffffffffffffffffffff;
    uint256 internal constant MASK_40 = 0xffffffffff;
    /// @dev Byte i (from the most significant) is the bit length of i, for i < 16.
    uint256 internal constant NIBBLE_BIT_LENGTHS = 0x0001020203030303040404040404040400000000000000000000000000000000;
    /// @dev Bit offsets of `Terms.expiry` and `Terms.gatewayId` in the terms slot.
    uint256 internal constant EXPIRY_SHIFT = 160;
    uint256 internal constant GATEWAY_SHIFT = 200;
    uint256 internal constant FLAGS_SHIFT = 248;
    /// @dev `Terms.flags`: the rest was refunded; the session is insured under its policy.
    uint8 internal constant CLOSED = 1;
    uint8 internal constant INSURED = 2;

    /* IMMUTABLES */

    /// @inheritdoc IInferenceLedger
    uint256 public immutable MAX_SESSION_DURATION;
    /// @inheritdoc IInferenceLedger
    address public immutable modelRegistry;
    /// @inheritdoc IInferenceLedger
    address public immutable enclaveRegistry;
    /// @inheritdoc IInferenceLedger
    address public immutable stablecoin;
    /// @inheritdoc IInferenceLedger
    address public immutable costFeed;
    /// @inheritdoc IInferenceLedger
    uint256 public immutable feedInterval;
    /// @dev The EIP-712 domain separator on the deployment chain, and that chain's id (a fork recomputes it).
    bytes32 internal immutable _cachedDomainSeparator;
    uint256 internal immutable _cachedChainId;
    /// @dev The registry's `MAX_ANCESTRY_DEPTH`: bounds the royalty walk.
    uint256 internal immutable _maxAncestry;

    /* STORAGE */

    /// @dev The settlement slot of a session. Packed low to high: modelId, lastSequence, budget, spent.
    struct Account {
        uint48 modelId;
        uint48 lastSequence;
        uint80 budget;
        uint80 spent;
    }

    /// @dev The rest of a session, in one slot. Packed low to high: buyer, expiry, gatewayId, flags (`CLOSED`,
    /// `INSURED`).
    struct Terms {
        address buyer;
        uint40 expiry;
        uint48 gatewayId;
        uint8 flags;
    }

    /// @dev Fee rates and accrued protocol fees, in one slot.
    struct Fees {
        uint16 protocolFeeBps;
        uint16 submitterFeeBps;
        uint128 protocolFees;
    }

    /// @dev Where a model's revenue goes, from the registry.
    struct Lineage {
        address share;
        uint256 parentId;
        uint256 royaltyBps;
    }

    /// @dev A session group's run of receipts, as `_scanGroup` leaves it. Field order is relied on by its assembly.
    struct Group {
        uint256 end;
        uint256 lastSequence;
        uint256 inputTokens;
        uint256 outputTokens;
        uint256 reasoningTokens;
        /// @dev Receipts skipped at the start of the group (at or below the floor sequence).
        uint256 skipped;
        /// @dev Where the group starts (set by the caller; not used by the assembly).
        uint256 start;
    }

    /// @dev What every session group of a batch is charged against.
    struct BatchContext {
        uint256 modelId;
        uint256 gatewayId;
        Pricing pricing;
        /// @dev `pricing` packed as the coverage takes it, and the coverage: both set at the batch's first insured group.
        uint256 packedPricing;
        address coverage;
    }

    /// @dev Sums over a batch, kept in memory.
    struct Totals {
        uint256 inputTokens;
        uint256 outputTokens;
        uint256 reasoningTokens;
        uint256 cost;
        uint256 charged;
        uint256 protocolFee;
        uint256 submitterFee;
        /// @dev Receipts skipped (stale, or for another gateway's session): not counted in the statistics.
        uint256 skipped;
        /// @dev Part of `charged` the coverage pays (pulled once the batch is charged).
        uint256 covered;
        bool feedDue;
    }

    /// @inheritdoc IInferenceLedger
    uint256 public sessionCount;
    mapping(uint256 sessionId => Account) internal _accounts;
    mapping(uint256 sessionId => Terms) internal _terms;
    mapping(uint256 sessionId => uint256) internal _policyIds;
    /// @inheritdoc IInferenceLedger
    mapping(uint256 gatewayId => uint256) public settledBatches;
    Fees internal _fees;
    /// @inheritdoc IInferenceLedger
    mapping(address submitter => uint256) public submitterFees;
    mapping(uint256 modelId => UsageStats) internal _stats;
    mapping(uint256 modelId => uint256[8]) internal _histograms;
    /// @dev Shares the ledger has given an unlimited stablecoin allowance: a model's share and its ancestors' are
    /// approved when its first session opens, so settlement, which only pays models with sessions, never checks.
    mapping(address share => bool) internal _shareApproved;
    /// @inheritdoc IInferenceLedger
    address public coverage;

    /* CONSTRUCTOR */

    /// @param modelRegistry_ The model registry (its stablecoin is the ledger's).
    /// @param enclaveRegistry_ The enclave registry.
    /// @param costFeed_ The ComputeCostFeed to push rounds to (zero for none).
    /// @param owner_ The protocol owner.
    /// @param protocolFeeBps_ Initial protocol fee.
    /// @param submitterFeeBps_ Initial submitter fee.
    constructor(
        address modelRegistry_,
        address enclaveRegistry_,
        address costFeed_,
        address owner_,
        uint256 protocolFeeBps_,
        uint256 submitterFeeBps_
    ) Ownable(owner_) {
        if (modelRegistry_ == address(0) || enclaveRegistry_ == address(0)) {
            revert ZeroAddress();
        }
        modelRegistry = modelRegistry_;
        enclaveRegistry = enclaveRegistry_;
        stablecoin = IModelRegistry(modelRegistry_).stablecoin();
        costFeed = costFeed_;
        feedInterval = costFeed_ == address(0) ? 0 : IComputeCostFeed(costFeed_).MIN_ROUND_INTERVAL();
        MAX_SESSION_DURATION = IModelRegistry(modelRegistry_).PRICING_DELAY() - SETTLEMENT_GRACE;
        _maxAncestry = IModelRegistry(modelRegistry_).MAX_ANCESTRY_DEPTH();
        _cachedChainId = block.chainid;
        _cachedDomainSeparator = UsageBatchLib.domainSeparator(address(this));
        _setFees(protocolFeeBps_, submitterFeeBps_);
    }

    /* VIEWS */

    /// @inheritdoc IInferenceLedger
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return block.chainid == _cachedChainId ? _cachedDomainSeparator : UsageBatchLib.domainSeparator(address(this));
    }

    /// @inheritdoc IInferenceLedger
    function extsload(bytes32[] calldata slots) external view returns (bytes32[] memory values) {
        values = new bytes32[](slots.length);
        for (uint256 i; i < slots.length; ++i) {
            bytes32 slot = slots[i];
            bytes32 value;
            assembly ("memory-safe") {
                value := sload(slot)
            }
            values[i] = value;
        }
    }

    /// @inheritdoc IInferenceLedger
    function usageTotals(uint256 modelId) external view returns (uint256 requests, uint256 tokens, uint256 cost) {
        UsageStats memory stats = _stats[modelId];
        return (stats.requests, uint256(stats.inputTokens) + stats.outputTokens + stats.reasoningTokens, stats.cost);
    }

    /// @dev The batch's EIP-712 digest as the key of gateway `gatewayId` signs it (docs/receipts.md §3).
    function _usageBatchDigest(UsageBatch calldata batch, uint256 gatewayId) internal view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(DOMAIN_SEPARATOR(), UsageBatchLib.structHash(batch, gatewayId));
    }

    /* BUYER ACTIONS */

    /// @inheritdoc IInferenceLedger
    function openSession(uint256 modelId, uint256 gatewayId, uint256 budget, uint256 expiry, uint256 policyId)
        external
        nonReentrant
        returns (uint256 sessionId)
    {
        if (budget == 0) revert ZeroAmount();
        if (budget > type(uint80).max) revert BudgetOverflow();
        if (policyId > type(uint48).max) revert PolicyIdTooLarge(policyId);
        if (modelId > type(uint48).max) revert ModelIdTooLarge(modelId);
        (, address share, uint256 parentId,, bool paused) = IModelRegistry(modelRegistry).lineageOf(modelId);
        if (paused) revert ModelPaused(modelId);
        if (!_shareApproved[share]) _approveLineage(share, parentId);
        // Gateway ids are assigned one by one from 1, so a known one fits the 48 bits of `Terms.gatewayId`.
        uint256 gatewayModelId = IEnclaveRegistry(enclaveRegistry).gateway(gatewayId).modelId;
        if (gatewayModelId != modelId) {
            if (gatewayModelId == 0) revert UnknownGateway(gatewayId);
            revert GatewayModelMismatch(gatewayId, gatewayModelId);
        }
        uint256 maxExpiry = block.timestamp + MAX_SESSION_DURATION;
        if (expiry <= block.timestamp || expiry > maxExpiry) revert InvalidExpiry(expiry, maxExpiry);

        sessionId = ++sessionCount;
        _accounts[sessionId] = Account(uint48(modelId), 0, uint80(budget), 0);
        _terms[sessionId] = Terms(msg.sender, uint40(expiry), uint48(gatewayId), policyId == 0 ? 0 : INSURED);
        if (policyId != 0) _policyIds[sessionId] = policyId;

        emit SessionOpened(sessionId, msg.sender, modelId, gatewayId, budget, expiry, policyId);
        if (policyId != 0) {
            if (coverage == address(0)) revert NoCoverage();
            ISettlementCoverage(coverage)
                .onSessionOpened(SessionId.wrap(sessionId), msg.sender, ModelId.wrap(modelId), PolicyId.wrap(policyId));
        }
        IERC20(stablecoin).safeTransferFrom(msg.sender, address(this), budget);
    }

    /// @inheritdoc IInferenceLedger
    function topUpSession(uint256 sessionId, uint256 amount, uint256 newExpiry) external nonReentrant {
        Terms memory terms = _terms[sessionId];
        if (terms.buyer == address(0)) revert UnknownSession(sessionId);
        if (msg.sender != terms.buyer) revert NotSessionBuyer(sessionId, msg.sender);
        if (terms.flags & CLOSED != 0) revert SessionAlreadyClosed(sessionId);
        if (amount == 0 && newExpiry == 0) revert ZeroAmount();

        Account storage account = _accounts[sessionId];
        uint256 budget = uint256(account.budget) + amount;
        if (budget > type(uint80).max) revert BudgetOverflow();
        if (newExpiry != 0) {
            uint256 maxExpiry = block.timestamp + MAX_SESSION_DURATION;
            if (newExpiry < terms.expiry || newExpiry <= block.timestamp || newExpiry > maxExpiry) {
                revert InvalidExpiry(newExpiry, maxExpiry);
            }
            _terms[sessionId].expiry = uint40(newExpiry);
            terms.expiry = uint40(newExpiry);
        }
        if (amount != 0) account.budget = uint80(budget);

        emit SessionToppedUp(sessionId, amount, budget, terms.expiry);
        if (amount != 0) IERC20(stablecoin).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IInferenceLedger
    function closeSession(uint256 sessionId) external nonReentrant returns (uint256 refund) {
        Terms memory terms = _terms[sessionId];
        if (terms.buyer == address(0)) revert UnknownSession(sessionId);
        if (terms.flags & CLOSED != 0) revert SessionAlreadyClosed(sessionId);

        if (block.timestamp < terms.expiry) {
            // A close request: the session stops approving inference now; receipts signed before it can still
            // be settled during the grace period.
            if (msg.sender != terms.buyer) revert NotSessionBuyer(sessionId, msg.sender);
            _terms[sessionId].expiry = uint40(block.timestamp);
            emit SessionCloseRequested(sessionId, block.timestamp + SETTLEMENT_GRACE);
            return 0;
        }
        uint256 refundAt = uint256(terms.expiry) + SETTLEMENT_GRACE;
        if (block.timestamp < refundAt) revert SettlementGraceActive(sessionId, refundAt);

        Account storage account = _accounts[sessionId];
        uint80 spent = account.spent;
        refund = account.budget - spent;
        account.budget = spent;
        _terms[sessionId].flags = terms.flags | CLOSED;

        emit SessionClosed(sessionId, terms.buyer, refund);
        if (refund != 0) IERC20(stablecoin).safeTransfer(terms.buyer, refund);
    }

    /* SETTLEMENT */

    /// @inheritdoc IInferenceLedger
    function settle(UsageBatch calldata batch, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 charged)
    {
        if (batch.receipts.length == 0) revert EmptyBatch();
        if (batch.sessionIds.length == 0 || batch.sessionIds.length > MAX_SESSIONS_PER_BATCH) {
            revert InvalidSessionCount(batch.sessionIds.length);
        }
        uint256 modelId = batch.modelId;
        Lineage memory lineage = _settlementLineage(modelId);
        (bytes32 digest, uint256 gatewayId) = _authenticate(batch, signature);

        Totals memory totals = _settleBatch(batch, gatewayId);
        _emitSettled(digest, batch, gatewayId, totals);
        if (totals.feedDue) _pushFeed(modelId);
        uint256 modelRevenue = totals.charged - totals.protocolFee - totals.submitterFee;
        if (modelRevenue != 0) _routeRevenue(modelId, lineage, modelRevenue);
        return totals.charged;
    }

    /* FEES */

    /// @inheritdoc IInferenceLedger
    function claimSubmitterFees(address receiver) external nonReentrant returns (uint256 amount) {
        if (receiver == address(0)) revert ZeroAddress();
        amount = submitterFees[msg.sender];
        if (amount == 0) return 0;
        submitterFees[msg.sender] = 0;
        emit SubmitterFeesClaimed(msg.sender, receiver, amount);
        IERC20(stablecoin).safeTransfer(receiver, amount);
    }

    /// @inheritdoc IInferenceLedger
    function claimProtocolFees(address receiver) external onlyOwner nonReentrant returns (uint256 amount) {
        if (receiver == address(0)) revert ZeroAddress();
        amount = _fees.protocolFees;
        if (amount == 0) return 0;
        _fees.protocolFees = 0;
        emit ProtocolFeesClaimed(receiver, amount);
        IERC20(stablecoin).safeTransfer(receiver, amount);
    }

    /// @inheritdoc IInferenceLedger
    function setCoverage(address coverage_) external onlyOwner {
        if (coverage != address(0)) revert CoverageAlreadySet(coverage);
        if (coverage_ == address(0)) revert ZeroAddress();
        coverage = coverage_;
        emit CoverageSet(coverage_);
    }

    /// @inheritdoc IInferenceLedger
    function setFees(uint256 protocolFeeBps_, uint256 submitterFeeBps_) external onlyOwner {
        _setFees(protocolFeeBps_, submitterFeeBps_);
    }

    /* INTERNAL: SETTLEMENT */

    /// @dev The model's share and royalty; reverts when the model is unknown. A paused model still settles: the
    /// pause stops new approvals (`isApproved`, `openSession`), not the payment of usage already served.
    function _settlementLineage(uint256 modelId) internal view returns (Lineage memory lineage) {
        (, lineage.share, lineage.parentId, lineage.royaltyBps,) = IModelRegistry(modelRegistry).lineageOf(modelId);
    }

    /// @dev Checks that the batch's key may sign for the model and signed this batch, and that the batch is its
    /// gateway's next; records it as settled. Returns the batch digest and the gateway.
    function _authenticate(UsageBatch calldata batch, bytes calldata signature)
        internal
        returns (bytes32 digest, uint256 gatewayId)
    {
        address enclave = batch.enclave;
        KeyStatus status;
        (status, gatewayId) = IEnclaveRegistry(enclaveRegistry).keyGateway(enclave, batch.modelId);
        if (status != KeyStatus.Valid) revert InvalidEnclaveKey(enclave, status);
        digest = _usageBatchDigest(batch, gatewayId);
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signature);
        if (error != ECDSA.RecoverError.NoError || signer != enclave) revert InvalidSignature();
        uint256 expected = settledBatches[gatewayId] + 1;
        if (batch.batchNumber != expected) revert BatchOutOfOrder(gatewayId, batch.batchNumber, expected);
        settledBatches[gatewayId] = expected;
    }

    /// @dev Charges the batch's sessions, records the usage and accrues the fees.
    function _settleBatch(UsageBatch calldata batch, uint256 gatewayId) internal returns (Totals memory totals) {
        uint256[32] memory histogram;
        BatchContext memory context =
            BatchContext(batch.modelId, gatewayId, _chargedPricing(batch.modelId, batch.servedPricing), 0, address(0));
        totals = _chargeSessions(context, batch.sessionIds, batch.receipts, histogram);
        if (totals.covered != 0) IERC20(stablecoin).safeTransferFrom(coverage, address(this), totals.covered);
        totals.feedDue = _recordUsage(batch.modelId, batch.receipts.length - totals.skipped, totals, histogram);
        (totals.protocolFee, totals.submitterFee) = _accrueFees(totals.charged);
    }

    function _emitSettled(bytes32 digest, UsageBatch calldata batch, uint256 gatewayId, Totals memory totals) internal {
        emit UsageSettled(
            digest,
            batch.modelId,
            gatewayId,
            batch.batchNumber,
            batch.enclave,
            msg.sender,
            batch.receipts.length,
            totals.charged,
            totals.protocolFee,
            totals.submitterFee,
            batch.requestsCommitment
        );
    }

    /// @dev The pricing a batch is charged at: per token kind, the lower of the pricing in force and the pricing
    /// the gateway served at, so a receipt's price never rises after it was served.
    function _chargedPricing(uint256 modelId, uint256 servedPricing) internal view returns (Pricing memory pricing) {
        pricing = IModelRegistry(modelRegistry).pricingOf(modelId);
        uint256 servedInput = (servedPricing >> 160) & MASK_80;
        uint256 servedOutput = (servedPricing >> 80) & MASK_80;
        uint256 servedReasoning = servedPricing & MASK_80;
        if (servedInput < pricing.inputPerMTok) pricing.inputPerMTok = uint80(servedInput);
        if (servedOutput < pricing.outputPerMTok) pricing.outputPerMTok = uint80(servedOutput);
        if (servedReasoning < pricing.reasoningPerMTok) pricing.reasoningPerMTok = uint80(servedReasoning);
    }

    /// @dev Charges every session group of the batch and accumulates the batch totals and histogram.
    function _chargeSessions(
        BatchContext memory context,
        uint256[] calldata sessionIds,
        uint256[] calldata receipts,
        uint256[32] memory histogram
    ) internal returns (Totals memory totals) {
        Group memory run;
        uint256 groups = sessionIds.length;
        for (uint256 group; group < groups; ++group) {
            _chargeGroup(context, sessionIds[group], receipts, group, histogram, run, totals);
        }
        if (run.end != receipts.length) revert InvalidSessionIndex(run.end);
    }

    /// @dev Charges the session of `group` for its run of receipts, which starts at `run.end`. Receipts at or
    /// below the session's settled sequence are skipped; so is the whole group when the session is bound to
    /// another gateway.
    function _chargeGroup(
        BatchContext memory context,
        uint256 sessionId,
        uint256[] calldata receipts,
        uint256 group,
        uint256[32] memory histogram,
        Group memory run,
        Totals memory totals
    ) internal {
        Account storage account = _accounts[sessionId];
        Terms storage termsSlot = _terms[sessionId];
        uint256 word;
        uint256 terms;
        assembly ("memory-safe") {
            word := sload(account.slot)
            terms := sload(termsSlot.slot)
        }
        {
            uint256 sessionModelId = word & MASK_48;
            if (sessionModelId != context.modelId) {
                if (sessionModelId == 0) revert UnknownSession(sessionId);
                revert SessionModelMismatch(sessionId, sessionModelId);
            }
        }
        run.start = run.end;
        {
            bool otherGateway = (terms >> GATEWAY_SHIFT) & MASK_48 != context.gatewayId;
            // For another gateway's session every receipt counts as at or below the floor, so all are skipped.
            _scanGroup(receipts, group, otherGateway ? MASK_48 : (word >> 48) & MASK_48, histogram, run);
            if (run.end < receipts.length && receipts[run.end] >> ReceiptLib.SESSION_INDEX_SHIFT == group) {
                _revertReceipt(sessionId, receipts[run.end], run.end, run.lastSequence);
            }
            if (run.skipped != 0) {
                totals.skipped += run.skipped;
                emit ReceiptsSkipped(sessionId, run.skipped, otherGateway ? SkipReason.OtherGateway : SkipReason.Stale);
            }
        }
        if (run.end == run.start + run.skipped) {
            if (run.skipped == 0) revert InvalidSessionIndex(run.start);
            return;
        }

        Pricing memory pricing = context.pricing;
        uint256 cost = ReceiptLib.costUp(
            run.inputTokens,
            run.outputTokens,
            run.reasoningTokens,
            pricing.inputPerMTok,
            pricing.outputPerMTok,
            pricing.reasoningPerMTok
        );
        totals.inputTokens += run.inputTokens;
        totals.outputTokens += run.outputTokens;
        totals.reasoningTokens += run.reasoningTokens;
        totals.cost += cost;
        uint256 covered;
        if ((terms >> FLAGS_SHIFT) & INSURED != 0 && !_pastGrace(terms)) {
            covered = _cover(context, sessionId, receipts, run, cost);
            totals.covered += covered;
        }
        uint256 charge = _applyCharge(account, word, _pastGrace(terms), run.lastSequence, cost - covered) + covered;
        emit SessionCharged(sessionId, run.lastSequence, charge);
        if (cost != charge) emit UsageUnpaid(sessionId, cost - charge);
        totals.charged += charge;
    }

    /// @dev What the coverage pays of an insured group's `cost` (at most the cost) for the receipts of `run` that
    /// settle now, `receipts[run.start + run.skipped:run.end]` (the scan bounded them within `receipts`). A coverage
    /// that reverts (or answers no word) covers nothing (`CoverageFailed`, the session pays as if uninsured): an
    /// insurer cannot hold settlement up. The call is encoded by hand (the receipts copied once from calldata), as
    /// the ABI would.
    function _cover(
        BatchContext memory context,
        uint256 sessionId,
        uint256[] calldata receipts,
        Group memory run,
        uint256 cost
    ) internal returns (uint256 covered) {
        address target = context.coverage;
        if (target == address(0)) {
            // The batch's first insured group: uninsured batches pay for neither.
            target = coverage;
            context.coverage = target;
            Pricing memory pricing = context.pricing;
            context.packedPricing =
                uint256(pricing.inputPerMTok) << 160 | uint256(pricing.outputPerMTok) << 80 | pricing.reasoningPerMTok;
        }
        bytes4 selector = ISettlementCoverage.coverGroup.selector;
        bool ok;
        assembly ("memory-safe") {
            let m := mload(0x40)
            // `Group`: end at 0x00, skipped at 0xa0, start at 0xc0.
            let from := add(mload(add(run, 0xc0)), mload(add(run, 0xa0)))
            let n := sub(mload(run), from)
            mstore(m, selector)
            // `BatchContext`: modelId at 0x00, packedPricing at 0x60.
            mstore(add(m, 0x04), mload(context))
            mstore(add(m, 0x24), sessionId)
            mstore(add(m, 0x44), mload(add(context, 0x60)))
            mstore(add(m, 0x64), 0xa0)
            mstore(add(m, 0x84), cost)
            mstore(add(m, 0xa4), n)
            calldatacopy(add(m, 0xc4), add(receipts.offset, shl(5, from)), shl(5, n))
            ok := call(gas(), target, 0, m, add(0xc4, shl(5, n)), 0, 0x20)
            ok := and(ok, iszero(lt(returndatasize(), 0x20)))
            if ok { covered := mload(0) }
        }
        if (!ok) {
            bytes memory reason;
            assembly ("memory-safe") {
                reason := mload(0x40)
                mstore(reason, returndatasize())
                returndatacopy(add(reason, 0x20), 0, returndatasize())
                mstore(0x40, add(add(reason, 0x20), and(add(returndatasize(), 0x1f), not(0x1f))))
            }
            emit CoverageFailed(sessionId, reason);
            return 0;
        }
        if (covered > cost) covered = cost;
        if (covered != 0) emit UsageCovered(sessionId, covered);
    }

    function _pastGrace(uint256 terms) internal view returns (bool) {
        return block.timestamp >= ((terms >> EXPIRY_SHIFT) & MASK_40) + SETTLEMENT_GRACE;
    }

    /// @dev Charges `cost` to the session whose settlement slot `account` holds `word`, capped by its remaining
    /// budget, and moves its settled sequence to `lastSequence`. One SSTORE. Returns the charge. From the
    /// session's refund time `expiry + SETTLEMENT_GRACE` on (`pastGrace`), nothing is charged (the
    /// sequence still moves): the unspent rest is the buyer's (anyone may refund it), and the pricing in force may
    /// have been announced after the session was opened or extended.
    function _applyCharge(Account storage account, uint256 word, bool pastGrace, uint256 lastSequence, uint256 cost)
        internal
        returns (uint256 charge)
    {
        unchecked {
            uint256 budget = (word >> 96) & MASK_80;
            uint256 spent = word >> 176;
            // spent <= budget always; charge <= budget - spent, so spent + charge <= budget < 2^80.
            uint256 remaining = pastGrace ? 0 : budget - spent;
            charge = cost < remaining ? cost : remaining;
            word = (word & MASK_48) | (lastSequence << 48) | (budget << 96) | ((spent + charge) << 176);
        }
        assembly ("memory-safe") {
            sstore(account.slot, word)
        }
    }

    /// @dev Consumes the run of receipts of session index `group` from `run.end`, checking sequences and reserved
    /// bits and counting each receipt into `histogram`. Stops at the first receipt of another group, or at the
    /// first bad receipt of this group (the caller then reverts). Sets `run` to where it stopped, the group's
    /// last sequence and its token sums (below 2^64 for any batch that fits in a block).
    function _scanGroup(
        uint256[] calldata receipts,
        uint256 group,
        uint256 lastSequence,
        uint256[32] memory histogram,
        Group memory run
    ) internal pure {
        assembly ("memory-safe") {
            let n := receipts.length
            let i := mload(run)
            // The stale prefix: receipts of this group at or below the floor `lastSequence` (sequences increase
            // within a group, so they come first). Skipped: neither checked further nor counted.
            let start := i
            for {} lt(i, n) { i := add(i, 1) } {
                let word := calldataload(add(receipts.offset, shl(5, i)))
                if iszero(eq(shr(240, word), group)) { break }
                if gt(and(shr(192, word), 0xffffffffffff), lastSequence) { break }
            }
            mstore(add(run, 0xa0), sub(i, start))
            let sequence := lastSequence
            let inputTokens := 0
            let outputTokens := 0
            let reasoningTokens := 0
            for {} lt(i, n) { i := add(i, 1) } {
                let word := calldataload(add(receipts.offset, shl(5, i)))
                if iszero(eq(shr(240, word), group)) { break }
                let seq := and(shr(192, word), 0xffffffffffff)
                // A sequence at or below the previous one, or reserved bits: stop here (the caller reverts).
                if iszero(gt(seq, sequence)) { break }
                if and(word, 0xffffffffffffffffffffffff000000000000000000000000) { break }
                sequence := seq
                inputTokens := add(inputTokens, and(shr(64, word), 0xffffffff))
                let output := and(shr(32, word), 0xffffffff)
                let reasoning := and(word, 0xffffffff)
                outputTokens := add(outputTokens, output)
                reasoningTokens := add(reasoningTokens, reasoning)
                // Histogram bucket of the generated tokens: their bit length (0 for none), capped at 31. A binary
                // search down to a nibble, whose bit length a table byte gives (t < 2^33, so t >> b < 16).
                let t := add(output, reasoning)
                let b := shl(5, gt(t, 0xffffffff))
                b := or(b, shl(4, gt(shr(b, t), 0xffff)))
                b := or(b, shl(3, gt(shr(b, t), 0xff)))
                b := or(b, shl(2, gt(shr(b, t), 0xf)))
                b := add(b, byte(shr(b, t), NIBBLE_BIT_LENGTHS))
                if gt(b, 31) { b := 31 }
                let slot := add(histogram, shl(5, b))
                mstore(slot, add(mload(slot), 1))
            }
            mstore(run, i)
            mstore(add(run, 0x20), sequence)
            mstore(add(run, 0x40), inputTokens)
            mstore(add(run, 0x60), outputTokens)
            mstore(add(run, 0x80), reasoningTokens)
        }
    }

    /// @dev Reverts for the receipt of a group that stopped its scan: sequence not increasing or reserved bits.
    function _revertReceipt(uint256 sessionId, uint256 word, uint256 index, uint256 previous) internal pure {
        uint256 sequence = (word >> ReceiptLib.SEQUENCE_SHIFT) & ReceiptLib.SEQUENCE_MASK;
        if (sequence <= previous) revert SequenceNotIncreasing(sessionId, sequence, previous);
        revert ReservedBitsSet(index);
    }

    /// @dev Adds the batch to the model's statistics and histogram. Returns whether a feed round is due.
    function _recordUsage(uint256 modelId, uint256 requests, Totals memory totals, uint256[32] memory histogram)
        internal
        returns (bool feedDue)
    {
        UsageStats memory stats = _stats[modelId];
        uint256 newRequests = stats.requests + requests;
        uint256 newInput = stats.inputTokens + totals.inputTokens;
        uint256 newOutput = stats.outputTokens + totals.outputTokens;
        uint256 newReasoning = stats.reasoningTokens + totals.reasoningTokens;
        uint256 newCost = stats.cost + totals.cost;
        uint256 newCharged = stats.charged + totals.charged;
        if (
            (newRequests | newInput | newOutput | newReasoning) > type(uint64).max || newCost > type(uint128).max
                || newCharged > type(uint96).max
        ) revert StatsOverflow();
        stats.requests = uint64(newRequests);
        stats.inputTokens = uint64(newInput);
        stats.outputTokens = uint64(newOutput);
        stats.reasoningTokens = uint64(newReasoning);
        stats.cost = uint128(newCost);
        stats.charged = uint96(newCharged);
        if (costFeed != address(0) && block.timestamp >= uint256(stats.lastFeedAt) + feedInterval) {
            stats.lastFeedAt = uint32(block.timestamp);
            feedDue = true;
        }
        _stats[modelId] = stats;
        _histograms[modelId].addTo(histogram);
    }

    /// @dev Splits the protocol and submitter fees off `charged` (each rounded down) and accrues them.
    function _accrueFees(uint256 charged) internal returns (uint256 protocolFee, uint256 submitterFee) {
        if (charged == 0) return (0, 0);
        Fees memory fees = _fees;
        protocolFee = charged * fees.protocolFeeBps / BPS;
        submitterFee = charged * fees.submitterFeeBps / BPS;
        if (protocolFee != 0) {
            fees.protocolFees += uint128(protocolFee);
            _fees = fees;
        }
        if (submitterFee != 0) submitterFees[msg.sender] += submitterFee;
    }

    /// @dev Pushes the model's cumulative totals to the cost feed. A failing feed never blocks settlement.
    function _pushFeed(uint256 modelId) internal {
        UsageStats memory stats = _stats[modelId];
        uint256 tokens = uint256(stats.inputTokens) + stats.outputTokens + stats.reasoningTokens;
        try IComputeCostFeed(costFeed).record(modelId, stats.requests, tokens, stats.cost) {} catch {}
    }

    /// @dev Deposits `amount` into the model's share, minus the royalty it owes its parent, which is routed the
    /// same way up the chain: each model keeps `amount - amount * royaltyBps / BPS` (royalty rounded down) of
    /// what reaches it, royalties received included. Bounded by the registry's maximum ancestry depth.
    function _routeRevenue(uint256 modelId, Lineage memory lineage, uint256 amount) internal {
        address share = lineage.share;
        uint256 parentId = lineage.parentId;
        uint256 royaltyBps = lineage.royaltyBps;
        uint256 toModelId = modelId;
        for (uint256 depth;; ++depth) {
            uint256 royalty = parentId != 0 && depth < _maxAncestry ? amount * royaltyBps / BPS : 0;
            uint256 kept = amount - royalty;
            if (kept != 0) {
                emit RevenueRouted(modelId, toModelId, kept);
                _deposit(share, kept);
            }
            if (royalty == 0) return;
            toModelId = parentId;
            amount = royalty;
            (, share, parentId, royaltyBps,) = IModelRegistry(modelRegistry).lineageOf(parentId);
        }
    }

    /// @dev Streams `amount` to `share`'s holders (approved when the model's first session opened).
    function _deposit(address share, uint256 amount) internal {
        IModelShare(share).depositRevenue(amount);
    }

    /// @dev Approves `share` and the shares of its ancestors, from `parentId` up, that are not approved yet.
    function _approveLineage(address share, uint256 parentId) internal {
        for (uint256 depth;; ++depth) {
            if (!_shareApproved[share]) {
                _shareApproved[share] = true;
                IERC20(stablecoin).forceApprove(share, type(uint256).max);
            }
            if (parentId == 0 || depth == _maxAncestry) return;
            (, share, parentId,,) = IModelRegistry(modelRegistry).lineageOf(parentId);
        }
    }

    /* INTERNAL: ADMIN */

    function _setFees(uint256 protocolFeeBps_, uint256 submitterFeeBps_) internal {
        if (protocolFeeBps_ > MAX_PROTOCOL_FEE_BPS) revert FeeTooHigh(protocolFeeBps_, MAX_PROTOCOL_FEE_BPS);
        if (submitterFeeBps_ > MAX_SUBMITTER_FEE_BPS) revert FeeTooHigh(submitterFeeBps_, MAX_SUBMITTER_FEE_BPS);
        _fees.protocolFeeBps = uint16(protocolFeeBps_);
        _fees.submitterFeeBps = uint16(submitterFeeBps_);
        emit FeesSet(protocolFeeBps_, submitterFeeBps_);
    }
}
