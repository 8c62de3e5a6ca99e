// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingMarket} from "../../src/lending/LendingMarket.sol";
import {MarketParams} from "../../src/lending/interfaces/ILendingMarket.sol";
import {MarketIdLib} from "../../src/lending/libraries/MarketIdLib.sol";
import {FlashLiquidator} from "../../src/periphery/FlashLiquidator.sol";
import {IFlashLiquidator} from "../../src/periphery/interfaces/IFlashLiquidator.sol";
import {AmmBase} from "../amm/utils/AmmBase.sol";
import {FixedRateIrm} from "../lending/mocks/FixedRateIrm.sol";
import {MockOracle} from "../lending/mocks/MockOracle.sol";

/// @notice FlashLiquidator on a real LendingMarket and CognitionPool: a keeper with no capital liquidates, the seized
/// shares are sold in the pool inside the liquidation, and only a sale that covers the repayment goes through.
contract FlashLiquidatorTest is AmmBase {
    using MarketIdLib for MarketParams;

    uint256 internal constant LLTV = 0.8e18;
    /// @dev One loan unit per collateral unit, 1e36-scaled: the pool's starting price.
    uint256 internal constant PRICE_AT_POOL = 1e36;
    uint256 internal constant COLLATERAL = 1e21;
    uint256 internal constant BORROWED = 7.5e20;

    LendingMarket internal lending;
    MockOracle internal oracle;
    FlashLiquidator internal liquidator;
    MarketParams internal params;
    address internal lendingOwner = makeAddr("lendingOwner");
    address internal lender = makeAddr("lender");
    address internal borrower = makeAddr("borrower");
    address internal keeper = makeAddr("keeper");

    function setUp() public override {
        super.setUp();
        lp.mint(-60_000, 60_000, 1e24);
        lending = new LendingMarket(lendingOwner);
        oracle = new MockOracle(PRICE_AT_POOL);
        FixedRateIrm irm = new FixedRateIrm(0);
        vm.startPrank(lendingOwner);
        lending.enableIrm(address(irm));
        lending.enableLltv(LLTV);
        vm.stopPrank();
        params = MarketParams({
            loanToken: address(stable),
            collateralToken: address(share),
            oracle: address(oracle),
            irm: address(irm),
            lltv: LLTV
        });
        lending.createMarket(params);
        liquidator = new FlashLiquidator(address(lending), address(factory));

        stable.mint(lender, 1e24);
        vm.startPrank(lender);
        stable.approve(address(lending), type(uint256).max);
        lending.supply(params, 1e24, 0, lender);
        vm.stopPrank();
        share.transfer(borrower, COLLATERAL);
        vm.startPrank(borrower);
        share.approve(address(lending), type(uint256).max);
        lending.supplyCollateral(params, COLLATERAL, borrower);
        lending.borrow(params, BORROWED, 0, borrower, borrower);
        vm.stopPrank();
    }

    function _borrowShares() internal view returns (uint256 shares) {
        (, shares,) = lending.position(params.id(), borrower);
    }

    function _collateral() internal view returns (uint256 collateral) {
        (,, collateral) = lending.position(params.id(), borrower);
    }

    function test_liquidate_withNoCapital_paysTheProfitToTheReceiver() public {
        // The oracle (a TWAP, say) has fallen to 0.9 while the pool still buys at ~1: the position is unhealthy.
        oracle.setPrice(0.9e36);
        uint256 sharesBefore = _borrowShares();
        uint256 halfDebtShares = sharesBefore / 2;

        vm.prank(keeper);
        (uint256 seized, uint256 repaid, uint256 profit) =
            liquidator.liquidate(params, borrower, 0, halfDebtShares, 3000, 0, keeper);

        assertEq(_borrowShares(), sharesBefore - halfDebtShares, "half the borrow shares burned");
        assertGt(profit, 0, "a profit");
        assertEq(stable.balanceOf(keeper), profit, "profit to the receiver");
        assertEq(_collateral(), COLLATERAL - seized, "collateral seized");
        assertApproxEqAbs(repaid, BORROWED / 2, 1, "half the debt repaid");
        assertEq(stable.balanceOf(address(liquidator)), 0, "no loan token left behind");
        assertEq(share.balanceOf(address(liquidator)), 0, "no share left behind");
    }

    function test_liquidate_badDebt_realizedWithEveryShareSold() public {
        // A crash below the debt: seizing all collateral realizes the rest of the debt as bad debt.
        oracle.setPrice(0.5e36);
        (uint128 supplyBefore,,,,,) = lending.market(params.id());

        vm.prank(keeper);
        (uint256 seized, uint256 repaid, uint256 profit) =
            liquidator.liquidate(params, borrower, COLLATERAL, 0, 3000, 0, keeper);

        (uint128 supplyAfter,,,,,) = lending.market(params.id());
        assertEq(seized, COLLATERAL, "every share seized");
        assertEq(_collateral(), 0, "no collateral left");
        assertEq(_borrowShares(), 0, "the rest of the debt realized");
        assertEq(supplyBefore - supplyAfter, BORROWED - repaid, "bad debt taken from the supply");
        assertEq(stable.balanceOf(keeper), profit, "the sale beyond the repayment is the keeper's");
    }

    function test_liquidate_revertsWhenTheSaleDoesNotCoverTheRepayment() public {
        oracle.setPrice(0.9e36);
        // The pool's price has crashed further than the oracle's: the seized shares sell for less than the repayment.
        trader.swap(
            address(share) < address(stable), int256(5e23), address(share) < address(stable) ? _minLimit() : _maxLimit()
        );
        uint256 sharesBefore = _borrowShares();

        vm.prank(keeper);
        vm.expectPartialRevert(IFlashLiquidator.Unprofitable.selector);
        liquidator.liquidate(params, borrower, 0, sharesBefore / 2, 3000, 0, keeper);
        assertEq(_borrowShares(), sharesBefore, "nothing changed");
        assertEq(_collateral(), COLLATERAL, "no collateral moved");
    }

    /// @dev Outsider's view: the pool's LPs leave just before a large liquidation (a second LP draining the pool the
    /// keeper sells into). Selling every seized share then cannot cover the repayment: the liquidation reverts,
    /// nothing moves, and the keeper loses only gas.
    function test_liquidate_drainedPool_revertsAndChangesNothing() public {
        oracle.setPrice(0.5e36);
        lp.burn(-60_000, 60_000, 1e24 - 1e15);
        uint256 sharesBefore = _borrowShares();
        uint256 lenderSupply = stable.balanceOf(address(lending));

        vm.prank(keeper);
        vm.expectPartialRevert(IFlashLiquidator.Unprofitable.selector);
        liquidator.liquidate(params, borrower, COLLATERAL, 0, 3000, 0, keeper);
        assertEq(_borrowShares(), sharesBefore, "debt unchanged");
        assertEq(_collateral(), COLLATERAL, "collateral unchanged");
        assertEq(stable.balanceOf(address(lending)), lenderSupply, "market's cash unchanged");
        assertEq(stable.balanceOf(keeper), 0, "nothing paid to the keeper");
    }

    function test_liquidate_revertsBelowMinProfit() public {
        oracle.setPrice(0.9e36);
        uint256 shares = _borrowShares() / 2;
        vm.prank(keeper);
        vm.expectPartialRevert(IFlashLiquidator.Unprofitable.selector);
        liquidator.liquidate(params, borrower, 0, shares, 3000, 1e24, keeper);
    }

    function test_liquidate_revertsWithoutPool() public {
        oracle.setPrice(0.9e36);
        vm.expectRevert(
            abi.encodeWithSelector(IFlashLiquidator.PoolNotFound.selector, address(share), address(stable), 500)
        );
        liquidator.liquidate(params, borrower, 0, 1, 500, 0, keeper);
    }

    function test_onLendingLiquidate_rejectsCallsOutsideALiquidation() public {
        vm.expectRevert(abi.encodeWithSelector(IFlashLiquidator.UnauthorizedCallback.selector, address(this)));
        liquidator.onLendingLiquidate(1, abi.encode(address(share), address(stable), address(pool)));
        // Even from the market's address, outside a liquidation started here.
        vm.prank(address(lending));
        vm.expectRevert(abi.encodeWithSelector(IFlashLiquidator.UnauthorizedCallback.selector, address(lending)));
        liquidator.onLendingLiquidate(1, abi.encode(address(share), address(stable), address(pool)));
    }

    function test_swapCallback_rejectsAnyoneButThePoolOfTheLiquidation() public {
        share.transfer(address(liquidator), 1e18);
        vm.prank(address(pool));
        vm.expectRevert(abi.encodeWithSelector(IFlashLiquidator.UnauthorizedCallback.selector, address(pool)));
        liquidator.cognitionSwapCallback(1e18, 0, "");
    }
}
