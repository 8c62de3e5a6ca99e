// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract SupplyTest is LendingBase {
    function test_supply_mintsSharesAtVirtualRate() public {
        uint256 shares = _supply(lender, 100e6);
        assertEq(shares, 100e6 * 1e6, "1e6 shares per asset on an empty market");
        (uint256 supplyAssets, uint256 supplyShares,,) = _totals();
        assertEq(supplyAssets, 100e6, "total assets");
        assertEq(supplyShares, shares, "total shares");
        assertEq(_supplySharesOf(lender), shares, "position shares");
        assertEq(stablecoin.balanceOf(address(lending)), 100e6, "tokens pulled");
    }

    function test_supply_byShares_roundsAssetsUp() public {
        _supply(lender, 100e6);
        stablecoin.mint(lender2, 10e6);
        vm.prank(lender2);
        (uint256 assets,) = lending.supply(params, 0, 1, lender2);
        assertEq(assets, 1, "one share costs a whole unit (rounded up)");
    }

    function test_supply_revertsWhenCapExceeded() public {
        vm.prank(lendingOwner);
        lending.setCaps(params, 50e6, type(uint120).max);
        stablecoin.mint(lender, 100e6);
        vm.prank(lender);
        vm.expectRevert(ILendingMarket.SupplyCapExceeded.selector);
        lending.supply(params, 51e6, 0, lender);
    }

    function test_supply_revertsInconsistentInput() public {
        vm.prank(lender);
        vm.expectRevert(ILendingMarket.InconsistentInput.selector);
        lending.supply(params, 1, 1, lender);
        vm.prank(lender);
        vm.expectRevert(ILendingMarket.InconsistentInput.selector);
        lending.supply(params, 0, 0, lender);
    }

    function test_supply_revertsMarketNotCreated() public {
        MarketParams memory other = params;
        other.lltv = 0.5e18;
        vm.expectRevert(ILendingMarket.MarketNotCreated.selector);
        lending.supply(other, 1, 0, lender);
    }

    function test_supply_revertsZeroOnBehalf() public {
        vm.expectRevert(ILendingMarket.ZeroAddress.selector);
        lending.supply(params, 1, 0, address(0));
    }

    function testFuzz_supply_sharesNeverWorthMoreThanPaid(uint256 first, uint256 second, uint256 elapsed) public {
        first = bound(first, 2, 1e12);
        second = bound(second, 1, 1e15);
        elapsed = bound(elapsed, 0, 365 days);
        _supply(lender, first);
        _supplyCollateral(borrower, SUPPLY);
        _borrow(borrower, first / 2);
        _warp(elapsed);
        lending.accrueInterest(params);
        uint256 shares = _supply(lender2, second);
        (uint256 supplyAssets, uint256 supplyShares,,) = _totals();
        uint256 worth = shares * (supplyAssets + 1) / (supplyShares + 1e6);
        assertLe(worth, second, "new shares are worth at most what was paid");
    }
}
