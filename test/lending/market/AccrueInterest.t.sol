// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {WadMathLib} from "../../../src/lending/libraries/WadMathLib.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract AccrueInterestTest is LendingBase {
    function setUp() public override {
        super.setUp();
        _openPosition(10_000e6, 10_000e18, 5000e6);
    }

    function test_accrueInterest_compoundsByTaylor() public {
        _warp(365 days);
        lending.accrueInterest(params);
        uint256 growth = WadMathLib.wTaylorCompounded(RATE_PER_SECOND, 365 days);
        uint256 interest = 5000e6 * growth / 1e18;
        (uint256 supplyAssets,, uint256 borrowAssets,) = _totals();
        assertEq(borrowAssets, 5000e6 + interest, "borrow grows");
        assertEq(supplyAssets, 10_000e6 + interest, "supply grows alike");
        assertApproxEqRel(interest, 5000e6 * 105_170 / 1_000_000, 1e15, "about e^0.1 - 1");
    }

    function test_accrueInterest_feeAsSupplyShares() public {
        vm.prank(lendingOwner);
        lending.setFee(params, 0.2e18);
        _warp(365 days);
        lending.accrueInterest(params);
        (uint256 supplyAssets, uint256 supplyShares,,) = _totals();
        uint256 feeShares = _supplySharesOf(lendingOwner);
        assertGt(feeShares, 0, "fee recipient got shares");
        uint256 feeAssets = feeShares * (supplyAssets + 1) / (supplyShares + 1e6);
        uint256 interest = supplyAssets - 10_000e6;
        assertApproxEqAbs(feeAssets, interest / 5, 2, "a fifth of the interest");
        assertLe(feeAssets, interest / 5, "rounded down");
    }

    function test_accrueInterest_noopSameBlock() public {
        lending.accrueInterest(params);
        (uint256 a,,,) = _totals();
        lending.accrueInterest(params);
        (uint256 b,,,) = _totals();
        assertEq(a, b, "nothing within a block");
    }

    function test_accrueInterest_revertsMarketNotCreated() public {
        params.lltv = 0.1e18;
        vm.expectRevert(ILendingMarket.MarketNotCreated.selector);
        lending.accrueInterest(params);
    }
}
