// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Batch} from "../../ledger/LedgerBaseTest.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Attack: an underwriter who sees a large insured overrun served (receipts signed, not yet settled) tries
/// to leave before the claims land. Defences: only queued shares redeem, after a cooldown longer than any policy,
/// at the price of then; queued shares bear claims.
contract WithdrawAheadOfOverrunAttackTest is InsuranceBaseTest {
    uint256 internal constant EACH = 1000 * USDC;

    function test_attack_underwriterCannotRunAheadOfKnownClaims() public {
        _seedHistory(derivative);
        uint256 attackerShares = _deposit(attacker, EACH);
        uint256 honestShares = _deposit(underwriter, EACH);
        (uint256 policyId,) = _buyDefault(buyer, 400_000);
        uint256 sessionId = _openInsured(buyer, policyId, 2000 * USDC);
        Batch memory overrun = _heavy(sessionId, 1, 200, 500, 5500);

        // The attacker sees the signed overrun and queues everything at once.
        vm.prank(attacker);
        pool.requestWithdraw(attackerShares);
        assertEq(pool.maxRedeem(attacker), 0, "nothing redeems before the cooldown");
        assertEq(pool.maxWithdraw(attacker), 0, "nothing withdraws before the cooldown");

        uint256 assetsBefore = pool.totalAssets();
        _settle(overrun);
        uint256 claims = assetsBefore - pool.totalAssets();
        assertGt(claims, 0, "the overrun was paid");

        _warp(pool.WITHDRAW_COOLDOWN());
        pool.releasePolicy(policyId);
        vm.prank(underwriter);
        pool.requestWithdraw(honestShares);
        vm.prank(attacker);
        (, uint256 attackerOut) = pool.completeWithdraw(attacker);
        _warp(pool.WITHDRAW_COOLDOWN());
        vm.prank(underwriter);
        (, uint256 honestOut) = pool.completeWithdraw(underwriter);
        int256 advantage = int256(attackerOut) - int256(honestOut);
        emit log_named_int("attacker advantage over the honest underwriter", advantage);
        emit log_named_uint("claims paid", claims);
        assertLe(advantage, 1, "the early request gains nothing (rounding at most a unit)");
    }
}
