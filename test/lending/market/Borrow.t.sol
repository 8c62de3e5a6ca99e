// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {MockOracle} from "../mocks/MockOracle.sol";

contract BorrowTest is LendingBase {
    function setUp() public override {
        super.setUp();
        _supply(lender, 10_000e6);
        _supplyCollateral(borrower, 1000e18);
    }

    function test_borrow_upToLltv() public {
        uint256 shares = _borrow(borrower, 800e6);
        assertEq(shares, 800e6 * 1e6, "shares at the virtual rate");
        assertEq(stablecoin.balanceOf(borrower), 800e6, "received");
        assertEq(_debtOf(borrower), 800e6, "debt");
    }

    function test_borrow_revertsAboveLltv() public {
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.InsufficientCollateral.selector);
        lending.borrow(params, 800e6 + 1, 0, borrower, borrower);
    }

    function test_borrow_usesBorrowPrice() public {
        oracle.setBorrowPrice(PRICE_ONE_DOLLAR / 2);
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.InsufficientCollateral.selector);
        lending.borrow(params, 401e6, 0, borrower, borrower);
        _borrow(borrower, 400e6);
        assertEq(_debtOf(borrower), 400e6, "limited by the borrow price");
    }

    function test_borrow_revertsWhenOracleStopsBorrows() public {
        oracle.setBorrowsStopped(true);
        vm.prank(borrower);
        vm.expectRevert(MockOracle.BorrowsStopped.selector);
        lending.borrow(params, 1e6, 0, borrower, borrower);
    }

    function test_borrow_revertsZeroPrice() public {
        oracle.setPrice(0);
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.ZeroPrice.selector);
        lending.borrow(params, 1e6, 0, borrower, borrower);
    }

    function test_borrow_revertsWhenCapExceeded() public {
        vm.prank(lendingOwner);
        lending.setCaps(params, type(uint128).max, 100e6);
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.BorrowCapExceeded.selector);
        lending.borrow(params, 100e6 + 1, 0, borrower, borrower);
    }

    function test_borrow_revertsInsufficientLiquidity() public {
        _supplyCollateral(borrower2, 100_000e18);
        vm.prank(borrower2);
        vm.expectRevert(ILendingMarket.InsufficientLiquidity.selector);
        lending.borrow(params, 10_000e6 + 1, 0, borrower2, borrower2);
    }

    function test_borrow_revertsUnauthorized() public {
        vm.prank(attacker);
        vm.expectRevert(ILendingMarket.Unauthorized.selector);
        lending.borrow(params, 1e6, 0, borrower, attacker);
    }

    function test_borrow_revertsWithoutCollateral() public {
        vm.prank(borrower2);
        vm.expectRevert(ILendingMarket.InsufficientCollateral.selector);
        lending.borrow(params, 1, 0, borrower2, borrower2);
    }

    function testFuzz_borrow_leavesPositionHealthy(uint256 assets, uint256 price) public {
        price = bound(price, 1e20, 1e28);
        oracle.setPrice(price);
        uint256 maxBorrow = _value(1000e18, price) * LLTV / 1e18;
        assets = bound(assets, 1, 20_000e6);
        vm.prank(borrower);
        if (assets > maxBorrow || assets > 10_000e6) {
            vm.expectRevert();
            lending.borrow(params, assets, 0, borrower, borrower);
        } else {
            lending.borrow(params, assets, 0, borrower, borrower);
            assertLe(_debtOf(borrower), maxBorrow, "healthy after borrowing");
        }
    }
}
