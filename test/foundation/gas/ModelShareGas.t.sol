// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GasTest} from "../../utils/GasTest.sol";
import {BaseTest} from "../BaseTest.sol";

/// @notice Gas of ModelShare entry points in steady state: a stream is running, the holders involved have
/// accrued revenue before and time has passed since their last touch. Record with
/// `node tools/foundry.mjs forge test --isolate --match-path 'test/foundation/gas/*'` (full transaction costs) into snapshots/.
contract ModelShareGasTest is BaseTest, GasTest {
    /// @dev Target from the foundation issue for a transfer between two existing holders (full transaction).
    uint256 internal constant TRANSFER_TARGET = 65_000;

    function setUp() public override {
        super.setUp();
        _transferShares(modelOwner, alice, 400_000e18);
        _transferShares(modelOwner, bob, 300_000e18);
        _deposit(1000 * USDC);
        _warp(6 hours);
        // Touch both so that each has accrued (non-zero) revenue on record.
        _transferShares(alice, bob, 1e18);
        _transferShares(bob, alice, 1e18);
        // The payer keeps a standing allowance and balance, as an inference ledger would.
        stablecoin.mint(payer, 1_000_000 * USDC);
        vm.prank(payer);
        stablecoin.approve(address(share), type(uint256).max);
        vm.prank(payer);
        share.depositRevenue(1000 * USDC);
        _warp(1 hours);
    }

    function test_gas_transfer_existingHolders() public {
        assertGt(share.claimable(alice), 0, "sender has accrued revenue");
        assertGt(share.claimable(bob), 0, "receiver has accrued revenue");
        vm.prank(alice);
        share.transfer(bob, 1000e18);
        uint256 gasUsed = _snapshotLastCallGas("ModelShare", "transfer_existingHolders");
        assertLe(gasUsed, TRANSFER_TARGET, "transfer between existing holders within the target");
        assertEq(share.balanceOf(bob), 301_000e18, "transferred");
    }

    function test_gas_claim() public {
        // A holder who has claimed before (holds stablecoin) claims again after time has passed.
        _claim(alice);
        _warp(1 hours);
        vm.prank(alice);
        uint256 paid = share.claim(alice);
        uint256 gasUsed = _snapshotLastCallGas("ModelShare", "claim");
        assertGt(gasUsed, 0, "gas measured");
        assertGt(paid, 0, "claim paid");
    }

    function test_gas_depositRevenue() public {
        vm.prank(payer);
        share.depositRevenue(250 * USDC);
        uint256 gasUsed = _snapshotLastCallGas("ModelShare", "depositRevenue");
        assertGt(gasUsed, 0, "gas measured");
        assertEq(share.depositedRevenue(), 2250 * USDC, "deposited");
    }
}
