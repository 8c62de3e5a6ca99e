// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingBase} from "../LendingBase.t.sol";

/// @notice Resupply 2025: a fresh vault's exchange rate inflated until a depositor's shares round to zero. Here the
/// totals are booked, not read from balances, and 1e6 virtual shares per virtual asset make inflation cost far more
/// than it can take.
contract FirstSupplierAttackTest is LendingBase {
    function test_attack_firstSupplierDonationInflation_pnlNonPositive() public {
        uint256 spent = 1 + 1_000_000e6;
        stablecoin.mint(attacker, spent);
        vm.startPrank(attacker);
        lending.supply(params, 1, 0, attacker);
        stablecoin.transfer(address(lending), 1_000_000e6); // donation: not booked
        vm.stopPrank();

        uint256 victimShares = _supply(lender, 1000e6);
        assertEq(victimShares, 1000e6 * 1e6, "the victim gets full shares: the donation moved nothing");

        uint256 attackerShares = _supplySharesOf(attacker);
        vm.prank(attacker);
        (uint256 out,) = lending.withdraw(params, 0, attackerShares, attacker, attacker);
        int256 pnl = int256(out) - int256(spent);
        emit log_named_int("attacker PnL (units)", pnl);
        assertLe(pnl, 0, "attacker PnL <= 0");
        uint256 lenderShares = _supplySharesOf(lender);
        vm.prank(lender);
        (uint256 back,) = lending.withdraw(params, 0, lenderShares, lender, lender);
        assertEq(back, 1000e6, "the victim withdraws all");
    }

    function testFuzz_attack_firstSupplierRounding_victimLosesAtMostOneUnit(uint256 seed, uint256 victim) public {
        seed = bound(seed, 1, 1e6);
        victim = bound(victim, 1, 1e12);
        _supply(attacker, seed);
        uint256 shares = _supply(lender, victim);
        (uint256 supplyAssets, uint256 supplyShares,,) = _totals();
        uint256 worth = shares * (supplyAssets + 1) / (supplyShares + 1e6);
        assertGe(worth + 1, victim, "the victim's shares are worth its deposit, less one unit of rounding");
    }
}
