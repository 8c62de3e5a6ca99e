// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Batch} from "../../ledger/LedgerBaseTest.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Attack: a heavy request is served on an uninsured session; before its receipt settles the buyer buys a
/// policy, hoping settlement will charge the pool. Defence: only sessions opened under the policy are insured, and
/// a receipt names its session.
contract PolicyAfterHeavyRequestAttackTest is InsuranceBaseTest {
    function test_attack_policyBoughtBeforeSettlementCoversNothingServedBefore() public {
        _seedHistory(derivative);
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
        uint256 uninsured = _openSession(attacker, derivative, 100 * USDC);
        Batch memory heavy = _heavy(uninsured, 1, 20, 500, 5500);

        (uint256 policyId, uint256 premium) = _buyDefault(attacker, 1000);
        uint256 insured = _openInsured(attacker, policyId, 10 * USDC);
        assertTrue(insured != uninsured, "a new session");

        uint256 assetsBefore = pool.totalAssets();
        _settle(heavy);
        uint256 claims = assetsBefore - pool.totalAssets();
        assertEq(claims, 0, "the pool pays nothing for the earlier session");
        assertEq(lens.getSession(uninsured).spent, 20 * 11_800, "the attacker's session pays all");
        int256 pnl = int256(claims) - int256(premium);
        emit log_named_int("attacker PnL", pnl);
        assertLe(pnl, 0, "attacker PnL <= 0");
    }
}
