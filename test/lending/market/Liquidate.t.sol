// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILiquidateCallback} from "../../../src/lending/interfaces/ILendingCallbacks.sol";
import {ILendingMarket, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Pays for a liquidation with the collateral it seizes: in the callback it "sells" the shares to a buyer at
/// the oracle price (the test mints it the proceeds) and approves the repayment.
contract FlashLiquidator is ILiquidateCallback {
    ILendingMarket internal immutable lending;
    uint256 public repaidInCallback;

    constructor(ILendingMarket lending_) {
        lending = lending_;
    }

    function liquidate(MarketParams memory params, address borrower, uint256 seized) external {
        lending.liquidate(params, borrower, seized, 0, abi.encode(params.loanToken));
    }

    function onLendingLiquidate(uint256 repaidAssets, bytes calldata data) external {
        require(msg.sender == address(lending), "only the market");
        repaidInCallback = repaidAssets;
        IERC20(abi.decode(data, (address))).approve(msg.sender, repaidAssets);
    }
}

contract LiquidateTest is LendingBase {
    /// @dev 1 / (1 - 0.3 * (1 - 0.8)), WAD, rounded down.
    uint256 internal constant INCENTIVE = uint256(1e36) / (1e18 - 0.3e18 * 0.2e18 / 1e18);

    function setUp() public override {
        super.setUp();
        _openPosition(10_000e6, 1000e18, 800e6);
        stablecoin.mint(liquidator, 10_000e6);
    }

    function test_liquidate_revertsHealthy() public {
        vm.prank(liquidator);
        vm.expectRevert(ILendingMarket.HealthyPosition.selector);
        lending.liquidate(params, borrower, 1e18, 0, "");
    }

    function test_liquidate_bySeizedAssets() public {
        oracle.setPrice(0.9e24);
        vm.prank(liquidator);
        (uint256 seized, uint256 repaid) = lending.liquidate(params, borrower, 100e18, 0, "");
        uint256 quoted = 90e6;
        uint256 expectedRepaid = (quoted * 1e18 + INCENTIVE - 1) / INCENTIVE; // wDivUp; shares round trip at 1:1e6
        assertEq(seized, 100e18, "seized");
        assertApproxEqAbs(repaid, expectedRepaid, 1, "repaid = quoted / incentive");
        assertGe(repaid, expectedRepaid, "rounded up");
        assertEq(share.balanceOf(liquidator), 100e18, "collateral to the liquidator");
        assertEq(_collateralOf(borrower), 900e18, "collateral left");
        assertEq(_debtOf(borrower), 800e6 - repaid, "debt left");
    }

    function test_liquidate_byRepaidShares() public {
        oracle.setPrice(0.9e24);
        uint256 shares = _borrowShares(borrower) / 4;
        vm.prank(liquidator);
        (uint256 seized, uint256 repaid) = lending.liquidate(params, borrower, 0, shares, "");
        assertEq(repaid, 200e6, "a quarter of the debt");
        uint256 expectedSeized = 200e6 * INCENTIVE / 1e18 * 1e36 / 0.9e24;
        assertEq(seized, expectedSeized, "seized = repaid x incentive / price");
    }

    function test_liquidate_realizesBadDebt() public {
        oracle.setPrice(0.5e24);
        (uint256 supplyBefore,,,) = _totals();
        vm.prank(liquidator);
        (, uint256 repaid) = lending.liquidate(params, borrower, 1000e18, 0, "");
        (uint256 supplyAfter,, uint256 borrowAssets, uint256 borrowShares) = _totals();
        assertEq(_borrowShares(borrower), 0, "no borrow shares without collateral");
        assertEq(borrowAssets + borrowShares, 0, "no debt left in the market");
        assertEq(supplyBefore - supplyAfter, 800e6 - repaid, "the rest is taken from the suppliers");
    }

    function test_liquidate_incentiveCappedAtMax() public {
        vm.prank(lendingOwner);
        lending.enableLltv(0.3e18);
        MarketParams memory low = params;
        low.lltv = 0.3e18;
        lending.createMarket(low);
        stablecoin.mint(lender, 1000e6);
        vm.prank(lender);
        lending.supply(low, 1000e6, 0, lender);
        _transferShares(modelOwner, borrower2, 1000e18);
        vm.startPrank(borrower2);
        share.approve(address(lending), 1000e18);
        lending.supplyCollateral(low, 1000e18, borrower2);
        lending.borrow(low, 300e6, 0, borrower2, borrower2);
        vm.stopPrank();
        oracle.setPrice(0.5e24);
        vm.prank(liquidator);
        (uint256 seized,) = lending.liquidate(low, borrower2, 0, 100e6 * 1e6, "");
        assertEq(seized, 100e6 * 1.15e18 / 1e18 * 1e36 / 0.5e24, "incentive capped at 15%");
    }

    function test_liquidate_flashCallback() public {
        FlashLiquidator flash = new FlashLiquidator(lending);
        oracle.setPrice(0.9e24);
        stablecoin.mint(address(flash), 100e6);
        flash.liquidate(params, borrower, 100e18);
        assertEq(share.balanceOf(address(flash)), 100e18, "seized collateral");
        assertGt(flash.repaidInCallback(), 0, "callback told the amount");
        assertEq(stablecoin.balanceOf(address(flash)), 100e6 - flash.repaidInCallback(), "paid after the callback");
    }

    function test_liquidate_revertsZeroPrice() public {
        oracle.setPrice(0);
        vm.prank(liquidator);
        vm.expectRevert(ILendingMarket.ZeroPrice.selector);
        lending.liquidate(params, borrower, 1000e18, 0, "");
    }

    function test_liquidate_revertsInconsistentInput() public {
        vm.prank(liquidator);
        vm.expectRevert(ILendingMarket.InconsistentInput.selector);
        lending.liquidate(params, borrower, 1, 1, "");
    }

    function testFuzz_liquidate_liquidatorGainBoundedByIncentive(uint256 price, uint256 seized) public {
        price = bound(price, 0.1e24, 0.99e24);
        oracle.setPrice(price);
        uint256 maxSeized = 790e6 * 1e36 / price; // keeps the repayment under the debt
        if (maxSeized > 1000e18) maxSeized = 1000e18;
        seized = bound(seized, 1, maxSeized);
        vm.prank(liquidator);
        (, uint256 repaid) = lending.liquidate(params, borrower, seized, 0, "");
        uint256 value = _value(seized, price);
        // The liquidator gets at most the incentive on what it repays (plus rounding of one unit).
        assertLe(value * 1e18, (repaid + 1) * INCENTIVE + 1e18, "value seized <= repaid x incentive");
    }
}
