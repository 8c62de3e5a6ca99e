// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract WithdrawCollateralTest is LendingBase {
    function test_withdrawCollateral_debtFree_evenWhenOracleStopsBorrows() public {
        _supplyCollateral(borrower, 1000e18);
        oracle.setBorrowsStopped(true);
        vm.prank(borrower);
        lending.withdrawCollateral(params, 1000e18, borrower, borrower);
        assertEq(share.balanceOf(borrower), 1000e18, "collateral back");
    }

    function test_withdrawCollateral_keepsHealthy() public {
        _openPosition(10_000e6, 1000e18, 400e6);
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.InsufficientCollateral.selector);
        lending.withdrawCollateral(params, 500e18 + 1, borrower, borrower);
        vm.prank(borrower);
        lending.withdrawCollateral(params, 500e18, borrower, borrower);
        assertEq(_collateralOf(borrower), 500e18, "half left");
    }

    function test_withdrawCollateral_usesBorrowPrice() public {
        _openPosition(10_000e6, 1000e18, 400e6);
        oracle.setBorrowPrice(PRICE_ONE_DOLLAR / 2);
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.InsufficientCollateral.selector);
        lending.withdrawCollateral(params, 1, borrower, borrower);
    }

    function test_withdrawCollateral_revertsUnauthorized() public {
        _supplyCollateral(borrower, 1000e18);
        vm.prank(attacker);
        vm.expectRevert(ILendingMarket.Unauthorized.selector);
        lending.withdrawCollateral(params, 1, borrower, attacker);
    }

    function test_withdrawCollateral_revertsMoreThanPosted() public {
        _supplyCollateral(borrower, 1000e18);
        vm.prank(borrower);
        vm.expectRevert();
        lending.withdrawCollateral(params, 1000e18 + 1, borrower, borrower);
    }
}
