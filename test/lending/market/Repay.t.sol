// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract RepayTest is LendingBase {
    function setUp() public override {
        super.setUp();
        _openPosition(10_000e6, 1000e18, 500e6);
    }

    function test_repay_allByShares_afterInterest() public {
        _warp(30 days);
        uint256 shares = _borrowShares(borrower);
        stablecoin.mint(borrower, 100e6);
        vm.prank(borrower);
        (uint256 assets,) = lending.repay(params, 0, shares, borrower);
        assertGt(assets, 500e6, "interest paid");
        assertEq(_borrowShares(borrower), 0, "no debt left");
        (,, uint256 borrowAssets, uint256 borrowShares) = _totals();
        assertEq(borrowAssets + borrowShares, 0, "totals cleared");
    }

    function test_repay_byAssets_roundsSharesDown() public {
        vm.prank(borrower);
        (, uint256 shares) = lending.repay(params, 100e6, 0, borrower);
        assertEq(shares, 100e6 * 1e6, "shares burned");
        assertEq(_debtOf(borrower), 400e6, "debt left");
    }

    function test_repay_anyoneOnBehalf() public {
        stablecoin.mint(carol, 500e6);
        vm.startPrank(carol);
        stablecoin.approve(address(lending), 500e6);
        lending.repay(params, 0, _borrowShares(borrower), borrower);
        vm.stopPrank();
        assertEq(_borrowShares(borrower), 0, "repaid by a third party");
    }

    function test_repay_revertsAboveDebt() public {
        stablecoin.mint(borrower, 100e6);
        vm.prank(borrower);
        vm.expectRevert();
        lending.repay(params, 501e6, 0, borrower);
    }

    function test_repay_revertsZeroOnBehalf() public {
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.ZeroAddress.selector);
        lending.repay(params, 1, 0, address(0));
    }

    function testFuzz_repay_byAssetsNeverOverReducesDebt(uint256 assets, uint256 elapsed) public {
        elapsed = bound(elapsed, 0, 365 days);
        _warp(elapsed);
        lending.accrueInterest(params);
        uint256 debtBefore = _debtOf(borrower);
        assets = bound(assets, 1, debtBefore - 1);
        stablecoin.mint(borrower, assets);
        vm.prank(borrower);
        lending.repay(params, assets, 0, borrower);
        assertGe(_debtOf(borrower) + assets, debtBefore, "repaying x lowers the debt by at most x");
    }
}
