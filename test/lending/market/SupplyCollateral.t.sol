// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract SupplyCollateralTest is LendingBase {
    function test_supplyCollateral_booksCollateral() public {
        _supplyCollateral(borrower, 1000e18);
        assertEq(_collateralOf(borrower), 1000e18, "collateral");
        assertEq(share.balanceOf(address(lending)), 1000e18, "shares held by the market");
    }

    function test_supplyCollateral_onBehalf() public {
        _transferShares(modelOwner, carol, 10e18);
        vm.startPrank(carol);
        share.approve(address(lending), 10e18);
        lending.supplyCollateral(params, 10e18, borrower);
        vm.stopPrank();
        assertEq(_collateralOf(borrower), 10e18, "booked to onBehalf");
    }

    function test_supplyCollateral_revertsZero() public {
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.ZeroAmount.selector);
        lending.supplyCollateral(params, 0, borrower);
    }

    function test_supplyCollateral_revertsZeroOnBehalf() public {
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.ZeroAddress.selector);
        lending.supplyCollateral(params, 1, address(0));
    }

    function testFuzz_supplyCollateral_sumsDeposits(uint256 a, uint256 b) public {
        a = bound(a, 1, SUPPLY / 2);
        b = bound(b, 1, SUPPLY / 2);
        _supplyCollateral(borrower, a);
        _supplyCollateral(borrower, b);
        assertEq(_collateralOf(borrower), a + b, "collateral adds up");
    }
}
