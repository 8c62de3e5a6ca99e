// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger, Session} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {IModelRegistry} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract OpenSessionTest is LedgerBaseTest {
    function test_openSession_storesSessionAndPullsBudget() public {
        _fund(buyer, 100 * USDC);
        uint256 expiry = block.timestamp + 1 days;
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionOpened(1, buyer, baseModel, baseGateway, 40 * USDC, expiry, 0);
        vm.prank(buyer);
        uint256 sessionId = ledger.openSession(baseModel, baseGateway, 40 * USDC, expiry, 0);

        assertEq(sessionId, 1, "first id");
        assertEq(ledger.sessionCount(), 1, "count");
        Session memory session = lens.getSession(sessionId);
        assertEq(session.modelId, baseModel, "model");
        assertEq(session.buyer, buyer, "buyer");
        assertEq(session.gatewayId, baseGateway, "bound to the gateway named at open");
        assertEq(session.budget, 40 * USDC, "budget");
        assertEq(session.spent, 0, "spent");
        assertEq(session.lastSequence, 0, "sequence");
        assertEq(session.expiry, expiry, "expiry");
        assertEq(session.policyId, 0, "uninsured");
        assertFalse(session.closed, "open");
        assertEq(stablecoin.balanceOf(address(ledger)), 40 * USDC, "ledger holds budget");
        assertEq(stablecoin.balanceOf(buyer), 60 * USDC, "buyer paid");
        assertTrue(lens.isApproved(sessionId, baseModel), "approved");
    }

    function test_openSession_idsIncrease() public {
        uint256 a = _openSession(buyer, baseModel, USDC);
        uint256 b = _openSession(otherBuyer, derivative, USDC);
        assertEq(b, a + 1, "sequential ids");
        assertEq(lens.getSession(b).modelId, derivative, "model of second");
    }

    function test_openSession_atMaxDuration() public {
        uint256 expiry = block.timestamp + ledger.MAX_SESSION_DURATION();
        uint256 id = _openSession(buyer, baseModel, USDC, expiry);
        assertEq(lens.getSession(id).expiry, expiry, "max expiry accepted");
    }

    function test_openSession_maxDurationLeavesGraceBeforeRepricing() public view {
        assertEq(
            ledger.MAX_SESSION_DURATION() + ledger.SETTLEMENT_GRACE(), registry.PRICING_DELAY(), "duration + grace"
        );
    }

    function test_openSession_revertsWhen_zeroBudget() public {
        vm.expectRevert(IInferenceLedger.ZeroAmount.selector);
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, 0, block.timestamp + 1 days, 0);
    }

    function test_openSession_revertsWhen_budgetOverflows() public {
        vm.expectRevert(IInferenceLedger.BudgetOverflow.selector);
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, uint256(type(uint80).max) + 1, block.timestamp + 1 days, 0);
    }

    function test_openSession_revertsWhen_policyIdTooLarge() public {
        uint256 policyId = uint256(type(uint48).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.PolicyIdTooLarge.selector, policyId));
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, USDC, block.timestamp + 1 days, policyId);
    }

    function test_openSession_revertsWhen_unknownModel() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 99));
        vm.prank(buyer);
        ledger.openSession(99, baseGateway, USDC, block.timestamp + 1 days, 0);
    }

    function test_openSession_revertsWhen_modelIdTooLarge() public {
        uint256 modelId = uint256(type(uint48).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.ModelIdTooLarge.selector, modelId));
        vm.prank(buyer);
        ledger.openSession(modelId, baseGateway, USDC, block.timestamp + 1 days, 0);
    }

    function test_openSession_revertsWhen_modelPaused() public {
        vm.prank(modelOwner);
        registry.setPaused(baseModel, true);
        _fund(buyer, USDC);
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.ModelPaused.selector, baseModel));
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, USDC, block.timestamp + 1 days, 0);
    }

    function test_openSession_revertsWhen_expiryNotInFuture() public {
        uint256 maxExpiry = block.timestamp + ledger.MAX_SESSION_DURATION();
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.InvalidExpiry.selector, block.timestamp, maxExpiry));
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, USDC, block.timestamp, 0);
    }

    function test_openSession_revertsWhen_expiryTooFar() public {
        uint256 maxExpiry = block.timestamp + ledger.MAX_SESSION_DURATION();
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.InvalidExpiry.selector, maxExpiry + 1, maxExpiry));
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, USDC, maxExpiry + 1, 0);
    }

    function test_openSession_revertsWhen_noAllowance() public {
        stablecoin.mint(buyer, USDC);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(ledger), 0, USDC)
        );
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, USDC, block.timestamp + 1 days, 0);
    }

    function testFuzz_openSession_anyValidBudgetAndExpiry(uint256 budget, uint256 duration) public {
        budget = bound(budget, 1, type(uint80).max);
        duration = bound(duration, 1, ledger.MAX_SESSION_DURATION());
        uint256 id = _openSession(buyer, derivative, budget, block.timestamp + duration);
        Session memory session = lens.getSession(id);
        assertEq(session.budget, budget, "budget");
        assertEq(session.expiry, block.timestamp + duration, "expiry");
        assertEq(lens.remainingBudget(id), budget, "remaining");
    }

    function test_openSession_revertsWhen_gatewayUnknown() public {
        _fund(buyer, USDC);
        uint256 unknown = enclaves.gatewayCount() + 1;
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.UnknownGateway.selector, unknown));
        vm.prank(buyer);
        ledger.openSession(baseModel, unknown, USDC, block.timestamp + 1 days, 0);
    }

    function test_openSession_revertsWhen_gatewayServesAnotherModel() public {
        _fund(buyer, USDC);
        vm.expectRevert(
            abi.encodeWithSelector(IInferenceLedger.GatewayModelMismatch.selector, derivativeGateway, derivative)
        );
        vm.prank(buyer);
        ledger.openSession(baseModel, derivativeGateway, USDC, block.timestamp + 1 days, 0);
    }

    function test_openSession_revertsWhen_insuredWithoutCoverage() public {
        _fund(buyer, USDC);
        vm.expectRevert(IInferenceLedger.NoCoverage.selector);
        vm.prank(buyer);
        ledger.openSession(baseModel, baseGateway, USDC, block.timestamp + 1 days, 1);
    }
}
