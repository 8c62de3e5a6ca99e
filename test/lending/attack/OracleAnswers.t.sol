// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {MockOracle} from "../mocks/MockOracle.sol";

/// @notice A zero or mis-scaled oracle answer (Morpho PAXG 2024). Zero stops borrows and liquidations (no
/// collateral seized for nothing); a mis-scaled price is the market creator's choice of oracle, so the damage
/// stays inside that market and under its borrow cap.
contract OracleAnswersAttackTest is LendingBase {
    function test_attack_zeroPrice_noFreeSeizure_pnlNonPositive() public {
        _openPosition(10_000e6, 1000e18, 800e6);
        oracle.setPrice(0);
        stablecoin.mint(attacker, 1000e6);
        vm.startPrank(attacker);
        vm.expectRevert(ILendingMarket.ZeroPrice.selector);
        lending.liquidate(params, borrower, 1000e18, 0, "");
        vm.expectRevert(ILendingMarket.ZeroPrice.selector);
        lending.liquidate(params, borrower, 0, 1, "");
        vm.stopPrank();
        assertEq(share.balanceOf(attacker), 0, "nothing seized");
        assertEq(stablecoin.balanceOf(attacker), 1000e6, "attacker PnL = 0");
    }

    function test_attack_misScaledOracle_damageBoundedByCapAndIsolated() public {
        // an honest market beside the bad one
        _supply(lender, 10_000e6);
        MockOracle bad = new MockOracle(PRICE_ONE_DOLLAR * 1e12); // 12 decimals too many
        MarketParams memory badParams = params;
        badParams.oracle = address(bad);
        lending.createMarket(badParams);
        vm.prank(lendingOwner);
        lending.setCaps(badParams, type(uint128).max, 1000e6);
        stablecoin.mint(lender2, 5000e6);
        vm.prank(lender2);
        lending.supply(badParams, 5000e6, 0, lender2);

        _transferShares(modelOwner, attacker, 1e18);
        vm.startPrank(attacker);
        lending.supplyCollateral(badParams, 1e18, attacker);
        vm.expectRevert(ILendingMarket.BorrowCapExceeded.selector);
        lending.borrow(badParams, 1000e6 + 1, 0, attacker, attacker);
        lending.borrow(badParams, 1000e6, 0, attacker, attacker);
        vm.expectRevert(); // underflow: no supply shares
        lending.withdraw(params, 1, 0, attacker, attacker); // nothing of its own in the honest market
        vm.stopPrank();
        assertLe(stablecoin.balanceOf(attacker), 1000e6, "loss bounded by the bad market's borrow cap");
        uint256 lenderShares = _supplySharesOf(lender);
        vm.prank(lender);
        (uint256 back,) = lending.withdraw(params, 0, lenderShares, lender, lender);
        assertEq(back, 10_000e6, "the honest market's lenders are whole");
    }
}
