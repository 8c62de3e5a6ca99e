// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MeasurementStatus} from "../../../src/inference/interfaces/IEnclaveRegistry.sol";
import {IInferenceLedger} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";

/// @notice Revenue routing of `settle`: fees, cascading royalties, share deposits.
contract SettleRoutingTest is LedgerBaseTest {
    uint256 internal constant BUDGET = 1000 * USDC;

    /// @dev Settles a batch of 40 receipts on one fresh session of `modelId` and returns the charge.
    function _settleOn(uint256 modelId, uint256 enclavePk) internal returns (uint256 charged) {
        uint256 sessionId = _openSessionServedBy(buyer, modelId, BUDGET, vm.addr(enclavePk));
        return _settle(_sign(_uniformBatch(modelId, _ids(sessionId), 40, 1, 7), enclavePk));
    }

    function test_settle_routesBaseModelRevenue() public {
        uint256 charged = _settleOn(baseModel, ENCLAVE_PK);
        uint256 protocolFee = charged * PROTOCOL_FEE_BPS / 10_000;
        uint256 submitterFee = charged * SUBMITTER_FEE_BPS / 10_000;
        assertGt(charged, 0, "charged");
        assertEq(lens.protocolFees(), protocolFee, "protocol fee accrued");
        assertEq(ledger.submitterFees(keeper), submitterFee, "submitter fee accrued");
        assertEq(baseShare.depositedRevenue(), charged - protocolFee - submitterFee, "rest to the share");
        assertEq(
            stablecoin.balanceOf(address(ledger)),
            BUDGET - charged + protocolFee + submitterFee,
            "ledger keeps unspent budget and fees"
        );
    }

    function test_settle_routesRoyaltyToParent() public {
        uint256 charged = _settleOn(derivative, DERIVATIVE_ENCLAVE_PK);
        uint256 revenue = charged - charged * PROTOCOL_FEE_BPS / 10_000 - charged * SUBMITTER_FEE_BPS / 10_000;
        uint256 royalty = revenue * ROYALTY_BPS / 10_000;
        assertEq(derivativeShare.depositedRevenue(), revenue - royalty, "derivative keeps the rest");
        assertEq(baseShare.depositedRevenue(), royalty, "parent receives its royalty");
    }

    function test_settle_royaltiesCascadeUpTheChain() public {
        // base <- derivative (10%) <- grandchild (20%) <- great-grandchild (50%)
        address owner3 = makeAddr("owner3");
        address owner4 = makeAddr("owner4");
        vm.prank(owner3);
        (uint256 grandchild, address grandchildShare) =
            registry.registerDerivative(derivative, 2000, _params("grandchild"));
        vm.prank(owner4);
        (uint256 great, address greatShare) = registry.registerDerivative(grandchild, 5000, _params("great"));
        uint256 pk = 0xBEEF;
        _registerEnclave(great, pk, MEASUREMENT, block.timestamp);

        uint256 charged = _settleOn(great, pk);
        uint256 revenue = charged - charged * PROTOCOL_FEE_BPS / 10_000 - charged * SUBMITTER_FEE_BPS / 10_000;
        uint256 toGrandchild = revenue * 5000 / 10_000;
        uint256 toDerivative = toGrandchild * 2000 / 10_000;
        uint256 toBase = toDerivative * ROYALTY_BPS / 10_000;
        assertEq(ModelShare(greatShare).depositedRevenue(), revenue - toGrandchild, "great-grandchild");
        assertEq(ModelShare(grandchildShare).depositedRevenue(), toGrandchild - toDerivative, "grandchild");
        assertEq(derivativeShare.depositedRevenue(), toDerivative - toBase, "derivative");
        assertEq(baseShare.depositedRevenue(), toBase, "base");
        assertEq(
            ModelShare(greatShare).depositedRevenue() + ModelShare(grandchildShare).depositedRevenue()
                + derivativeShare.depositedRevenue() + baseShare.depositedRevenue(),
            revenue,
            "every unit of revenue routed"
        );
    }

    function test_settle_emitsRevenueRouted() public {
        uint256 sessionId = _openSession(buyer, derivative, BUDGET);
        Batch memory batch = _sign(_uniformBatch(derivative, _ids(sessionId), 4, 1, 1), DERIVATIVE_ENCLAVE_PK);
        uint256 cost = _costOf(batch.receipts, 0, 4);
        uint256 revenue = cost - cost * PROTOCOL_FEE_BPS / 10_000 - cost * SUBMITTER_FEE_BPS / 10_000;
        uint256 royalty = revenue * ROYALTY_BPS / 10_000;
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.RevenueRouted(derivative, derivative, revenue - royalty);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.RevenueRouted(derivative, baseModel, royalty);
        _settle(batch);
    }

    function test_settle_revenueClaimableByHoldersAfterStream() public {
        uint256 charged = _settleOn(derivative, DERIVATIVE_ENCLAVE_PK);
        _warp(derivativeShare.REVENUE_STREAM_PERIOD());
        uint256 revenue = charged - charged * PROTOCOL_FEE_BPS / 10_000 - charged * SUBMITTER_FEE_BPS / 10_000;
        uint256 royalty = revenue * ROYALTY_BPS / 10_000;
        assertEq(derivativeShare.claimable(derivativeOwner), revenue - royalty, "derivative holder");
        assertEq(baseShare.claimable(modelOwner), royalty, "parent holder earns the royalty");
        vm.prank(modelOwner);
        assertEq(baseShare.claim(modelOwner), royalty, "claimed");
    }

    function test_settle_noFeesRoutesEverythingToShares() public {
        vm.prank(protocolOwner);
        ledger.setFees(0, 0);
        uint256 charged = _settleOn(baseModel, ENCLAVE_PK);
        assertEq(baseShare.depositedRevenue(), charged, "all revenue to holders");
        assertEq(lens.protocolFees(), 0, "no protocol fee");
        assertEq(ledger.submitterFees(keeper), 0, "no submitter fee");
    }

    function test_settle_nothingChargedRoutesNothing() public {
        uint256 sessionId = _openSession(buyer, baseModel, 1);
        _settle(_single(baseModel, sessionId, 1, ENCLAVE_PK));
        // 1 unit charged: both fees round down to zero, the unit goes to the share.
        assertEq(baseShare.depositedRevenue(), 1, "one unit");
        _settle(_single(baseModel, sessionId, 2, ENCLAVE_PK));
        assertEq(baseShare.depositedRevenue(), 1, "a drained session routes nothing");
    }

    function test_settle_pausedAncestorStillEarnsRoyalties() public {
        vm.prank(modelOwner);
        registry.setPaused(baseModel, true);
        _settleOn(derivative, DERIVATIVE_ENCLAVE_PK);
        assertGt(baseShare.depositedRevenue(), 0, "royalty still paid");
    }

    function test_settle_measurementRevokedForParentDoesNotMatter() public {
        vm.prank(modelOwner);
        enclaves.setModelMeasurement(baseModel, MEASUREMENT, MeasurementStatus.Revoked);
        uint256 charged = _settleOn(derivative, DERIVATIVE_ENCLAVE_PK);
        assertGt(charged, 0, "derivative enclave is judged for the derivative only");
    }
}
