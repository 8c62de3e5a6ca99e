// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger, Session} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {IModelRegistry, Pricing} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";

contract SettleTest is LedgerBaseTest {
    uint256 internal s1;
    uint256 internal s2;

    function setUp() public override {
        super.setUp();
        s1 = _openSession(buyer, baseModel, 100 * USDC);
        s2 = _openSession(otherBuyer, baseModel, 100 * USDC);
    }

    function _batch2(uint256[] memory receipts) internal returns (Batch memory batch) {
        batch.modelId = baseModel;
        batch.sessionIds = _ids(s1, s2);
        batch.receipts = receipts;
        batch.requestsCommitment = keccak256("commitment");
        return _sign(batch, ENCLAVE_PK);
    }

    function test_settle_chargesOneReceiptAtModelPricing() public {
        Batch memory batch = _single(baseModel, s1, 1, ENCLAVE_PK);
        // 1000 in x $0.50 + 500 out x $1.50 + 2000 reasoning x $2.00 per million = 500 + 750 + 4000 units.
        uint256 expected = 5250;
        assertEq(_costOf(batch.receipts, 0, 1), expected, "reference cost");

        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionCharged(s1, 1, expected);
        uint256 charged = _settle(batch);

        assertEq(charged, expected, "charged");
        Session memory session = lens.getSession(s1);
        assertEq(session.spent, expected, "spent");
        assertEq(session.lastSequence, 1, "sequence");
        assertEq(lens.remainingBudget(s1), 100 * USDC - expected, "remaining");
    }

    function test_settle_emitsUsageSettled() public {
        Batch memory batch = _single(baseModel, s1, 1, ENCLAVE_PK);
        bytes32 digest = lens.usageBatchDigest(_usageBatch(batch), baseGateway);
        uint256 fee = 5250 * PROTOCOL_FEE_BPS / 10_000;
        uint256 submitterFee = 5250 * SUBMITTER_FEE_BPS / 10_000;
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageSettled(
            digest,
            baseModel,
            baseGateway,
            batch.batchNumber,
            enclave,
            keeper,
            1,
            5250,
            fee,
            submitterFee,
            batch.requestsCommitment
        );
        _settle(batch);
    }

    function test_settle_groupsChargedSeparately() public {
        uint256[] memory receipts = new uint256[](5);
        receipts[0] = _receipt(0, 1, 100, 10, 0);
        receipts[1] = _receipt(0, 2, 200, 20, 1);
        receipts[2] = _receipt(0, 5, 300, 30, 7);
        receipts[3] = _receipt(1, 1, 1, 1, 1);
        receipts[4] = _receipt(1, 9, 4000, 0, 0);
        Batch memory batch = _batch2(receipts);
        uint256 cost1 = _costOf(receipts, 0, 3);
        uint256 cost2 = _costOf(receipts, 3, 5);

        uint256 charged = _settle(batch);

        assertEq(charged, cost1 + cost2, "total");
        assertEq(lens.getSession(s1).spent, cost1, "session 1");
        assertEq(lens.getSession(s1).lastSequence, 5, "session 1 sequence");
        assertEq(lens.getSession(s2).spent, cost2, "session 2");
        assertEq(lens.getSession(s2).lastSequence, 9, "session 2 sequence (gaps allowed)");
    }

    function test_settle_roundsUpOncePerGroup() public {
        // 1 input token at $0.50 per million = 0.5 units: each group rounds its sum up once.
        uint256[] memory receipts = new uint256[](3);
        receipts[0] = _receipt(0, 1, 1, 0, 0);
        receipts[1] = _receipt(0, 2, 1, 0, 0);
        receipts[2] = _receipt(1, 1, 1, 0, 0);
        _settle(_batch2(receipts));
        assertEq(lens.getSession(s1).spent, 1, "two half units round up to 1");
        assertEq(lens.getSession(s2).spent, 1, "one half unit rounds up to 1");
    }

    function test_settle_zeroTokenReceiptCostsNothing() public {
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(s1);
        batch.receipts = _words(_receipt(0, 1, 0, 0, 0));
        uint256 charged = _settle(_sign(batch, ENCLAVE_PK));
        assertEq(charged, 0, "free");
        assertEq(lens.getSession(s1).lastSequence, 1, "sequence still consumed");
        assertEq(lens.usageStats(baseModel).requests, 1, "request counted");
    }

    function test_settle_capsAtRemainingBudget() public {
        uint256 small = _openSession(buyer, baseModel, 1000);
        Batch memory batch = _single(baseModel, small, 1, ENCLAVE_PK);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionCharged(small, 1, 1000);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageUnpaid(small, 4250);
        uint256 charged = _settle(batch);
        assertEq(charged, 1000, "charged what remained");
        assertEq(lens.remainingBudget(small), 0, "drained");
        assertFalse(lens.isApproved(small, baseModel), "a drained session is no approval");

        // A later receipt of the drained session charges zero and records the whole cost unpaid.
        batch = _single(baseModel, small, 2, ENCLAVE_PK);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageUnpaid(small, 5250);
        assertEq(_settle(batch), 0, "nothing left to charge");
    }

    function test_settle_consecutiveBatches() public {
        _settle(_single(baseModel, s1, 1, ENCLAVE_PK));
        _settle(_single(baseModel, s1, 2, ENCLAVE_PK));
        _settle(_single(baseModel, s1, 10, ENCLAVE_PK));
        assertEq(lens.getSession(s1).lastSequence, 10, "sequence");
        assertEq(lens.getSession(s1).spent, 3 * 5250, "three receipts");
    }

    function test_settle_sessionListedTwiceContinuesSequence() public {
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(s1, s1);
        batch.receipts = _words(_receipt(0, 1, 1000, 500, 2000), _receipt(1, 2, 1000, 500, 2000));
        _settle(_sign(batch, ENCLAVE_PK));
        assertEq(lens.getSession(s1).spent, 2 * 5250, "both charged");
        assertEq(lens.getSession(s1).lastSequence, 2, "sequence");
    }

    function test_settle_sessionListedTwice_repeatedSequenceSkipped() public {
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(s1, s1);
        batch.receipts = _words(_receipt(0, 1, 1000, 500, 2000), _receipt(1, 1, 1000, 500, 2000));
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.ReceiptsSkipped(s1, 1, IInferenceLedger.SkipReason.Stale);
        assertEq(_settle(_sign(batch, ENCLAVE_PK)), 5250, "the repeated receipt is not charged");
        assertEq(lens.usageStats(baseModel).requests, 1, "nor counted");
    }

    function test_settle_staleReceiptsSkipped_restCharged() public {
        _settle(
            _sign(_batchOf(s1, _words(_receipt(0, 1, 1000, 500, 2000), _receipt(0, 2, 1000, 500, 2000))), ENCLAVE_PK)
        );
        uint256[] memory overlapping =
            _words(_receipt(0, 2, 1000, 500, 2000), _receipt(0, 3, 1000, 500, 2000), _receipt(0, 4, 1000, 500, 2000));
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.ReceiptsSkipped(s1, 1, IInferenceLedger.SkipReason.Stale);
        assertEq(_settle(_sign(_batchOf(s1, overlapping), ENCLAVE_PK)), 2 * 5250, "only the fresh receipts charged");
        assertEq(lens.getSession(s1).lastSequence, 4, "sequence");
        assertEq(lens.usageStats(baseModel).requests, 4, "each receipt counted once");
    }

    function test_settle_otherGatewaysSessionSkipped() public {
        uint256 otherPk = 0xA11CE;
        _registerEnclave(baseModel, otherPk, MEASUREMENT, block.timestamp);
        uint256 mine = _openSessionServedBy(otherBuyer, baseModel, 100 * USDC, vm.addr(otherPk));
        Batch memory batch = _batchOf(s1, _words(_receipt(0, 1, 1000, 500, 2000)));
        batch.sessionIds = _ids(s1, mine);
        batch.receipts = _words(_receipt(0, 1, 1000, 500, 2000), _receipt(1, 1, 1000, 500, 2000));
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.ReceiptsSkipped(s1, 1, IInferenceLedger.SkipReason.OtherGateway);
        assertEq(_settle(_sign(batch, otherPk)), 5250, "only the signer's own session is charged");
        assertEq(lens.getSession(s1).spent, 0, "s1 belongs to another gateway");
        assertEq(lens.getSession(s1).lastSequence, 0, "its sequence did not move");
        assertEq(lens.getSession(mine).spent, 5250, "own session charged");
    }

    function test_settle_revertsWhen_batchOutOfOrder() public {
        Batch memory first = _single(baseModel, s1, 1, ENCLAVE_PK);
        Batch memory second = _single(baseModel, s1, 2, ENCLAVE_PK);
        _expectSettleRevert(
            second, abi.encodeWithSelector(IInferenceLedger.BatchOutOfOrder.selector, baseGateway, 2, 1)
        );
        _settle(first);
        _settle(second);
        assertEq(ledger.settledBatches(baseGateway), 2, "both settled, in order");
    }

    function test_settle_resignedBatchKeepsItsPlace() public {
        Batch memory batch = _single(baseModel, s1, 1, ENCLAVE_PK);
        vm.warp(block.timestamp + MAX_AGE);
        _reattest();
        // The key expired before anyone settled: the gateway re-signs the same batch with its re-attested key.
        assertEq(_settle(_sign(batch, ENCLAVE_PK)), 5250, "re-signed batch settles");
    }

    function test_settle_chargesLowerOfServedAndInForcePricing() public {
        Batch memory batch = _batchOf(s1, _words(_receipt(0, 1, 1000, 500, 2000)));
        // Served at half the output price, full reasoning price, and a reasoning price above the one in force.
        batch.servedPricing =
            _packPricing(Pricing(uint80(PRICE_IN), uint80(PRICE_OUT / 2), uint80(PRICE_REASONING * 3)));
        uint256 expected = (1000 * PRICE_IN + 500 * (PRICE_OUT / 2) + 2000 * PRICE_REASONING + 1e6 - 1) / 1e6;
        assertEq(_settle(_sign(batch, ENCLAVE_PK)), expected, "per kind, the lower price");
    }

    function _batchOf(uint256 sessionId, uint256[] memory receipts) internal view returns (Batch memory batch) {
        batch.modelId = baseModel;
        batch.sessionIds = _ids(sessionId);
        batch.receipts = receipts;
        batch.requestsCommitment = keccak256(abi.encode(receipts));
    }

    function test_settle_usesPricingInForce() public {
        vm.prank(modelOwner);
        registry.setPricing(
            baseModel, Pricing(uint80(PRICE_IN * 2), uint80(PRICE_OUT * 2), uint80(PRICE_REASONING * 2))
        );
        _settle(_single(baseModel, s1, 1, ENCLAVE_PK));
        assertEq(lens.getSession(s1).spent, 5250, "old pricing before the delay");
        vm.warp(block.timestamp + registry.PRICING_DELAY());
        _reattest();
        // The session expired long ago: the buyer extends it once the new pricing is in force (a session can
        // only be charged the new pricing if it was opened or extended after the announcement).
        vm.prank(buyer);
        ledger.topUpSession(s1, 0, block.timestamp + 1 days);
        _settle(_single(baseModel, s1, 2, ENCLAVE_PK));
        assertEq(lens.getSession(s1).spent, 5250 + 10_500, "new pricing after the delay");
    }

    function test_settle_afterRefundTimeChargesNothing() public {
        _settle(_single(baseModel, s1, 1, ENCLAVE_PK));
        vm.warp(lens.refundableAt(s1));
        _reattest();
        Batch memory batch = _single(baseModel, s1, 2, ENCLAVE_PK);
        uint256 cost = _costOf(batch.receipts, 0, 1);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionCharged(s1, 2, 0);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageUnpaid(s1, cost);
        assertEq(_settle(batch), 0, "nothing charged once refundable, even before the refund");
        Session memory session = lens.getSession(s1);
        assertEq(session.spent, 5250, "spent unchanged");
        assertEq(session.lastSequence, 2, "sequence advanced");
        assertEq(lens.usageStats(baseModel).cost, 2 * 5250, "attested cost still recorded");
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.BatchOutOfOrder.selector, baseGateway, 2, 3));
    }

    function test_settle_anyoneMaySubmit() public {
        uint256 charged = _settleAs(attacker, _single(baseModel, s1, 1, ENCLAVE_PK));
        assertEq(ledger.submitterFees(attacker), charged * SUBMITTER_FEE_BPS / 10_000, "submitter earns the fee");
    }

    function test_settle_revertsWhen_replayed() public {
        Batch memory batch = _single(baseModel, s1, 1, ENCLAVE_PK);
        _settle(batch);
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.BatchOutOfOrder.selector, baseGateway, 1, 2));
    }

    function test_settle_revertsWhen_sequenceNotIncreasing() public {
        uint256[] memory receipts = new uint256[](3);
        receipts[0] = _receipt(0, 1, 1, 1, 1);
        receipts[1] = _receipt(0, 3, 1, 1, 1);
        receipts[2] = _receipt(0, 3, 1, 1, 1);
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(s1);
        batch.receipts = receipts;
        _expectSettleRevert(
            _sign(batch, ENCLAVE_PK), abi.encodeWithSelector(IInferenceLedger.SequenceNotIncreasing.selector, s1, 3, 3)
        );
    }

    function test_settle_sequenceZeroSkipped() public {
        Batch memory batch = _single(baseModel, s1, 0, ENCLAVE_PK);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.ReceiptsSkipped(s1, 1, IInferenceLedger.SkipReason.Stale);
        assertEq(_settle(batch), 0, "sequences start at 1: nothing charged");
        assertEq(lens.usageStats(baseModel).requests, 0, "nothing counted");
    }

    function test_settle_revertsWhen_reservedBitsSet() public {
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(s1);
        batch.receipts = _words(_receipt(0, 1, 1, 1, 1), _receipt(0, 2, 1, 1, 1) | (1 << 100));
        _expectSettleRevert(
            _sign(batch, ENCLAVE_PK), abi.encodeWithSelector(IInferenceLedger.ReservedBitsSet.selector, 1)
        );
        batch.receipts = _words(_receipt(0, 1, 1, 1, 1) | (1 << 191));
        _expectSettleRevert(
            _sign(batch, ENCLAVE_PK), abi.encodeWithSelector(IInferenceLedger.ReservedBitsSet.selector, 0)
        );
    }

    function test_settle_revertsWhen_groupSkipped() public {
        // Receipts name session index 1 first: group 0 has no receipts.
        _expectSettleRevert(
            _batch2(_words(_receipt(1, 1, 1, 1, 1))),
            abi.encodeWithSelector(IInferenceLedger.InvalidSessionIndex.selector, 0)
        );
    }

    function test_settle_revertsWhen_listedSessionHasNoReceipts() public {
        _expectSettleRevert(
            _batch2(_words(_receipt(0, 1, 1, 1, 1))),
            abi.encodeWithSelector(IInferenceLedger.InvalidSessionIndex.selector, 1)
        );
    }

    function test_settle_revertsWhen_groupsInterleaved() public {
        _expectSettleRevert(
            _batch2(_words(_receipt(0, 1, 1, 1, 1), _receipt(1, 1, 1, 1, 1), _receipt(0, 2, 1, 1, 1))),
            abi.encodeWithSelector(IInferenceLedger.InvalidSessionIndex.selector, 2)
        );
    }

    function test_settle_revertsWhen_indexOutOfRange() public {
        _expectSettleRevert(
            _batch2(_words(_receipt(0, 1, 1, 1, 1), _receipt(1, 1, 1, 1, 1), _receipt(2, 1, 1, 1, 1))),
            abi.encodeWithSelector(IInferenceLedger.InvalidSessionIndex.selector, 2)
        );
    }

    function test_settle_revertsWhen_empty() public {
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(s1);
        batch.receipts = new uint256[](0);
        _expectSettleRevert(_sign(batch, ENCLAVE_PK), abi.encodeWithSelector(IInferenceLedger.EmptyBatch.selector));
    }

    function test_settle_revertsWhen_noSessions() public {
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = new uint256[](0);
        batch.receipts = _words(_receipt(0, 1, 1, 1, 1));
        _expectSettleRevert(
            _sign(batch, ENCLAVE_PK), abi.encodeWithSelector(IInferenceLedger.InvalidSessionCount.selector, 0)
        );
    }

    function test_settle_revertsWhen_unknownSession() public {
        _expectSettleRevert(
            _single(baseModel, 999, 1, ENCLAVE_PK),
            abi.encodeWithSelector(IInferenceLedger.UnknownSession.selector, 999)
        );
    }

    function test_settle_revertsWhen_sessionOfAnotherModel() public {
        uint256 other = _openSession(buyer, derivative, USDC);
        _expectSettleRevert(
            _single(baseModel, other, 1, ENCLAVE_PK),
            abi.encodeWithSelector(IInferenceLedger.SessionModelMismatch.selector, other, derivative)
        );
    }

    function test_settle_settlesWhileModelPaused() public {
        Batch memory batch = _single(baseModel, s1, 1, ENCLAVE_PK);
        vm.prank(modelOwner);
        registry.setPaused(baseModel, true);
        assertFalse(lens.isApproved(s1, baseModel), "no new approvals while paused");
        assertEq(_settle(batch), 5250, "usage served before the pause is still charged");
    }

    function test_settle_revertsWhen_unknownModel() public {
        Batch memory batch = _single(baseModel, s1, 1, ENCLAVE_PK);
        batch.modelId = 42;
        _expectSettleRevert(batch, abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 42));
    }

    function test_settle_revertsWhen_signatureMalformed() public {
        Batch memory batch = _single(baseModel, s1, 1, ENCLAVE_PK);
        batch.signature = hex"1234";
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
    }
}
