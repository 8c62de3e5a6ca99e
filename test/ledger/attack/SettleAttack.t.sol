// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DevAttestationVerifier} from "../../../src/inference/DevAttestationVerifier.sol";
import {InferenceLedger} from "../../../src/inference/InferenceLedger.sol";
import {KeyStatus, MeasurementStatus} from "../../../src/inference/interfaces/IEnclaveRegistry.sol";
import {IInferenceLedger, Session} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {InferenceLedgerLens} from "../../../src/periphery/InferenceLedgerLens.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";

/// @notice Every way to get usage charged that should not be: each is rejected with a custom error and nothing is
/// paid (session budgets, ledger balance, share revenue and fees unchanged).
contract SettleAttackTest is LedgerBaseTest {
    uint256 internal victim;
    uint256 internal other;
    Batch internal valid;

    uint256 internal ledgerBalance;
    uint256 internal shareRevenue;

    function setUp() public override {
        super.setUp();
        victim = _openSession(buyer, baseModel, 100 * USDC);
        other = _openSession(otherBuyer, baseModel, 100 * USDC);
        Batch memory batch = _sign(_uniformBatch(baseModel, _ids(victim, other), 4, 1, 11), ENCLAVE_PK);
        valid = batch;
        // Each test settles either `valid` or batches of its own, never both: its own first batch is number 1 too.
        delete _signedBatches[baseGateway];
        ledgerBalance = stablecoin.balanceOf(address(ledger));
        shareRevenue = baseShare.depositedRevenue();
    }

    function _valid() internal view returns (Batch memory) {
        return valid;
    }

    function _assertNothingPaid() internal view {
        assertEq(stablecoin.balanceOf(address(ledger)), ledgerBalance, "ledger balance unchanged");
        assertEq(baseShare.depositedRevenue(), shareRevenue, "no revenue routed");
        assertEq(lens.getSession(victim).spent, 0, "victim not charged");
        assertEq(lens.getSession(other).spent, 0, "other not charged");
        assertEq(ledger.submitterFees(keeper), 0, "no fee");
        assertEq(lens.usageStats(baseModel).requests, 0, "no usage recorded");
    }

    function _expectKeyRejected(Batch memory batch, address key, KeyStatus status) internal {
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidEnclaveKey.selector, key, status));
        _assertNothingPaid();
    }

    function test_attack_forgedSignature() public {
        Batch memory batch = _valid();
        bytes32 digest = lens.usageBatchDigest(_usageBatch(batch), baseGateway);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(0xBAD, digest);
        batch.signature = abi.encodePacked(r, s, v);
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_unattestedKeySignsForItself() public {
        Batch memory batch = _sign(_valid(), 0xBAD);
        _expectKeyRejected(batch, vm.addr(0xBAD), KeyStatus.Unknown);
    }

    function test_attack_highSSignature() public {
        Batch memory batch = _valid();
        bytes memory sig = batch.signature;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        uint256 n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
        batch.signature = abi.encodePacked(r, bytes32(n - uint256(s)), v == 27 ? uint8(28) : uint8(27));
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_keyOfRevokedMeasurement() public {
        vm.prank(protocolOwner);
        enclaves.setGlobalMeasurement(MEASUREMENT, MeasurementStatus.Revoked);
        _expectKeyRejected(_valid(), enclave, KeyStatus.MeasurementNotAllowed);
    }

    function test_attack_keyOfMeasurementRevokedByModelOwner() public {
        vm.prank(modelOwner);
        enclaves.setModelMeasurement(baseModel, MEASUREMENT, MeasurementStatus.Revoked);
        _expectKeyRejected(_valid(), enclave, KeyStatus.MeasurementNotAllowed);
    }

    function test_attack_revokedKey() public {
        vm.prank(modelOwner);
        enclaves.revokeEnclaveKey(enclave);
        _expectKeyRejected(_valid(), enclave, KeyStatus.Revoked);
    }

    function test_attack_expiredKey() public {
        vm.warp(block.timestamp + MAX_AGE);
        _expectKeyRejected(_valid(), enclave, KeyStatus.Expired);
    }

    function test_attack_keyOfReplacedVerifier() public {
        DevAttestationVerifier production = new DevAttestationVerifier(makeAddr("production"));
        vm.prank(protocolOwner);
        enclaves.setVerifier(production);
        _expectKeyRejected(_valid(), enclave, KeyStatus.VerifierReplaced);
    }

    function test_attack_keyAttestedForAnotherModel() public {
        // The derivative's enclave signs a batch for the base model.
        Batch memory batch = _sign(_valid(), DERIVATIVE_ENCLAVE_PK);
        _expectKeyRejected(batch, derivativeEnclave, KeyStatus.WrongModel);
    }

    function test_attack_batchRelabelledToAnotherModel() public {
        // A valid base-model batch resubmitted as the (cheaper or differently owned) derivative's usage.
        Batch memory batch = _valid();
        batch.modelId = derivative;
        _expectKeyRejected(batch, enclave, KeyStatus.WrongModel);
    }

    function test_attack_batchSignedForAnotherChain() public {
        uint256 chainId = block.chainid;
        vm.chainId(chainId + 1);
        Batch memory batch = _sign(_uniformBatch(baseModel, _ids(victim, other), 4, 1, 11), ENCLAVE_PK);
        vm.chainId(chainId);
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_batchSignedForAnotherLedger() public {
        InferenceLedger twin = new InferenceLedger(
            address(registry), address(enclaves), address(feed), protocolOwner, PROTOCOL_FEE_BPS, SUBMITTER_FEE_BPS
        );
        Batch memory batch = _uniformBatch(baseModel, _ids(victim, other), 4, 1, 11);
        batch.enclave = enclave;
        batch.batchNumber = 1;
        batch.servedPricing = valid.servedPricing;
        bytes32 digest = new InferenceLedgerLens(twin).usageBatchDigest(_usageBatch(batch), baseGateway);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ENCLAVE_PK, digest);
        batch.signature = abi.encodePacked(r, s, v);
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_replayedBatch() public {
        uint256 charged = _settle(_valid());
        uint256 balance = stablecoin.balanceOf(address(ledger));
        Session memory before = lens.getSession(victim);
        _expectSettleRevert(
            _valid(), abi.encodeWithSelector(IInferenceLedger.BatchOutOfOrder.selector, baseGateway, 1, 2)
        );
        assertEq(lens.getSession(victim).spent, before.spent, "not charged twice");
        assertEq(stablecoin.balanceOf(address(ledger)), balance, "nothing moved");
        assertGt(charged, 0, "first settlement charged");
    }

    function test_attack_racingKeepersCannotDoubleCharge() public {
        uint256 charged = _settleAs(keeper, _valid());
        Batch memory batch = _valid();
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.BatchOutOfOrder.selector, baseGateway, 1, 2));
        vm.prank(otherKeeper);
        ledger.settle(_usageBatch(batch), batch.signature);
        assertEq(ledger.submitterFees(otherKeeper), 0, "the loser earns nothing");
        assertEq(lens.usageStats(baseModel).charged, charged, "charged once");
    }

    function test_attack_reorderedReceipts() public {
        Batch memory batch = _valid();
        (batch.receipts[0], batch.receipts[1]) = (batch.receipts[1], batch.receipts[0]);
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_reorderedReceiptsSignedByEnclave() public {
        // Even an enclave cannot get out-of-order sequences charged.
        Batch memory batch = _uniformBatch(baseModel, _ids(victim, other), 4, 1, 11);
        (batch.receipts[0], batch.receipts[1]) = (batch.receipts[1], batch.receipts[0]);
        _expectSettleRevert(
            _sign(batch, ENCLAVE_PK),
            abi.encodeWithSelector(IInferenceLedger.SequenceNotIncreasing.selector, victim, 1, 2)
        );
        _assertNothingPaid();
    }

    function test_attack_droppedReceipt() public {
        Batch memory batch = _valid();
        uint256[] memory fewer = new uint256[](batch.receipts.length - 1);
        for (uint256 i; i < fewer.length; ++i) {
            fewer[i] = batch.receipts[i + 1];
        }
        batch.receipts = fewer;
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_inflatedTokens() public {
        Batch memory batch = _valid();
        batch.receipts[0] += 1000;
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_swappedCommitment() public {
        Batch memory batch = _valid();
        batch.requestsCommitment = keccak256("other requests");
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_chargeSomeoneElsesSession() public {
        // The keeper swaps the session list so the victim pays for the other buyer's usage.
        Batch memory batch = _valid();
        batch.sessionIds = _ids(other, victim);
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        // ... or points a receipt at a third buyer's session.
        uint256 third = _openSession(makeAddr("third"), baseModel, USDC);
        ledgerBalance += USDC;
        batch.sessionIds = _ids(third, other);
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.InvalidSignature.selector));
        _assertNothingPaid();
    }

    function test_attack_sessionOfAnotherModel() public {
        // A base-model enclave signs usage against a session opened for the derivative.
        uint256 foreign = _openSession(makeAddr("foreign"), derivative, USDC);
        Batch memory batch = _sign(_uniformBatch(baseModel, _ids(foreign), 1, 1, 1), ENCLAVE_PK);
        _expectSettleRevert(
            batch, abi.encodeWithSelector(IInferenceLedger.SessionModelMismatch.selector, foreign, derivative)
        );
        assertEq(lens.getSession(foreign).spent, 0, "foreign session untouched");
    }

    function test_attack_overflowSizedTokenCounts() public {
        // A count wider than 32 bits spills into the reserved bits: rejected.
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(victim);
        batch.receipts = _words((uint256(1) << 192) | (uint256(1) << 100) | 5);
        _expectSettleRevert(
            _sign(batch, ENCLAVE_PK), abi.encodeWithSelector(IInferenceLedger.ReservedBitsSet.selector, 0)
        );
        _assertNothingPaid();
    }

    function test_attack_maxTokenCountsChargeAtMostTheBudget() public {
        // The widest counts the encoding allows: cost ~ 2^32 x 3 x $2/M per receipt, far above the budget; the
        // session pays exactly its budget and no arithmetic overflows.
        uint256 max = type(uint32).max;
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(victim);
        batch.receipts = _words(_receipt(0, 1, max, max, max), _receipt(0, 2, max, max, max));
        uint256 charged = _settle(_sign(batch, ENCLAVE_PK));
        assertEq(charged, 100 * USDC, "capped at the budget");
        assertEq(lens.getSession(victim).spent, 100 * USDC, "spent = budget");
        assertEq(lens.usageStats(baseModel).cost, _costOf(batch.receipts, 0, 2), "full attested cost recorded");
    }

    /// @dev Only the session's own gateway can move its sequence; once it has signed the highest sequence, its later
    /// receipts for the session are skipped, never charged twice.
    function test_attack_maxSequenceIsFinal() public {
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(victim);
        batch.receipts = _words(_receipt(0, type(uint48).max, 1, 1, 1));
        _settle(_sign(batch, ENCLAVE_PK));
        Batch memory later;
        later.modelId = baseModel;
        later.sessionIds = _ids(victim);
        later.receipts = _words(_receipt(0, 1, 1, 1, 1));
        uint256 spent = lens.getSession(victim).spent;
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.ReceiptsSkipped(victim, 1, IInferenceLedger.SkipReason.Stale);
        assertEq(_settle(_sign(later, ENCLAVE_PK)), 0, "skipped, not charged");
        assertEq(lens.getSession(victim).spent, spent, "spent unchanged");
    }
}
