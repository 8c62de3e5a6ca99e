// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract WithdrawTest is LendingBase {
    function test_withdraw_allShares() public {
        uint256 shares = _supply(lender, 100e6);
        vm.prank(lender);
        (uint256 assets,) = lending.withdraw(params, 0, shares, lender, lender);
        assertEq(assets, 100e6, "all back");
        assertEq(stablecoin.balanceOf(lender), 100e6, "received");
        (uint256 supplyAssets, uint256 supplyShares,,) = _totals();
        assertEq(supplyAssets + supplyShares, 0, "market empty");
    }

    function test_withdraw_byAssets_roundsSharesUp() public {
        _supply(lender, 100e6);
        vm.prank(lender);
        (, uint256 shares) = lending.withdraw(params, 1, 0, lender, lender);
        assertEq(shares, 1e6, "one unit burns its shares");
    }

    function test_withdraw_revertsUnauthorized() public {
        _supply(lender, 100e6);
        vm.prank(attacker);
        vm.expectRevert(ILendingMarket.Unauthorized.selector);
        lending.withdraw(params, 1e6, 0, lender, attacker);
    }

    function test_withdraw_byAuthorizedManager() public {
        _supply(lender, 100e6);
        vm.prank(lender);
        lending.setAuthorization(carol, true);
        vm.prank(carol);
        lending.withdraw(params, 40e6, 0, lender, carol);
        assertEq(stablecoin.balanceOf(carol), 40e6, "manager withdrew to itself");
    }

    function test_withdraw_revertsInsufficientLiquidity() public {
        _openPosition(100e6, 1000e18, 80e6);
        vm.prank(lender);
        vm.expectRevert(ILendingMarket.InsufficientLiquidity.selector);
        lending.withdraw(params, 21e6, 0, lender, lender);
        vm.prank(lender);
        lending.withdraw(params, 20e6, 0, lender, lender);
        assertEq(stablecoin.balanceOf(lender), 20e6, "what is not borrowed can leave");
    }

    function test_withdraw_revertsMoreThanOwned() public {
        _supply(lender, 100e6);
        vm.prank(lender);
        vm.expectRevert();
        lending.withdraw(params, 101e6, 0, lender, lender);
    }
}
