// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingBase} from "../LendingBase.t.sol";

/// @notice Cream 2021: a donation that moves an exchange rate or a collateral value. Nothing the market prices or
/// credits reads its own balances, and a donation of revenue to the share is shared by every holder.
contract DonationAttackTest is LendingBase {
    function test_attack_donateToMarket_changesNothing_pnlNonPositive() public {
        _openPosition(10_000e6, 1000e18, 800e6);
        (uint256 a, uint256 b, uint256 c, uint256 d) = _totals();
        stablecoin.mint(attacker, 5000e6);
        _transferShares(modelOwner, attacker, 1000e18);
        vm.startPrank(attacker);
        stablecoin.transfer(address(lending), 5000e6);
        share.transfer(address(lending), 1000e18);
        vm.expectRevert(); // no collateral of its own: the donated shares are not its
        lending.borrow(params, 1, 0, attacker, attacker);
        vm.expectRevert();
        lending.withdrawCollateral(params, 1, attacker, attacker);
        vm.stopPrank();
        (uint256 a2, uint256 b2, uint256 c2, uint256 d2) = _totals();
        assertEq(keccak256(abi.encode(a, b, c, d)), keccak256(abi.encode(a2, b2, c2, d2)), "totals unmoved");
        assertEq(_collateralOf(attacker), 0, "no collateral booked");
        assertEq(stablecoin.balanceOf(attacker) + share.balanceOf(attacker), 0, "attacker PnL = -donation");
    }

    function test_attack_donateRevenueToShare_repaysOnlyPartOfOwnDebt_pnlNonPositive() public {
        _supply(lender, 10_000e6);
        _transferShares(modelOwner, attacker, SUPPLY / 10);
        vm.prank(attacker);
        lending.supplyCollateral(params, SUPPLY / 10, attacker);
        _borrow(attacker, 1000e6);
        uint256 donation = 1000e6;
        stablecoin.mint(attacker, donation);
        vm.startPrank(attacker);
        stablecoin.approve(address(share), donation);
        share.depositRevenue(donation);
        vm.stopPrank();
        _warp(period);
        lending.settleRevenue(params, attacker);
        uint256 debtBefore = 1000e6 + 1000e6 * RATE_PER_SECOND * period / 1e18 + 1;
        uint256 gained = debtBefore - _debtOf(attacker);
        int256 pnl = int256(gained) - int256(donation);
        emit log_named_int("attacker PnL (units)", pnl);
        assertLe(pnl, 0, "a revenue donation returns at most the donor's stake share of it");
        assertLe(gained, donation / 10 + 1, "10% of the supply gets back at most 10%");
    }

    function test_attack_donationCannotMakeHealthyPositionLiquidatable() public {
        _openPosition(10_000e6, 1000e18, 800e6);
        stablecoin.mint(attacker, 1_000_000e6);
        vm.prank(attacker);
        stablecoin.transfer(address(lending), 1_000_000e6);
        vm.prank(attacker);
        vm.expectRevert();
        lending.liquidate(params, borrower, 1e18, 0, "");
    }
}
