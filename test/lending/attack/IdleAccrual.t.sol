// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingBase} from "../LendingBase.t.sol";

/// @notice Long idle accrual: a market untouched for years at the highest rate the AdaptiveIrm can charge still
/// accrues (no overflow, no stuck market), borrowers pay at least simple interest, and lenders receive exactly what
/// borrowers pay.
contract IdleAccrualAttackTest is LendingBase {
    /// @dev 800% a year: the AdaptiveIrm's ceiling (200% at target x steepness 4).
    uint256 internal constant MAX_RATE = 8e18 / uint256(365 days);

    function test_attack_longIdleAccrual_stillLiveAndBorrowerPaysAtLeastSimpleInterest() public {
        irm.setRate(MAX_RATE);
        _openPosition(10_000e6, SUPPLY, 1000e6);
        _warp(5 * 365 days);
        lending.accrueInterest(params);
        (uint256 supplyAssets,, uint256 borrowAssets,) = _totals();
        uint256 interest = borrowAssets - 1000e6;
        assertGe(interest, 1000e6 * MAX_RATE * 5 * 365 days / 1e18, "at least simple interest (borrower PnL <= 0)");
        assertEq(supplyAssets - 10_000e6, interest, "lenders get exactly the interest");
        assertLe(borrowAssets, supplyAssets, "borrow <= supply");

        uint256 shares = _borrowShares(borrower);
        stablecoin.mint(borrower, borrowAssets);
        vm.prank(borrower);
        lending.repay(params, 0, shares, borrower);
        assertEq(_borrowShares(borrower), 0, "still repayable");
    }
}
