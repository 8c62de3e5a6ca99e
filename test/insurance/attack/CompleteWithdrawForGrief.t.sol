// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsurancePool} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Attacks on the permissionless `completeWithdrawFor(owner)`: completing someone's withdrawal when free
/// capital is dust (shares burned for no assets), and front-running the owner's `cancelWithdraw`.
contract CompleteWithdrawForGriefTest is InsuranceBaseTest {
    uint256 internal cooldown;

    function setUp() public override {
        super.setUp();
        cooldown = pool.WITHDRAW_COOLDOWN();
        _seedHistory(derivative);
    }

    /// @dev An underwriter whose matured request free capital can pay only in part (another underwriter stays in):
    /// after one completion what stays redeemable is rounding dust of the share price (`maxRedeem > 0`,
    /// `previewRedeem(maxRedeem) == 0`).
    function _dustFreeCapital() internal returns (uint256 queued) {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        _deposit(otherUnderwriter, 100 * USDC);
        _buyDefault(buyer, 200_000);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(cooldown);
        vm.prank(underwriter);
        pool.completeWithdraw(underwriter);
        queued = pool.withdrawRequestOf(underwriter).shares;
        assertGt(queued, 0, "scenario: shares stay queued");
        assertGt(pool.maxRedeem(underwriter), 0, "scenario: some shares still redeemable");
        assertEq(pool.previewRedeem(pool.maxRedeem(underwriter)), 0, "scenario: worth no asset");
    }

    /// @dev A griefer completes the owner's withdrawal again and again while free capital is dust: before the fix
    /// each call burned `maxRedeem` shares (about one unit of value each) for 0 assets, without end (the free
    /// capital stays, the burn only raises everyone else's share price). Now it is refused: the shares stay queued.
    function test_completeWithdrawFor_neverBurnsSharesForNothing() public {
        uint256 queued = _dustFreeCapital();
        uint256 valueBefore = pool.convertToAssets(queued);
        for (uint256 i; i < 20; ++i) {
            vm.prank(attacker);
            vm.expectRevert(abi.encodeWithSelector(IInsurancePool.ERC4626ExceededMaxRedeem.selector, underwriter, 1, 0));
            pool.completeWithdrawFor(underwriter);
        }
        assertEq(pool.withdrawRequestOf(underwriter).shares, queued, "no queued share burned");
        assertEq(pool.convertToAssets(queued), valueBefore, "the owner's queued value is intact");
    }

    /// @dev The owner's own `completeWithdraw` follows the same rule: no burn for nothing.
    function test_completeWithdraw_neverBurnsSharesForNothing() public {
        uint256 queued = _dustFreeCapital();
        vm.prank(underwriter);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.ERC4626ExceededMaxRedeem.selector, underwriter, 1, 0));
        pool.completeWithdraw(underwriter);
        assertEq(pool.withdrawRequestOf(underwriter).shares, queued, "no queued share burned");
    }

    /// @dev Once free capital is back (a policy released), the completion pays again.
    function test_completeWithdrawFor_paysOnceCapitalIsFree() public {
        uint256 queued = _dustFreeCapital();
        vm.prank(underwriter);
        pool.cancelWithdraw();
        _deposit(otherUnderwriter, 10_000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(queued);
        _warp(cooldown);
        uint256 expected = pool.previewRedeem(queued);
        vm.prank(attacker);
        (uint256 burned, uint256 assets) = pool.completeWithdrawFor(underwriter);
        assertEq(burned, queued, "all queued shares");
        assertEq(assets, expected, "their value");
        assertGt(assets, 0, "paid");
    }

    /// @dev Front-running `cancelWithdraw`: the owner's matured request is completed first. The owner is paid the
    /// value of the shares (to its own address), loses nothing but the rounding below one unit, and the cancel then
    /// finds nothing queued. A matured request is the owner's standing consent; the attacker gains nothing.
    function test_completeWithdrawFor_frontRunningCancelPaysTheOwnerFairly() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        _deposit(otherUnderwriter, 1000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(cooldown);
        uint256 value = pool.previewRedeem(shares);
        uint256 attackerBefore = stablecoin.balanceOf(attacker);
        vm.prank(attacker);
        (, uint256 assets) = pool.completeWithdrawFor(underwriter);
        assertEq(assets, value, "paid the shares' value");
        assertEq(stablecoin.balanceOf(underwriter), value, "to the owner");
        assertGe(value + 1, 1000 * USDC, "at most one unit of rounding below the deposit");
        assertEq(stablecoin.balanceOf(attacker), attackerBefore, "the attacker gains nothing");
        vm.prank(underwriter);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.NoWithdrawRequest.selector, underwriter));
        pool.cancelWithdraw();
    }
}
