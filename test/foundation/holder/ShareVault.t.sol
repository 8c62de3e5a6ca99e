// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BaseTest} from "../BaseTest.sol";
import {ShareVault} from "../mocks/ShareVault.sol";

/// @notice A contract holding shares for two users claims for itself and passes the revenue on pro rata; once
/// the users have left and withdrawn, nothing is stranded in it (beyond its documented rounding dust).
contract ShareVaultTest is BaseTest {
    ShareVault internal vault;

    function setUp() public override {
        super.setUp();
        vault = new ShareVault(share);
        vm.label(address(vault), "vault");
        _transferShares(modelOwner, alice, 100_000e18);
        _transferShares(modelOwner, bob, 300_000e18);
        _transferShares(modelOwner, carol, 400_000e18);
    }

    function _vaultDeposit(address user, uint256 amount) internal {
        vm.startPrank(user);
        share.approve(address(vault), amount);
        vault.deposit(amount);
        vm.stopPrank();
    }

    function _vaultWithdraw(address user, uint256 amount) internal {
        vm.prank(user);
        vault.withdraw(amount);
    }

    function _vaultRevenue(address user) internal returns (uint256) {
        vm.prank(user);
        return vault.withdrawRevenue(user);
    }

    function test_holderContract_passesRevenueOnProRata() public {
        _vaultDeposit(alice, 100_000e18);
        _vaultDeposit(bob, 300_000e18);
        assertEq(share.balanceOf(address(vault)), 400_000e18, "vault holds 40% for its users");

        // Stream 1: the vault (40%) earns 400 of 1,000, split 1:3; carol holding directly earns the same 400.
        _deposit(1000 * USDC);
        _warp(period);
        assertEq(share.claimable(address(vault)), 400 * USDC, "vault accrued like any holder");
        vault.harvest();
        _assertCreditedDown(vault.revenueOf(alice), 100 * USDC, "alice's quarter of the vault's revenue");
        _assertCreditedDown(vault.revenueOf(bob), 300 * USDC, "bob's three quarters");
        assertEq(share.claimable(carol), 400 * USDC, "a direct holder of the same size earns the same");

        // Alice leaves the vault; stream 2 pays the vault's 30% to bob alone and alice's 10% directly to her.
        _vaultWithdraw(alice, 100_000e18);
        _deposit(2000 * USDC);
        _warp(period);
        _vaultWithdraw(bob, 300_000e18);

        _assertCreditedDown(_vaultRevenue(alice), 100 * USDC, "alice's vault revenue");
        assertEq(_claim(alice), 200 * USDC, "alice's direct revenue after leaving");
        _assertCreditedDown(_vaultRevenue(bob), 300 * USDC + 600 * USDC, "bob's vault revenue over both streams");

        assertEq(share.balanceOf(address(vault)), 0, "vault holds no shares");
        assertLe(stablecoin.balanceOf(address(vault)), vault.creditCount(), "at most a unit of dust per credit");
        assertEq(share.claimable(address(vault)), 0, "nothing left to claim for the vault");
        assertLe(vault.totalPaid(), vault.totalHarvested(), "never more paid than harvested");
        assertLe(vault.totalHarvested() - vault.totalPaid(), vault.creditCount(), "the rest is rounding dust");
    }

    function test_holderContract_revenueOfEmptyVaultGoesToNextDepositors() public {
        _vaultDeposit(alice, 100_000e18);
        _deposit(1000 * USDC);
        _warp(period / 2);
        _vaultWithdraw(alice, 100_000e18); // harvests alice's 50 and books them to her
        _assertCreditedDown(vault.revenueOf(alice), 50 * USDC, "alice booked while she was in");
        assertEq(share.claimable(address(vault)), 0, "the empty vault accrues nothing");

        _vaultDeposit(bob, 300_000e18);
        _warp(period);
        vault.harvest();
        _assertCreditedDown(vault.revenueOf(bob), 150 * USDC, "bob earns only from his arrival");
        _assertCreditedDown(_vaultRevenue(alice), 50 * USDC, "alice paid after leaving");
    }

    /// @dev Random deposits into the vault, random revenue, random times: the vault's users together receive
    /// exactly what the vault claimed, minus rounding dust of at most one unit per user credit, and each user
    /// receives what the same shares held directly would have earned, within that rounding.
    function testFuzz_holderContract_nothingStranded(
        uint256 aliceIn,
        uint256 bobIn,
        uint256 revenue1,
        uint256 revenue2,
        uint256 t1,
        uint256 aliceOut
    ) public {
        aliceIn = bound(aliceIn, 1, 100_000e18);
        bobIn = bound(bobIn, 1, 300_000e18);
        revenue1 = bound(revenue1, 1, 1e12 * USDC);
        revenue2 = bound(revenue2, 1, 1e12 * USDC);
        t1 = bound(t1, 1, 2 * period);
        aliceOut = bound(aliceOut, 0, aliceIn);

        // Carol holds alice's 100,000 shares directly all along: the control.
        _transferShares(carol, modelOwner, 300_000e18);
        _vaultDeposit(alice, aliceIn);
        _vaultDeposit(bob, bobIn);
        _deposit(revenue1);
        _warp(t1);
        _vaultWithdraw(alice, aliceOut);
        _deposit(revenue2);
        _warp(2 * period);
        _vaultWithdraw(alice, aliceIn - aliceOut);
        _vaultWithdraw(bob, bobIn);
        uint256 alicePaid = _vaultRevenue(alice);
        uint256 bobPaid = _vaultRevenue(bob);

        assertEq(share.claimable(address(vault)), 0, "vault claimed everything it accrued");
        assertEq(alicePaid + bobPaid, vault.totalPaid(), "vault paid its users");
        uint256 dust = stablecoin.balanceOf(address(vault));
        assertEq(dust, vault.totalHarvested() - alicePaid - bobPaid, "vault keeps only the difference");
        assertLe(dust, vault.creditCount() + 1, "dust within one unit per user credit (+1 carried)");

        // Alice kept 100,000 shares throughout, part in the vault and part directly, like carol.
        uint256 aliceTotal = alicePaid + _claim(alice);
        uint256 carolTotal = _claim(carol);
        assertLe(aliceTotal, carolTotal, "going through the vault never earns more");
        // Alice loses at most: 3 direct credits, 4 vault credits, her part of the vault's 6 share credits, 1 carry.
        assertLe(carolTotal - aliceTotal, 14, "the vault passes on the direct-holding revenue within rounding");
    }

    /// @dev A credit through the vault's index: the exact share, rounded down by at most one unit, never up.
    function _assertCreditedDown(uint256 actual, uint256 exact, string memory message) internal pure {
        assertLe(actual, exact, message);
        assertGe(actual + 1, exact, message);
    }
}
