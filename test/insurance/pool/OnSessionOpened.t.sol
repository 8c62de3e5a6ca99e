// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsurancePool, PolicyTerms} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {ModelId, PolicyId, SessionId} from "../../../src/types/Ids.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice `onSessionOpened`, through `openSession`: only the holder, the policy's model, within its period, one
/// settleable session at a time.
contract OnSessionOpenedTest is InsuranceBaseTest {
    uint256 internal policyId;

    function setUp() public override {
        super.setUp();
        _seedHistory(derivative);
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
        (policyId,) = _buyDefault(buyer, 500);
    }

    function test_onSessionOpened_movesTheCoverToTheSession() public {
        uint256 sessionId = _openInsured(buyer, policyId, 10 * USDC);
        assertEq(pool.getPolicy(policyId).sessionId, sessionId, "policy bound to the session");
        assertEq(pool.sessionCover(sessionId).requestsLeft, 500, "cover under the session");
        assertEq(pool.policyCover(policyId).requestsLeft, 500, "and read through the policy");
    }

    function test_onSessionOpened_revertsForAnotherBuyer() public {
        _fund(otherBuyer, 10 * USDC);
        vm.prank(otherBuyer);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.NotPolicyHolder.selector, policyId, otherBuyer));
        ledger.openSession(derivative, derivativeGateway, 10 * USDC, block.timestamp + 1 days, policyId);
    }

    function test_onSessionOpened_revertsForAnotherModel() public {
        _fund(buyer, 10 * USDC);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PolicyModelMismatch.selector, policyId, baseModel));
        ledger.openSession(baseModel, baseGateway, 10 * USDC, block.timestamp + 1 days, policyId);
    }

    function test_onSessionOpened_revertsAfterThePeriod() public {
        _warp(7 days);
        _reattest();
        _fund(buyer, 10 * USDC);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PolicyNotInPeriod.selector, policyId));
        ledger.openSession(derivative, derivativeGateway, 10 * USDC, block.timestamp + 1 days, policyId);
    }

    function test_onSessionOpened_revertsForAnyoneButTheLedger() public {
        vm.prank(buyer);
        vm.expectRevert(IInsurancePool.NotLedger.selector);
        pool.onSessionOpened(SessionId.wrap(99), buyer, ModelId.wrap(derivative), PolicyId.wrap(policyId));
    }

    function test_onSessionOpened_nextSessionTakesOverOnceThePreviousCannotSettle() public {
        uint256 first = _openInsured(buyer, policyId, 100 * USDC);
        _settle(_heavy(first, 1, 1, 500, 5500));
        uint256 limitLeft = pool.sessionCover(first).limitLeft;
        _fund(buyer, 10 * USDC);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PolicySessionActive.selector, policyId, first));
        ledger.openSession(derivative, derivativeGateway, 10 * USDC, block.timestamp + 1 days, policyId);

        vm.prank(buyer);
        ledger.closeSession(first);
        _warp(1 hours);
        uint256 second = _openInsured(buyer, policyId, 10 * USDC);
        assertEq(pool.sessionCover(second).limitLeft, limitLeft, "limit carried over");
        assertEq(pool.sessionCover(second).requestsLeft, 499, "requests carried over");
        assertEq(pool.sessionCover(first).requestsLeft, 0, "the first session's cover is gone");
    }
}
