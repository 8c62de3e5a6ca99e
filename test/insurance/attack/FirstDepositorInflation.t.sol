// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Attack: the first depositor inflates the share price so that a victim's deposit rounds to (almost) no
/// shares. Defences: donations are not assets (accounted `totalAssets`), 1e6 virtual shares per virtual asset.
contract FirstDepositorInflationAttackTest is InsuranceBaseTest {
    uint256 internal constant VICTIM_DEPOSIT = 1000 * USDC;

    function test_attack_donationInflatesNothing() public {
        _deposit(attacker, 1);
        stablecoin.mint(attacker, 10_000 * USDC);
        vm.prank(attacker);
        stablecoin.transfer(address(pool), 10_000 * USDC);
        uint256 victimShares = _deposit(otherUnderwriter, VICTIM_DEPOSIT);
        assertEq(victimShares, VICTIM_DEPOSIT * 1e6, "the victim gets the unmoved rate");
        (uint256 attackerOut, uint256 victimOut) = _exitBoth();
        int256 pnl = int256(attackerOut) - int256(1 + 10_000 * USDC);
        emit log_named_int("attacker PnL", pnl);
        assertLe(pnl, 0, "attacker PnL <= 0");
        assertEq(victimOut, VICTIM_DEPOSIT, "the victim loses nothing");
    }

    /// @dev The only way to raise the price without depositing is a premium: the attacker pays it and, holding 1e6
    /// shares beside 1e6 virtual ones, gets about half back; the victim's rounding loses it at most one share's worth.
    function testFuzz_attack_premiumInflationCostsMoreThanItTakes(uint256 requests) public {
        requests = bound(requests, 1000, 2_000_000);
        _seedHistory(derivative);
        _deposit(attacker, 1);
        (uint256 policyId, uint256 premium) = _buyDefault(attacker, requests);
        _deposit(otherUnderwriter, VICTIM_DEPOSIT);
        _warp(7 days + 1 hours);
        pool.releasePolicy(policyId);
        (uint256 attackerOut, uint256 victimOut) = _exitBoth();
        int256 pnl = int256(attackerOut) - int256(1 + premium);
        emit log_named_int("attacker PnL", pnl);
        assertLe(pnl, 0, "attacker PnL <= 0");
        uint256 victimLoss = VICTIM_DEPOSIT > victimOut ? VICTIM_DEPOSIT - victimOut : 0;
        emit log_named_uint("victim loss", victimLoss);
        // The victim loses at most one share's worth to rounding; the attacker pays ~1e6 times that for it.
        assertLe(victimLoss * 1e6, uint256(-pnl) + 1e6, "the attack costs at least 1e6 times what it takes");
    }

    function _exitBoth() internal returns (uint256 attackerOut, uint256 victimOut) {
        uint256 attackerShares = pool.balanceOf(attacker);
        uint256 victimShares = pool.balanceOf(otherUnderwriter);
        vm.prank(attacker);
        pool.requestWithdraw(attackerShares);
        vm.prank(otherUnderwriter);
        pool.requestWithdraw(victimShares);
        _warp(pool.WITHDRAW_COOLDOWN());
        vm.prank(attacker);
        (, attackerOut) = pool.completeWithdraw(attacker);
        vm.prank(otherUnderwriter);
        (, victimOut) = pool.completeWithdraw(otherUnderwriter);
    }
}
