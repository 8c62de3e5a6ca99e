// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger, Session} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";

contract TopUpSessionTest is LedgerBaseTest {
    uint256 internal sessionId;

    function setUp() public override {
        super.setUp();
        sessionId = _openSession(buyer, baseModel, 10 * USDC);
        _fund(buyer, 100 * USDC);
    }

    function test_topUpSession_addsBudget() public {
        uint256 expiry = lens.getSession(sessionId).expiry;
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionToppedUp(sessionId, 5 * USDC, 15 * USDC, expiry);
        vm.prank(buyer);
        ledger.topUpSession(sessionId, 5 * USDC, 0);
        assertEq(lens.getSession(sessionId).budget, 15 * USDC, "budget");
        assertEq(lens.getSession(sessionId).expiry, expiry, "expiry kept");
        assertEq(stablecoin.balanceOf(address(ledger)), 15 * USDC, "ledger balance");
    }

    function test_topUpSession_extendsExpiryOnly() public {
        uint256 newExpiry = block.timestamp + 3 days;
        vm.prank(buyer);
        ledger.topUpSession(sessionId, 0, newExpiry);
        Session memory session = lens.getSession(sessionId);
        assertEq(session.expiry, newExpiry, "extended");
        assertEq(session.budget, 10 * USDC, "budget unchanged");
    }

    function test_topUpSession_revivesRequestedClose() public {
        vm.prank(buyer);
        ledger.closeSession(sessionId);
        assertFalse(lens.isApproved(sessionId, baseModel), "closing");
        vm.prank(buyer);
        ledger.topUpSession(sessionId, USDC, block.timestamp + 1 hours);
        assertTrue(lens.isApproved(sessionId, baseModel), "approved again");
    }

    function test_topUpSession_revertsWhen_notBuyer() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.NotSessionBuyer.selector, sessionId, attacker));
        vm.prank(attacker);
        ledger.topUpSession(sessionId, USDC, block.timestamp + 7 days - 1 hours);
    }

    function test_topUpSession_revertsWhen_unknown() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.UnknownSession.selector, 42));
        vm.prank(buyer);
        ledger.topUpSession(42, USDC, 0);
    }

    function test_topUpSession_revertsWhen_nothingToDo() public {
        vm.expectRevert(IInferenceLedger.ZeroAmount.selector);
        vm.prank(buyer);
        ledger.topUpSession(sessionId, 0, 0);
    }

    function test_topUpSession_revertsWhen_expiryEarlier() public {
        uint256 expiry = lens.getSession(sessionId).expiry;
        uint256 maxExpiry = block.timestamp + ledger.MAX_SESSION_DURATION();
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.InvalidExpiry.selector, expiry - 1, maxExpiry));
        vm.prank(buyer);
        ledger.topUpSession(sessionId, 0, expiry - 1);
    }

    function test_topUpSession_revertsWhen_expiryTooFar() public {
        uint256 maxExpiry = block.timestamp + ledger.MAX_SESSION_DURATION();
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.InvalidExpiry.selector, maxExpiry + 1, maxExpiry));
        vm.prank(buyer);
        ledger.topUpSession(sessionId, 0, maxExpiry + 1);
    }

    function test_topUpSession_revertsWhen_budgetOverflows() public {
        vm.expectRevert(IInferenceLedger.BudgetOverflow.selector);
        vm.prank(buyer);
        ledger.topUpSession(sessionId, type(uint80).max, 0);
    }

    function test_topUpSession_revertsWhen_closed() public {
        _warp(1 days + ledger.SETTLEMENT_GRACE());
        ledger.closeSession(sessionId);
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.SessionAlreadyClosed.selector, sessionId));
        vm.prank(buyer);
        ledger.topUpSession(sessionId, USDC, 0);
    }
}
