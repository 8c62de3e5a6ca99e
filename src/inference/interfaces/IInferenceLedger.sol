// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {KeyStatus} from "./IEnclaveRegistry.sol";

/// @notice A buyer's session, as returned by `getSession`. Stored in two slots: the first (`modelId`,
/// `lastSequence`, `budget`, `spent`) is the only one settlement writes; of the second it reads `expiry` and
/// `gatewayId`. `policyId` is stored apart, only when set.
struct Session {
    /// @dev The model the session approves; 0 for an unknown session.
    uint48 modelId;
    /// @dev Highest receipt sequence number settled so far (0 before the first); the next must be greater.
    uint48 lastSequence;
    /// @dev Stablecoin units the session may spend: deposits minus the refund. Equal to `spent` once closed.
    uint80 budget;
    /// @dev Stablecoin units charged so far. Never exceeds `budget`.
    uint80 spent;
    address buyer;
    /// @dev The only gateway whose receipts charge the session (EnclaveRegistry gateway id), named at open.
    uint48 gatewayId;
    /// @dev The session approves inference until this timestamp (exclusive); a close request moves it to now.
    /// Usage settled from `expiry + SETTLEMENT_GRACE` on is not charged.
    uint40 expiry;
    /// @dev The insurance policy the session is insured under (0 for none), accepted by the coverage at open.
    uint48 policyId;
    /// @dev True once the unspent rest has been refunded.
    bool closed;
}

/// @notice Usage of one model, cumulative since deployment. Two slots.
struct UsageStats {
    /// @dev Receipts settled.
    uint64 requests;
    uint64 inputTokens;
    uint64 outputTokens;
    uint64 reasoningTokens;
    /// @dev Attested cost at the model's pricing (before budget caps), in stablecoin units.
    uint128 cost;
    /// @dev Stablecoin units actually charged to sessions (cost minus what budgets could not pay and what was
    /// settled after its session's refund time).
    uint96 charged;
    /// @dev Last time the ledger pushed a round to the ComputeCostFeed for this model.
    uint32 lastFeedAt;
}

/// @notice A batch of usage receipts signed once by a gateway's enclave key (docs/receipts.md).
struct UsageBatch {
    /// @dev The model every receipt is for.
    uint256 modelId;
    /// @dev The batch's place in its gateway's signing order, from 1: batches settle in this order.
    uint256 batchNumber;
    /// @dev The pricing the gateway served at, packed `input << 160 | output << 80 | reasoning` (stablecoin units
    /// per million tokens, 80 bits each). Settlement charges the lower of it and the pricing in force.
    uint256 servedPricing;
    /// @dev The batch's sessions; receipt session indexes point into this list.
    uint256[] sessionIds;
    /// @dev Packed receipts, grouped by session index in list order, sequences strictly increasing per group.
    uint256[] receipts;
    /// @dev Merkle root of the receipts' request hashes (signed and emitted, not checked).
    bytes32 requestsCommitment;
    /// @dev The enclave key that signed the batch.
    address enclave;
}

/// @title IInferenceLedger
/// @notice The on-chain approval and settlement of attested inference. A buyer funds a session for a model; an
/// open, unexpired, funded session is the approval the gateway must see. Gateways running in attested enclaves
/// sign batches of usage receipts (EIP-712, one signature per batch, see docs/receipts.md); anyone submits them
/// with `settle`, which prices usage on chain from the model's pricing, charges each session up to its budget
/// (nothing from its `expiry + SETTLEMENT_GRACE` on), updates the model's usage statistics and routes the revenue:
/// protocol fee, submitter fee, royalties up the derivative chain, the rest streamed to the model's share holders.
/// @dev Receipt word layout (most significant first): session index in the batch (16 bits), sequence (48),
/// reserved (96, must be zero), input tokens (32), output tokens (32), reasoning tokens (32).
interface IInferenceLedger {
    /* ERRORS */

    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when a session's budget would exceed `type(uint80).max`.
    error BudgetOverflow();
    /// @notice Thrown when a policy id does not fit in 48 bits.
    error PolicyIdTooLarge(uint256 policyId);
    /// @notice Thrown when opening a session for a paused model.
    error ModelPaused(uint256 modelId);
    /// @notice Thrown when opening a session with a gateway that does not exist.
    error UnknownGateway(uint256 gatewayId);
    /// @notice Thrown when opening a session with a gateway that serves another model.
    error GatewayModelMismatch(uint256 gatewayId, uint256 gatewayModelId);
    /// @notice Thrown when a batch is not the next of its gateway: batches settle in the order they were signed.
    error BatchOutOfOrder(uint256 gatewayId, uint256 batchNumber, uint256 expected);
    /// @notice Thrown when a model id does not fit the session record (48 bits).
    error ModelIdTooLarge(uint256 modelId);
    /// @notice Thrown when an expiry is not in the future or more than `MAX_SESSION_DURATION` away.
    error InvalidExpiry(uint256 expiry, uint256 maxExpiry);
    /// @notice Thrown when a session id is unknown.
    error UnknownSession(uint256 sessionId);
    /// @notice Thrown when the caller is not the session's buyer.
    error NotSessionBuyer(uint256 sessionId, address caller);
    /// @notice Thrown when the session has already been closed and refunded.
    error SessionAlreadyClosed(uint256 sessionId);
    /// @notice Thrown when closing a session whose settlement grace period has not yet ended.
    error SettlementGraceActive(uint256 sessionId, uint256 refundableAt);
    /// @notice Thrown when a batch has no receipts.
    error EmptyBatch();
    /// @notice Thrown when a batch lists no sessions or more than 2^16.
    error InvalidSessionCount(uint256 count);
    /// @notice Thrown when the enclave key may not sign usage for the model.
    error InvalidEnclaveKey(address enclave, KeyStatus status);
    /// @notice Thrown when the batch signature is not the enclave key's signature over the batch digest.
    error InvalidSignature();
    /// @notice Thrown when a session in the batch belongs to another model.
    error SessionModelMismatch(uint256 sessionId, uint256 sessionModelId);
    /// @notice Thrown when receipt `index` breaks the grouping rule: receipts are grouped by session index, the
    /// groups in the order of the session list, every listed session with at least one receipt.
    error InvalidSessionIndex(uint256 index);
    /// @notice Thrown when sequence numbers do not strictly increase within a session group.
    error SequenceNotIncreasing(uint256 sessionId, uint256 sequence, uint256 previous);
    /// @notice Thrown when receipt `index` has a reserved bit set.
    error ReservedBitsSet(uint256 index);
    /// @notice Thrown when a model's cumulative statistics would overflow their fields.
    error StatsOverflow();
    /// @notice Thrown when opening an insured session while the ledger has no coverage.
    error NoCoverage();
    /// @notice Thrown when the coverage is set a second time.
    error CoverageAlreadySet(address coverage);
    /// @notice Thrown when a fee is above its cap.
    error FeeTooHigh(uint256 feeBps, uint256 maxFeeBps);
    /// @notice Thrown when an address argument is zero.
    error ZeroAddress();

    /* EVENTS */

    /// @notice Why receipts of a batch were skipped (neither charged nor counted).
    enum SkipReason {
        /// @dev At or below the session's settled sequence: already settled.
        Stale,
        /// @dev The session is bound to another gateway than the batch's signer.
        OtherGateway
    }

    /// @notice Emitted when a buyer opens a session.
    event SessionOpened(
        uint256 indexed sessionId,
        address indexed buyer,
        uint256 indexed modelId,
        uint256 gatewayId,
        uint256 budget,
        uint256 expiry,
        uint256 policyId
    );
    /// @notice Emitted when a session is topped up or extended.
    event SessionToppedUp(uint256 indexed sessionId, uint256 amount, uint256 budget, uint256 expiry);
    /// @notice Emitted when the buyer asks to close a session early: it stops approving inference now and its rest
    /// is refundable at `refundableAt`.
    event SessionCloseRequested(uint256 indexed sessionId, uint256 refundableAt);
    /// @notice Emitted when a session is closed and `refund` paid back to its buyer.
    event SessionClosed(uint256 indexed sessionId, address indexed buyer, uint256 refund);
    /// @notice Emitted per session group of a settled batch.
    /// @param lastSequence The session's settled sequence after the group.
    /// @param charged Part of the group's cost that was paid: by the session's budget and, for an insured session, the
    /// coverage (`UsageCovered`). 0 when settled at or after the session's `refundableAt` (refunded or not). The
    /// group's cost is `charged` plus the `UsageUnpaid` amount emitted with it (none when all of it was paid).
    event SessionCharged(uint256 indexed sessionId, uint256 lastSequence, uint256 charged);
    /// @notice Emitted when a session's budget could not pay all of a group's cost, or paid none of it because the
    /// group was settled at or after the session's `refundableAt` (then `unpaid` is the whole cost).
    event UsageUnpaid(uint256 indexed sessionId, uint256 unpaid);
    /// @notice Emitted when receipts of a session group are skipped; the rest of the batch settles.
    event ReceiptsSkipped(uint256 indexed sessionId, uint256 receipts, SkipReason reason);
    /// @notice Emitted once per settled batch.
    /// @param digest The batch's EIP-712 digest.
    /// @param batchNumber The batch's place in its gateway's signing order.
    /// @param charged Total charged; split into `protocolFee`, `submitterFee` and the model's revenue (the rest).
    event UsageSettled(
        bytes32 indexed digest,
        uint256 indexed modelId,
        uint256 indexed gatewayId,
        uint256 batchNumber,
        address enclave,
        address submitter,
        uint256 receipts,
        uint256 charged,
        uint256 protocolFee,
        uint256 submitterFee,
        bytes32 requestsCommitment
    );
    /// @notice Emitted when the coverage pays `amount` of an insured session group's cost.
    event UsageCovered(uint256 indexed sessionId, uint256 amount);
    /// @notice Emitted when the coverage reverted for an insured group: the session was charged as if uninsured.
    event CoverageFailed(uint256 indexed sessionId, bytes reason);
    /// @notice Emitted when the protocol owner sets the coverage (once).
    event CoverageSet(address indexed coverage);
    /// @notice Emitted when revenue is deposited into a model's share (the settled model's own part, or a royalty).
    event RevenueRouted(uint256 indexed fromModelId, uint256 indexed toModelId, uint256 amount);
    /// @notice Emitted when the protocol owner sets the fees.
    event FeesSet(uint256 protocolFeeBps, uint256 submitterFeeBps);
    /// @notice Emitted when a submitter claims its fees.
    event SubmitterFeesClaimed(address indexed submitter, address indexed receiver, uint256 amount);
    /// @notice Emitted when the protocol owner claims protocol fees.
    event ProtocolFeesClaimed(address indexed receiver, uint256 amount);

    /* CONSTANTS */

    /// @notice Longest a session may approve inference ahead, in seconds (registry `PRICING_DELAY` minus
    /// `SETTLEMENT_GRACE`: a change announced after a session was opened or extended takes effect no earlier than
    /// its `refundableAt`, from which settlement charges it nothing, so none of its receipts is charged at it).
    function MAX_SESSION_DURATION() external view returns (uint256);
    /// @notice Seconds after a session's expiry during which receipts signed before it can still be settled (and
    /// charged) and the rest is not yet refundable. A group settled later charges nothing.
    function SETTLEMENT_GRACE() external view returns (uint256);
    /// @notice Highest protocol fee, in bps.
    function MAX_PROTOCOL_FEE_BPS() external view returns (uint256);
    /// @notice Highest submitter fee, in bps.
    function MAX_SUBMITTER_FEE_BPS() external view returns (uint256);
    /// @notice Number of histogram buckets (32): bucket 0 counts requests with no generated tokens, bucket k in
    /// [1, 30] those with generated tokens in [2^(k-1), 2^k), bucket 31 those with 2^30 or more.
    function HISTOGRAM_BUCKETS() external view returns (uint256);
    /// @notice EIP-712 type hash of `UsageBatch(uint256 modelId,uint256 gatewayId,uint256 batchNumber,uint256
    /// servedPricing,uint256[] sessionIds,uint256[] receipts,bytes32 requestsCommitment,address enclave)`.
    function USAGE_BATCH_TYPEHASH() external view returns (bytes32);

    /* IMMUTABLES */

    /// @notice The model registry.
    function modelRegistry() external view returns (address);
    /// @notice The enclave registry keys are checked against.
    function enclaveRegistry() external view returns (address);
    /// @notice The stablecoin budgets and revenue are paid in.
    function stablecoin() external view returns (address);
    /// @notice The ComputeCostFeed the ledger pushes rounds to (zero for none).
    function costFeed() external view returns (address);
    /// @notice Minimum seconds between two rounds pushed for a model.
    function feedInterval() external view returns (uint256);

    /* VIEWS */

    /// @notice EIP-712 domain separator of usage batches: name "CogFi InferenceLedger", version "1", this chain, this
    /// contract. A batch's digest is `keccak256("\x19\x01" ‖ DOMAIN_SEPARATOR() ‖ structHash)` (docs/receipts.md §3).
    function DOMAIN_SEPARATOR() external view returns (bytes32);
    /// @notice The raw storage words at `slots`. Sessions, statistics and fees are read this way, through
    /// `InferenceLedgerLib` (slots in `InferenceLedgerStorageLib`) or the periphery's `InferenceLedgerLens`.
    function extsload(bytes32[] calldata slots) external view returns (bytes32[] memory);

    /// @notice The compute-insurance contract that accepts policies at open and covers insured usage at settlement
    /// (`ISettlementCoverage`); zero until the protocol owner sets it.
    function coverage() external view returns (address);
    /// @notice Batches of `gatewayId` settled so far: its next batch to settle is number `settledBatches + 1`.
    function settledBatches(uint256 gatewayId) external view returns (uint256);
    /// @notice Number of sessions opened; ids run from 1 to `sessionCount()`.
    function sessionCount() external view returns (uint256);
    /// @notice Cumulative (requests, total tokens, cost) of `modelId`, as read by the ComputeCostFeed.
    function usageTotals(uint256 modelId) external view returns (uint256 requests, uint256 tokens, uint256 cost);
    /// @notice Submitter fees `submitter` has accrued and not yet claimed.
    function submitterFees(address submitter) external view returns (uint256);

    /* BUYER ACTIONS */

    /// @notice Opens a session for `modelId` funded with `budget` (pulled from the caller) that approves inference
    /// by gateway `gatewayId` until `expiry`. Only that gateway's receipts charge it, and the gateway's code
    /// (measurement) cannot change while it lives; a buyer who wants two gateways opens a session with each.
    /// @param policyId Insurance policy, 0 for none. The coverage must accept it (`ISettlementCoverage.onSessionOpened`);
    /// its covered part of each insured group's cost is then paid by the coverage at settlement.
    function openSession(uint256 modelId, uint256 gatewayId, uint256 budget, uint256 expiry, uint256 policyId)
        external
        returns (uint256 sessionId);

    /// @notice Adds `amount` (may be 0) to the session's budget and moves its expiry to `newExpiry` (0 keeps it;
    /// otherwise not earlier than the current expiry and at most `MAX_SESSION_DURATION` from now). Buyer only;
    /// not once closed.
    function topUpSession(uint256 sessionId, uint256 amount, uint256 newExpiry) external;

    /// @notice Closes a session. While it is unexpired, the buyer's call only requests the close: the session
    /// stops approving inference now and nothing is refunded yet. Once `refundableAt` has passed, anyone's call
    /// refunds the unspent rest to the buyer and marks the session closed.
    /// @return refund Stablecoin units paid back to the buyer (0 for a close request).
    function closeSession(uint256 sessionId) external returns (uint256 refund);

    /* SETTLEMENT */

    /// @notice Settles a batch of usage receipts for `modelId` signed by `enclave`. Anyone may submit; the caller
    /// earns the submitter fee. A gateway's batches settle in the order it signed them (`batchNumber`), whoever
    /// submits them. A paused model still settles usage served before the pause. See docs/receipts.md.
    /// @dev Each session group is priced at the lower, per token kind, of the pricing in force now and
    /// `servedPricing` (the pricing the gateway served at), and charged up to the session's remaining budget.
    /// Receipts at or below the session's settled sequence, and every receipt of a session bound to another
    /// gateway, are skipped (`ReceiptsSkipped`), not charged and not counted. A group settled at or after the
    /// session's `refundableAt` (`expiry + SETTLEMENT_GRACE`), whether the rest was refunded or not, charges
    /// nothing: the whole cost is emitted as `UsageUnpaid`, the usage still counts in the statistics and the
    /// session's sequence still advances. Neither a skip nor a late group reverts the batch.
    /// @param batch The batch; see `UsageBatch`.
    /// @param signature The enclave key's ECDSA signature over `usageBatchDigest(batch, gateway of the key)`.
    /// @return charged Total stablecoin units charged to the batch's sessions.
    function settle(UsageBatch calldata batch, bytes calldata signature) external returns (uint256 charged);

    /* FEES */

    /// @notice Pays the caller's accrued submitter fees to `receiver`.
    function claimSubmitterFees(address receiver) external returns (uint256 amount);

    /// @notice Pays the accrued protocol fees to `receiver`. Protocol owner only.
    function claimProtocolFees(address receiver) external returns (uint256 amount);

    /// @notice Sets the coverage, once (no session is insured before it exists). Protocol owner only.
    function setCoverage(address coverage) external;

    /// @notice Sets the protocol and submitter fees, each capped. Protocol owner only.
    function setFees(uint256 protocolFeeBps, uint256 submitterFeeBps) external;
}
