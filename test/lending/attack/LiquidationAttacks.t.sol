// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingBase} from "../LendingBase.t.sol";

/// @notice Liquidation dust (many tiny liquidations) and self-liquidation: neither earns more than one honest
/// liquidation, and rounding always favours the market.
contract LiquidationAttacksTest is LendingBase {
    function setUp() public override {
        super.setUp();
        _openPosition(10_000e6, 1000e18, 800e6);
        oracle.setPrice(0.9e24);
        stablecoin.mint(attacker, 10_000e6);
    }

    /// Value seized minus paid, in loan units at the oracle price, for `n` liquidations of `seized` each.
    function _dustRun(uint256 n, uint256 seized) internal returns (int256 pnl) {
        uint256 before = stablecoin.balanceOf(attacker);
        vm.startPrank(attacker);
        for (uint256 i; i < n; ++i) {
            lending.liquidate(params, borrower, seized, 0, "");
        }
        vm.stopPrank();
        uint256 paid = before - stablecoin.balanceOf(attacker);
        pnl = int256(_value(n * seized, 0.9e24)) - int256(paid);
    }

    function test_attack_liquidationDust_noBetterThanOneLiquidation() public {
        uint256 snapshot = vm.snapshotState();
        int256 once = _dustRun(1, 1e12 * 200);
        vm.revertToState(snapshot);
        int256 dust = _dustRun(200, 1e12);
        emit log_named_int("one liquidation PnL", once);
        emit log_named_int("200 dust liquidations PnL", dust);
        assertLe(dust, once, "dust earns no more than one liquidation of the same size");
    }

    function test_attack_liquidationDust_singleUnit_paysAtLeastOne() public {
        int256 pnl = _dustRun(50, 1);
        assertLe(pnl, 0, "seizing one unit of collateral costs at least one loan unit");
    }

    function test_attack_selfLiquidation_pnlNonPositive() public {
        // the borrower liquidates itself: its wealth (tokens + shares + collateral - debt, at the oracle price) falls
        stablecoin.mint(borrower, 1000e6);
        uint256 wealthBefore = stablecoin.balanceOf(borrower) + _value(share.balanceOf(borrower), 0.9e24)
            + _value(_collateralOf(borrower), 0.9e24) - _debtOf(borrower);
        vm.startPrank(borrower);
        for (uint256 i; i < 5; ++i) {
            lending.liquidate(params, borrower, 50e18, 0, "");
        }
        vm.stopPrank();
        uint256 wealthAfter = stablecoin.balanceOf(borrower) + _value(share.balanceOf(borrower), 0.9e24)
            + _value(_collateralOf(borrower), 0.9e24) - _debtOf(borrower);
        emit log_named_int("self-liquidation PnL", int256(wealthAfter) - int256(wealthBefore));
        assertLe(wealthAfter, wealthBefore + 5, "no gain beyond rounding of the value views");
    }
}
