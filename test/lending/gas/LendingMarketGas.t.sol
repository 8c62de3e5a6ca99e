// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GasTest} from "../../utils/GasTest.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {IMorphoBlue, MorphoBlueDeployer} from "../utils/MorphoBlueDeployer.sol";

/// @notice Same-harness gas of LendingMarket and Morpho Blue (built from its npm package by
/// tools/build-morpho-blue.mjs, deployed here from out/morpho-blue/Morpho.json) on identical scenarios: the same
/// ModelShare collateral with a revenue stream running, the same stablecoin, fixed-price oracle and fixed-rate IRM
/// contracts, the same amounts, one block (12 s) after the setup, in steady state (each market has held shares for an
/// hour, so revenue has accrued to it at the share). Every scenario runs in its own test, so neither
/// protocol pays for state the other warmed. Full transaction gas under `--isolate` (npm run test:gas / snapshot).
contract LendingMarketGasTest is LendingBase, GasTest, MorphoBlueDeployer {
    string internal constant GROUP = "LendingMarket";

    IMorphoBlue internal morpho;

    function setUp() public override {
        super.setUp();
        address deployed = _deployMorphoBlue(lendingOwner);
        morpho = IMorphoBlue(deployed);
        vm.startPrank(lendingOwner);
        morpho.enableIrm(address(irm));
        morpho.enableLltv(LLTV);
        vm.stopPrank();
        morpho.createMarket(params);

        address[4] memory users = [lender, borrower, borrower2, liquidator];
        for (uint256 i; i < users.length; ++i) {
            vm.startPrank(users[i]);
            stablecoin.approve(deployed, type(uint256).max);
            share.approve(deployed, type(uint256).max);
            vm.stopPrank();
        }

        // A revenue stream is running, as for any model that serves inference.
        _deposit(10_000e6);
        _transferShares(modelOwner, borrower, 2000e18);
        _transferShares(modelOwner, borrower2, 40e18);
        stablecoin.mint(borrower, 10_000e6);
        stablecoin.mint(liquidator, 10_000e6);
        for (uint256 i; i < 2; ++i) {
            bool onMorpho = i == 1;
            _supplyOn(onMorpho, lender, 100_000e6);
            // Each market already holds shares (another borrower), so neither is a first-time holder.
            _supplyCollateralOn(onMorpho, borrower2, 10e18);
        }
        // Steady state: revenue has accrued to both markets at the share since they first held it.
        _warp(1 hours);
        for (uint256 i; i < 2; ++i) {
            _supplyCollateralOn(i == 1, borrower2, 10e18);
        }
        _warp(BLOCK_TIME);
    }

    /* SCENARIOS */

    function test_gas_supplyCollateral() public {
        _scenarioSupplyCollateral(false);
    }

    function test_gas_morphoBlue_supplyCollateral() public {
        _scenarioSupplyCollateral(true);
    }

    function test_gas_borrow() public {
        _scenarioBorrow(false);
    }

    function test_gas_morphoBlue_borrow() public {
        _scenarioBorrow(true);
    }

    function test_gas_repay() public {
        _scenarioRepay(false);
    }

    function test_gas_morphoBlue_repay() public {
        _scenarioRepay(true);
    }

    function test_gas_liquidate_partial() public {
        _scenarioLiquidate(false, 0.9e24, 100e18, "liquidate_partial");
    }

    function test_gas_morphoBlue_liquidate_partial() public {
        _scenarioLiquidate(true, 0.9e24, 100e18, "liquidate_partial");
    }

    function test_gas_liquidate_badDebt() public {
        _scenarioLiquidate(false, 0.5e24, 1000e18, "liquidate_badDebt");
    }

    function test_gas_morphoBlue_liquidate_badDebt() public {
        _scenarioLiquidate(true, 0.5e24, 1000e18, "liquidate_badDebt");
    }

    function test_gas_supply() public {
        _scenarioSupply(false);
    }

    function test_gas_morphoBlue_supply() public {
        _scenarioSupply(true);
    }

    function test_gas_withdraw() public {
        _scenarioWithdraw(false);
    }

    function test_gas_morphoBlue_withdraw() public {
        _scenarioWithdraw(true);
    }

    function test_gas_withdrawCollateral() public {
        _scenarioWithdrawCollateral(false);
    }

    function test_gas_morphoBlue_withdrawCollateral() public {
        _scenarioWithdrawCollateral(true);
    }

    /// Ours only: a borrower's credited revenue repays part of its debt (anyone may call it).
    function test_gas_settleRevenue() public {
        _supplyCollateralOn(false, borrower, 1000e18);
        _borrowOn(false, borrower, 500e6);
        _warp(1 hours);
        lending.settleRevenue(params, borrower);
        _record(false, "settleRevenue");
        assertLt(_debtOf(borrower), 500e6, "revenue repaid part of the debt");
    }

    /// Ours only: a debt-free borrower takes its credited revenue.
    function test_gas_claimCollateralRevenue() public {
        _supplyCollateralOn(false, borrower, 1000e18);
        _warp(1 hours);
        vm.prank(borrower);
        uint256 paid = lending.claimCollateralRevenue(params, borrower, borrower);
        _record(false, "claimCollateralRevenue");
        assertGt(paid, 0, "revenue paid");
    }

    function _scenarioSupply(bool onMorpho) internal {
        stablecoin.mint(lender2, 1000e6);
        vm.startPrank(lender2);
        stablecoin.approve(onMorpho ? address(morpho) : address(lending), type(uint256).max);
        vm.stopPrank();
        _warp(BLOCK_TIME);
        vm.prank(lender2);
        if (onMorpho) morpho.supply(params, 1000e6, 0, lender2, "");
        else lending.supply(params, 1000e6, 0, lender2);
        _record(onMorpho, "supply");
        assertEq(stablecoin.balanceOf(lender2), 0, "supplied");
    }

    function _scenarioWithdraw(bool onMorpho) internal {
        _supplyCollateralOn(onMorpho, borrower, 1000e18);
        _borrowOn(onMorpho, borrower, 500e6);
        _warp(BLOCK_TIME);
        vm.prank(lender);
        if (onMorpho) morpho.withdraw(params, 1000e6, 0, lender, lender);
        else lending.withdraw(params, 1000e6, 0, lender, lender);
        _record(onMorpho, "withdraw");
        assertEq(stablecoin.balanceOf(lender), 1000e6, "withdrawn");
    }

    function _scenarioWithdrawCollateral(bool onMorpho) internal {
        _supplyCollateralOn(onMorpho, borrower, 1000e18);
        _borrowOn(onMorpho, borrower, 500e6);
        _warp(BLOCK_TIME);
        vm.prank(borrower);
        if (onMorpho) morpho.withdrawCollateral(params, 100e18, borrower, borrower);
        else lending.withdrawCollateral(params, 100e18, borrower, borrower);
        _record(onMorpho, "withdrawCollateral");
        assertEq(_collateralOn(onMorpho, borrower), 900e18, "withdrawn");
    }

    function _scenarioSupplyCollateral(bool onMorpho) internal {
        _supplyCollateralOn(onMorpho, borrower, 1000e18);
        _record(onMorpho, "supplyCollateral");
        assertEq(_collateralOn(onMorpho, borrower), 1000e18, "collateral posted");
    }

    function _scenarioBorrow(bool onMorpho) internal {
        _supplyCollateralOn(onMorpho, borrower, 1000e18);
        _warp(BLOCK_TIME);
        _borrowOn(onMorpho, borrower, 500e6);
        _record(onMorpho, "borrow");
        assertEq(stablecoin.balanceOf(borrower), 10_500e6, "borrowed");
    }

    function _scenarioRepay(bool onMorpho) internal {
        _supplyCollateralOn(onMorpho, borrower, 1000e18);
        _borrowOn(onMorpho, borrower, 500e6);
        _warp(BLOCK_TIME);
        vm.prank(borrower);
        if (onMorpho) morpho.repay(params, 250e6, 0, borrower, "");
        else lending.repay(params, 250e6, 0, borrower);
        _record(onMorpho, "repay");
        assertEq(stablecoin.balanceOf(borrower), 10_250e6, "repaid");
    }

    function _scenarioLiquidate(bool onMorpho, uint256 price, uint256 seized, string memory key) internal {
        _supplyCollateralOn(onMorpho, borrower, 1000e18);
        _borrowOn(onMorpho, borrower, 800e6);
        oracle.setPrice(price);
        _warp(BLOCK_TIME);
        vm.prank(liquidator);
        if (onMorpho) morpho.liquidate(params, borrower, seized, 0, "");
        else lending.liquidate(params, borrower, seized, 0, "");
        _record(onMorpho, key);
        assertEq(share.balanceOf(liquidator), seized, "collateral seized");
        assertEq(_collateralOn(onMorpho, borrower), 1000e18 - seized, "collateral left");
    }

    /* HELPERS */

    function _record(bool onMorpho, string memory key) internal {
        uint256 gasUsed = _snapshotLastCallGas(GROUP, onMorpho ? string.concat("morphoBlue_", key) : key);
        assertGt(gasUsed, 21_000, "a whole transaction measured");
    }

    function _supplyOn(bool onMorpho, address who, uint256 assets) internal {
        stablecoin.mint(who, assets);
        vm.prank(who);
        if (onMorpho) morpho.supply(params, assets, 0, who, "");
        else lending.supply(params, assets, 0, who);
    }

    function _supplyCollateralOn(bool onMorpho, address who, uint256 assets) internal {
        vm.prank(who);
        if (onMorpho) morpho.supplyCollateral(params, assets, who, "");
        else lending.supplyCollateral(params, assets, who);
    }

    function _borrowOn(bool onMorpho, address who, uint256 assets) internal {
        vm.prank(who);
        if (onMorpho) morpho.borrow(params, assets, 0, who, who);
        else lending.borrow(params, assets, 0, who, who);
    }

    function _collateralOn(bool onMorpho, address who) internal view returns (uint256 collateral) {
        if (onMorpho) (,, collateral) = morpho.position(keccak256(abi.encode(params)), who);
        else collateral = _collateralOf(who);
    }
}
