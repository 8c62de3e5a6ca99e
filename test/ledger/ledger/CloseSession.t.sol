// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger, Session} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";

contract CloseSessionTest is LedgerBaseTest {
    uint256 internal sessionId;
    uint256 internal grace;

    function setUp() public override {
        super.setUp();
        sessionId = _openSession(buyer, baseModel, 10 * USDC);
        grace = ledger.SETTLEMENT_GRACE();
    }

    function test_closeSession_buyerRequestStopsApprovalWithoutRefund() public {
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionCloseRequested(sessionId, block.timestamp + grace);
        vm.prank(buyer);
        uint256 refund = ledger.closeSession(sessionId);
        assertEq(refund, 0, "no refund yet");
        assertEq(lens.getSession(sessionId).expiry, block.timestamp, "expiry moved to now");
        assertFalse(lens.isApproved(sessionId, baseModel), "no longer an approval");
        assertEq(lens.refundableAt(sessionId), block.timestamp + grace, "refundable after grace");
    }

    function test_closeSession_receiptsSignedBeforeCloseSettleDuringGrace() public {
        vm.prank(buyer);
        ledger.closeSession(sessionId);
        _warp(grace - 60);
        Batch memory batch = _single(baseModel, sessionId, 1, ENCLAVE_PK);
        uint256 charged = _settle(batch);
        assertGt(charged, 0, "charged during grace");
    }

    function test_closeSession_refundsAfterGrace() public {
        Batch memory batch = _single(baseModel, sessionId, 1, ENCLAVE_PK);
        uint256 charged = _settle(batch);
        vm.prank(buyer);
        ledger.closeSession(sessionId);
        _warp(grace);

        uint256 before = stablecoin.balanceOf(buyer);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionClosed(sessionId, buyer, 10 * USDC - charged);
        vm.prank(attacker); // anyone may finalize; the refund goes to the buyer
        uint256 refund = ledger.closeSession(sessionId);
        assertEq(refund, 10 * USDC - charged, "refund is the unspent rest");
        assertEq(stablecoin.balanceOf(buyer) - before, refund, "paid to buyer");
        Session memory session = lens.getSession(sessionId);
        assertTrue(session.closed, "closed");
        assertEq(session.budget, session.spent, "budget trimmed to spent");
        assertEq(lens.remainingBudget(sessionId), 0, "nothing left");
    }

    function test_closeSession_afterExpiryAndGrace() public {
        _warp(1 days + grace);
        uint256 refund = ledger.closeSession(sessionId);
        assertEq(refund, 10 * USDC, "full refund");
    }

    function test_closeSession_settlementAfterCloseChargesNothing() public {
        _warp(1 days + grace);
        ledger.closeSession(sessionId);
        _reattest();
        Batch memory batch = _single(baseModel, sessionId, 1, ENCLAVE_PK);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageUnpaid(sessionId, _costOf(batch.receipts, 0, 1));
        uint256 charged = _settle(batch);
        assertEq(charged, 0, "closed session pays nothing");
        assertEq(stablecoin.balanceOf(address(ledger)), 0, "nothing held");
    }

    function test_closeSession_revertsWhen_graceActive() public {
        vm.prank(buyer);
        ledger.closeSession(sessionId);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceLedger.SettlementGraceActive.selector, sessionId, block.timestamp + grace)
        );
        vm.prank(buyer);
        ledger.closeSession(sessionId);
    }

    function test_closeSession_revertsWhen_expiredButInGrace() public {
        uint256 expiry = lens.getSession(sessionId).expiry;
        vm.warp(expiry);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceLedger.SettlementGraceActive.selector, sessionId, expiry + grace)
        );
        ledger.closeSession(sessionId);
    }

    function test_closeSession_revertsWhen_otherRequestsEarlyClose() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.NotSessionBuyer.selector, sessionId, attacker));
        vm.prank(attacker);
        ledger.closeSession(sessionId);
    }

    function test_closeSession_revertsWhen_alreadyClosed() public {
        _warp(1 days + grace);
        ledger.closeSession(sessionId);
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.SessionAlreadyClosed.selector, sessionId));
        ledger.closeSession(sessionId);
    }

    function test_closeSession_revertsWhen_unknown() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.UnknownSession.selector, 77));
        ledger.closeSession(77);
    }
}
