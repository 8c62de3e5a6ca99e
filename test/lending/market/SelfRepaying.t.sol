// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket, MarketId, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {MarketIdLib} from "../../../src/lending/libraries/MarketIdLib.sol";
import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {LendingBase} from "../LendingBase.t.sol";

/// @notice Revenue of posted shares: repays debt first (loan token = revenue token), the rest is claimable.
contract SelfRepayingTest is LendingBase {
    using MarketIdLib for MarketParams;

    /// @dev 10% of the share supply.
    uint256 internal constant COLLATERAL = SUPPLY / 10;

    function setUp() public override {
        super.setUp();
        _supply(lender, 100_000e6);
        _supplyCollateral(borrower, COLLATERAL);
        _borrow(borrower, 50e6);
    }

    function test_settleRevenue_repaysDebtThenClaimable() public {
        _deposit(1000e6);
        _warp(period);
        vm.prank(carol); // anyone
        lending.settleRevenue(params, borrower);
        uint256 harvested = lending.revenueHarvested(address(share));
        assertApproxEqAbs(harvested, 100e6, 1, "10% of the revenue reached the market");
        assertEq(_borrowShares(borrower), 0, "the debt is repaid by revenue");
        uint256 rest = lending.collateralRevenue(id, borrower);
        assertGt(rest, 49e6, "the rest is credited");
        assertLe(rest + 50e6, harvested, "credited <= harvested (the debt took its part)");

        vm.prank(borrower);
        uint256 paid = lending.claimCollateralRevenue(params, borrower, borrower);
        assertEq(paid, rest, "claimed");
        assertEq(stablecoin.balanceOf(borrower), 50e6 + rest, "borrowed + revenue");
        assertEq(lending.collateralRevenue(id, borrower), 0, "nothing left");
    }

    function test_settleRevenue_partialRepaymentLowersDebt() public {
        _deposit(100e6); // 10e6 to the market over the period
        _warp(period / 2);
        uint256 debtBefore = _debtOf(borrower);
        lending.settleRevenue(params, borrower);
        lending.accrueInterest(params);
        uint256 debtAfter = _debtOf(borrower);
        assertLt(debtAfter + 4e6, debtBefore, "about half of 10e6 repaid");
        assertEq(lending.collateralRevenue(id, borrower), 0, "all of it went to the debt");
    }

    function test_claimCollateralRevenue_onlyClaimableInAnotherLoanToken() public {
        MockStablecoin other = new MockStablecoin();
        MarketParams memory p = params;
        p.loanToken = address(other);
        lending.createMarket(p);
        MarketId otherId = p.id();
        other.mint(lender, 100_000e6);
        vm.startPrank(lender);
        other.approve(address(lending), type(uint256).max);
        lending.supply(p, 100_000e6, 0, lender);
        vm.stopPrank();
        _transferShares(modelOwner, borrower2, COLLATERAL);
        vm.startPrank(borrower2);
        lending.supplyCollateral(p, COLLATERAL, borrower2);
        lending.borrow(p, 50e6, 0, borrower2, borrower2);
        vm.stopPrank();

        _deposit(1000e6);
        _warp(period);
        lending.settleRevenue(p, borrower2);
        (, uint128 borrowShares,) = lending.position(otherId, borrower2);
        assertEq(borrowShares, 50e6 * 1e6, "revenue in another token does not touch the debt");
        vm.prank(borrower2);
        uint256 paid = lending.claimCollateralRevenue(p, borrower2, borrower2);
        assertApproxEqAbs(paid, 100e6, 2, "half of the market's revenue (equal collateral)");
    }

    function test_revenue_splitByCollateralAcrossMarkets() public {
        vm.prank(lendingOwner);
        lending.enableLltv(0.5e18);
        MarketParams memory p = params;
        p.lltv = 0.5e18;
        lending.createMarket(p);
        _transferShares(modelOwner, borrower2, 3 * COLLATERAL);
        vm.prank(borrower2);
        lending.supplyCollateral(p, 3 * COLLATERAL, borrower2);

        _deposit(1000e6);
        _warp(period);
        vm.prank(borrower2);
        uint256 paid2 = lending.claimCollateralRevenue(p, borrower2, borrower2);
        assertApproxEqAbs(paid2, 300e6, 2, "30% of the supply earns 30% of the revenue");
        uint256 credited = lending.collateralRevenue(id, borrower);
        lending.settleRevenue(params, borrower);
        assertEq(_borrowShares(borrower), 0, "the other market's borrower repaid from its 10%");
        assertLe(credited, 100e6, "nothing taken from the other market");
    }

    function test_revenue_sandwichEarnsOnlyItsTimeSlice() public {
        // attacker posts collateral in the deposit's block and leaves one block later
        _transferShares(modelOwner, attacker, 4 * COLLATERAL);
        vm.prank(attacker);
        lending.supplyCollateral(params, 4 * COLLATERAL, attacker);
        _deposit(1000e6);
        _warp(BLOCK_TIME);
        vm.startPrank(attacker);
        lending.withdrawCollateral(params, 4 * COLLATERAL, attacker, attacker);
        uint256 gained = lending.claimCollateralRevenue(params, attacker, attacker);
        vm.stopPrank();
        uint256 slice = 1000e6 * 4 / 10 * BLOCK_TIME / period;
        assertLe(gained, slice + 1, "one block of the stream, pro rata: what any holder earns for that block");
        assertEq(share.balanceOf(attacker), 4 * COLLATERAL, "shares back");
    }

    function test_revenue_keptByBorrowerAfterFullLiquidation() public {
        _deposit(1000e6);
        _warp(period / 10); // ~10e6 credited, repays part of the 50e6 debt
        oracle.setPrice(1); // share worthless
        stablecoin.mint(liquidator, 100e6);
        vm.prank(liquidator);
        lending.liquidate(params, borrower, COLLATERAL, 0, "");
        assertEq(_collateralOf(borrower), 0, "all seized");
        assertEq(_borrowShares(borrower), 0, "bad debt realized");
        _warp(period);
        assertEq(lending.collateralRevenue(id, borrower), 0, "no collateral, no more revenue");
    }

    /// The rule for lenders and bad debt (kept from Morpho Blue, see README): a loss is shared by the suppliers
    /// present when it is realized. A lender who withdraws before escapes it, as far as idle liquidity allows; the
    /// loss is not increased by that, only borne by fewer.
    function test_badDebt_lenderWithdrawingFirstEscapes_lossEqualsBadDebt() public {
        uint256 borrowShares = _borrowShares(borrower);
        vm.prank(borrower);
        lending.repay(params, 0, borrowShares, borrower); // a fresh scenario below
        uint256 supplyShares = _supplySharesOf(lender);
        vm.prank(lender);
        lending.withdraw(params, 0, supplyShares, lender, lender);
        _supply(lender, 1000e6);
        _supply(lender2, 1000e6);
        _supplyCollateral(borrower2, 1000e18);
        _borrow(borrower2, 800e6);

        oracle.setPrice(0.5e24); // collateral $500 against $800
        supplyShares = _supplySharesOf(lender);
        vm.prank(lender);
        lending.withdraw(params, 0, supplyShares, lender, lender);

        stablecoin.mint(liquidator, 1000e6);
        vm.prank(liquidator);
        (, uint256 repaid) = lending.liquidate(params, borrower2, 1000e18, 0, "");
        uint256 badDebt = 800e6 - repaid;
        (uint256 supplyAssets,,,) = _totals();
        assertEq(supplyAssets, 1000e6 - badDebt, "the remaining lender bears the whole bad debt");
        assertGe(stablecoin.balanceOf(lender), 2000e6 + 100_000e6 - 1000e6, "the early lender left whole");
        supplyShares = _supplySharesOf(lender2);
        vm.prank(lender2);
        (uint256 out,) = lending.withdraw(params, 0, supplyShares, lender2, lender2);
        assertApproxEqAbs(out, 1000e6 - badDebt, 1, "lender2's loss is exactly the bad debt");
    }
}
