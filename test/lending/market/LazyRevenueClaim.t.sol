// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket, MarketId, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {MarketIdLib} from "../../../src/lending/libraries/MarketIdLib.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {FlashBorrower} from "./FlashLoan.t.sol";

/// @notice Revenue that repays debt stays at the share (`revenueReceivable`) until the market pays loan tokens out:
/// a withdraw or a borrow claims the share first, so every lender can still withdraw all that is not borrowed and
/// every borrow that liquidity allows is paid, whichever market's liquidity the contract's balance holds.
contract LazyRevenueClaimTest is LendingBase {
    using MarketIdLib for MarketParams;

    /// @dev 10% of the share supply: 10% of the share's revenue.
    uint256 internal constant COLLATERAL = SUPPLY / 10;

    /// @dev A lender supplies 100e6, all of it borrowed; the share then earns the market 200e6 over one period (more
    /// than the debt and its interest).
    function _fullyBorrowedMarketWithRevenue() internal {
        _supply(lender, 100e6);
        _supplyCollateral(borrower, COLLATERAL);
        _borrow(borrower, 100e6);
        _deposit(2000e6);
        _warp(period);
    }

    /// @dev Anyone settles the borrower's revenue; returns the debt it repaid (all of it).
    function _repaidByRevenue() internal returns (uint256 repaid) {
        lending.accrueInterest(params);
        uint256 debtBefore = _debtOf(borrower);
        lending.settleRevenue(params, borrower);
        repaid = debtBefore - _debtOf(borrower);
        assertEq(_borrowShares(borrower), 0, "revenue repaid all the debt");
    }

    function test_revenueRepayingDebt_staysAtTheShare() public {
        _fullyBorrowedMarketWithRevenue();
        uint256 balanceBefore = stablecoin.balanceOf(address(lending));
        uint256 repaid = _repaidByRevenue();
        assertGt(repaid, 99e6, "revenue repaid the debt");
        assertEq(stablecoin.balanceOf(address(lending)), balanceBefore, "no tokens moved");
        assertEq(lending.revenueReceivable(id), repaid, "the repaid revenue is receivable at the share");
        assertGe(share.claimable(address(lending)), repaid, "and waits there");
    }

    function test_withdrawAll_claimsTheRevenueThatRepaidDebt() public {
        _fullyBorrowedMarketWithRevenue();
        _repaidByRevenue();
        assertEq(stablecoin.balanceOf(address(lending)), 0, "every held token was borrowed");
        uint256 supplyShares = _supplySharesOf(lender);
        vm.prank(lender);
        (uint256 out,) = lending.withdraw(params, 0, supplyShares, lender, lender);
        assertGt(out, 100e6, "the lender takes its supply and the interest, paid by revenue");
        assertEq(lending.revenueReceivable(id), 0, "claimed and cleared");
        assertGe(
            stablecoin.balanceOf(address(lending)),
            lending.collateralRevenue(id, borrower),
            "the rest of the revenue, credited to the borrower, is held"
        );
        uint256 credited = lending.collateralRevenue(id, borrower);
        vm.prank(borrower);
        uint256 paid = lending.claimCollateralRevenue(params, borrower, borrower);
        assertEq(paid, credited, "the borrower takes the rest");
        assertEq(stablecoin.balanceOf(borrower), 100e6 + paid, "borrowed + the rest of the revenue");
    }

    function test_borrow_claimsTheRevenueThatRepaidDebt() public {
        _fullyBorrowedMarketWithRevenue();
        uint256 repaid = _repaidByRevenue();
        _supplyCollateral(borrower2, COLLATERAL);
        uint256 assets = repaid - 1e6;
        _borrow(borrower2, assets);
        assertEq(stablecoin.balanceOf(borrower2), assets, "lent out of the revenue that repaid the first borrower");
        assertEq(lending.revenueReceivable(id), 0, "claimed and cleared");
    }

    /// Two markets on two shares, one loan token: market A's liquidity is partly at its share, market B's is all held.
    /// A's lender leaves first, then B's: a check on the contract's balance alone (which holds more than A's lender
    /// takes) would have paid A out of B's tokens and left B short; the per-market receivable makes A claim its own.
    function test_twoShares_eachLenderWithdrawsAll_inEitherOrder() public {
        (, address share2Address) = _registerModel(modelOwner, "second-model", SUPPLY);
        ModelShare share2 = ModelShare(share2Address);
        MarketParams memory paramsB = params;
        paramsB.collateralToken = share2Address;
        lending.createMarket(paramsB);
        MarketId idB = paramsB.id();
        stablecoin.mint(lender2, 1000e6);
        vm.prank(lender2);
        lending.supply(paramsB, 1000e6, 0, lender2);

        _fullyBorrowedMarketWithRevenue();
        uint256 repaid = _repaidByRevenue();
        assertEq(stablecoin.balanceOf(address(lending)), 1000e6, "only B's tokens are held");
        assertEq(lending.revenueReceivable(id), repaid, "A's repaid revenue waits at A's share");
        assertEq(lending.revenueReceivable(idB), 0, "B has none");
        assertEq(share2.claimable(address(lending)), 0, "B's share owes the market nothing");

        uint256 supplySharesA = _supplySharesOf(lender);
        vm.prank(lender);
        (uint256 outA,) = lending.withdraw(params, 0, supplySharesA, lender, lender);
        assertGt(outA, 100e6, "A's lender: supply and interest");
        (uint256 supplySharesB,,) = lending.position(idB, lender2);
        vm.prank(lender2);
        (uint256 outB,) = lending.withdraw(paramsB, 0, supplySharesB, lender2, lender2);
        assertEq(outB, 1000e6, "B's lender: all of it");
    }

    /// The fee recipient's supply shares are paid like any lender's: out of the revenue that repaid the debt.
    function test_feeRecipientWithdrawsAll_thenTheLender() public {
        vm.prank(lendingOwner);
        lending.setFee(params, 0.25e18);
        _fullyBorrowedMarketWithRevenue();
        _repaidByRevenue();
        assertEq(stablecoin.balanceOf(address(lending)), 0, "every held token was borrowed");
        uint256 feeShares = _supplySharesOf(lendingOwner);
        assertGt(feeShares, 0, "the fee was minted as supply shares");
        vm.prank(lendingOwner);
        (uint256 fee,) = lending.withdraw(params, 0, feeShares, lendingOwner, lendingOwner);
        assertGt(fee, 0, "the fee recipient is paid");
        assertEq(lending.revenueReceivable(id), 0, "its withdrawal claimed the share");
        uint256 supplyShares = _supplySharesOf(lender);
        vm.prank(lender);
        (uint256 out,) = lending.withdraw(params, 0, supplyShares, lender, lender);
        assertGt(out, 100e6, "then the lender takes the rest");
    }

    /// A flash loan lends what the contract holds; revenue still at a share is not lent, and stays claimable.
    function test_flashLoan_lendsWhatIsHeld_receivableStaysClaimable() public {
        _supply(lender2, 50e6);
        _fullyBorrowedMarketWithRevenue();
        uint256 repaid = _repaidByRevenue();
        uint256 held = stablecoin.balanceOf(address(lending));
        assertEq(held, 150e6 - 100e6, "lender2's unborrowed supply");
        FlashBorrower flash = new FlashBorrower();
        vm.expectRevert();
        flash.run(lending, address(stablecoin), held + 1);
        flash.run(lending, address(stablecoin), held);
        assertEq(flash.seen(), held, "lent all that is held");
        assertEq(lending.revenueReceivable(id), repaid, "the receivable is untouched");
        uint256 supplyShares = _supplySharesOf(lender);
        vm.prank(lender);
        (uint256 out,) = lending.withdraw(params, 0, supplyShares, lender, lender);
        assertGt(out, held, "a withdrawal larger than the held balance claims the receivable");
    }
}
