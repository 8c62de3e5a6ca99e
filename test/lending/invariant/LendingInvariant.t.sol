// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SharesLib} from "../../../src/lending/libraries/SharesLib.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {LendingHandler} from "./LendingHandler.sol";

/// @notice Morpho Blue's invariants and ours over one self-repaying market driven by LendingHandler.
contract LendingInvariantTest is LendingBase {
    LendingHandler internal handler;
    address[] internal actors;

    function setUp() public override {
        super.setUp();
        actors = [lender, lender2, borrower, borrower2];
        for (uint256 i; i < actors.length; ++i) {
            _transferShares(modelOwner, actors[i], SUPPLY / 20);
        }
        handler = new LendingHandler(lending, stablecoin, share, oracle, params, actors, payer, liquidator);
        vm.prank(liquidator);
        stablecoin.approve(address(lending), type(uint256).max);
        vm.prank(lendingOwner);
        lending.setFee(params, 0.1e18);
        targetContract(address(handler));
    }

    function invariant_supplySharesSumToTotal() public view {
        uint256 sum = _supplySharesOf(lendingOwner);
        for (uint256 i; i < actors.length; ++i) {
            sum += _supplySharesOf(actors[i]);
        }
        (, uint256 supplyShares,,) = _totals();
        assertEq(sum, supplyShares, "supply shares sum to the total");
    }

    function invariant_borrowSharesSumToTotal() public view {
        uint256 sum;
        for (uint256 i; i < actors.length; ++i) {
            sum += _borrowShares(actors[i]);
        }
        (,,, uint256 borrowShares) = _totals();
        assertEq(sum, borrowShares, "borrow shares sum to the total");
    }

    function invariant_totalBorrowLeTotalSupply() public view {
        (uint256 supplyAssets,, uint256 borrowAssets,) = _totals();
        assertLe(borrowAssets, supplyAssets, "total borrow <= total supply");
    }

    /// The market's liquidity is in its own balance except the revenue that repaid debt since the market last claimed
    /// its share (`revenueReceivable`, claimed before the next withdraw or borrow pays out); that revenue and credited
    /// revenue not yet paid are in its balance or still waiting at the share (claimed lazily).
    function invariant_loanBalanceCoversLiquidityAndCreditedRevenue() public view {
        (uint256 supplyAssets,, uint256 borrowAssets,) = _totals();
        uint256 owed;
        for (uint256 i; i < actors.length; ++i) {
            owed += lending.collateralRevenue(id, actors[i]);
        }
        uint256 balance = stablecoin.balanceOf(address(lending));
        assertGe(
            balance + lending.revenueReceivable(id),
            supplyAssets - borrowAssets,
            "loan balance + revenue that repaid debt, still at the share >= supply - borrow"
        );
        assertGe(
            balance + share.claimable(address(lending)),
            supplyAssets - borrowAssets + owed,
            "loan balance + revenue waiting at the share >= supply - borrow + credited revenue"
        );
    }

    function invariant_shareBalanceCoversCollateral() public view {
        uint256 sum;
        for (uint256 i; i < actors.length; ++i) {
            sum += _collateralOf(actors[i]);
        }
        assertGe(share.balanceOf(address(lending)), sum, "share balance >= collateral");
    }

    function invariant_noBorrowSharesWithoutCollateral() public view {
        for (uint256 i; i < actors.length; ++i) {
            if (_collateralOf(actors[i]) == 0) assertEq(_borrowShares(actors[i]), 0, "debt without collateral");
        }
    }

    function invariant_healthyAfterOwnCall() public view {
        assertFalse(handler.ghostUnhealthyAfterOwnCall(), "a borrower's own call left it unhealthy");
    }

    function invariant_collateralMovesOnlyWithAuthorization() public view {
        assertFalse(handler.ghostUnauthorizedMove(), "a manager moved collateral without authorization");
    }

    function invariant_revenueCreditedLeReceived() public view {
        uint256 credited = handler.ghostRevenueRepaid() + handler.ghostRevenueClaimed();
        for (uint256 i; i < actors.length; ++i) {
            credited += lending.collateralRevenue(id, actors[i]);
        }
        assertLe(credited, lending.revenueHarvested(address(share)), "revenue credited <= revenue received");
    }

    function invariant_collateralLostOnlyByLiquidation() public view {
        for (uint256 i; i < actors.length; ++i) {
            assertEq(_collateralOf(actors[i]), handler.ghostCollateral(actors[i]), "collateral as the ghost says");
        }
    }

    /// Liveness: every borrower can repay all and then take all its collateral back; every lender can withdraw all
    /// that is not borrowed. Tried on a snapshot, then rolled back.
    function invariant_liveness() public {
        uint256 snapshot = vm.snapshotState();
        for (uint256 i; i < actors.length; ++i) {
            address actor = actors[i];
            uint256 borrowShares = _borrowShares(actor);
            if (borrowShares != 0) {
                stablecoin.mint(actor, 2 * _debtOf(actor) + 1);
                vm.prank(actor);
                (bool repaid,) = address(lending).call(abi.encodeCall(lending.repay, (params, 0, borrowShares, actor)));
                assertTrue(repaid, "a borrower can repay all");
            }
            uint256 collateral = _collateralOf(actor);
            if (collateral != 0) {
                vm.prank(actor);
                (bool withdrawn,) = address(lending)
                    .call(abi.encodeCall(lending.withdrawCollateral, (params, collateral, actor, actor)));
                assertTrue(withdrawn, "a debt-free position's collateral can be withdrawn");
            }
        }
        for (uint256 i; i < actors.length; ++i) {
            address actor = actors[i];
            uint256 supplyShares = _supplySharesOf(actor);
            if (supplyShares == 0) continue;
            vm.prank(actor);
            (bool withdrawn,) =
                address(lending).call(abi.encodeCall(lending.withdraw, (params, 0, supplyShares, actor, actor)));
            assertTrue(withdrawn, "with no debt left, a lender can withdraw all");
        }
        vm.revertToState(snapshot);
    }

    function invariant_callSummary() public view {
        // Keeps the counters readable in traces; asserts the handler is the only target.
        assertEq(handler.actorCount(), actors.length, "actors");
    }
}
