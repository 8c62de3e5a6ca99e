// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsurancePool, WithdrawRequest} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @notice `completeWithdrawFor`: anyone may complete an owner's matured withdrawal, the assets always go to the
/// owner, and it follows `completeWithdraw`'s rules (cooldown, free capital) with clear reverts otherwise.
contract CompleteWithdrawForTest is InsuranceBaseTest {
    uint256 internal cooldown;

    function setUp() public override {
        super.setUp();
        cooldown = pool.WITHDRAW_COOLDOWN();
    }

    function test_completeWithdrawFor_paysTheOwnerNotTheCaller() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(cooldown);
        vm.expectEmit(address(pool));
        emit IERC4626.Withdraw(keeper, underwriter, underwriter, 1000 * USDC, shares);
        vm.expectEmit(address(pool));
        emit IInsurancePool.WithdrawCompletedFor(underwriter, keeper, shares, 1000 * USDC);
        vm.prank(keeper);
        (uint256 burned, uint256 assets) = pool.completeWithdrawFor(underwriter);
        assertEq(burned, shares, "all matured shares burned");
        assertEq(assets, 1000 * USDC, "the sole depositor's deposit");
        assertEq(stablecoin.balanceOf(underwriter), assets, "the owner is paid");
        assertEq(stablecoin.balanceOf(keeper), 0, "the caller is paid nothing");
        assertEq(pool.withdrawRequestOf(underwriter).shares, 0, "queue emptied");
        assertEq(pool.allowance(underwriter, keeper), 0, "no allowance involved");
    }

    function test_completeWithdrawFor_revertsWithoutRequest() public {
        _deposit(underwriter, 1000 * USDC);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.NoWithdrawRequest.selector, underwriter));
        pool.completeWithdrawFor(underwriter);
    }

    function test_completeWithdrawFor_revertsBeforeCooldown() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        uint256 unlockAt = pool.requestWithdraw(shares);
        _warp(cooldown - 1);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.WithdrawNotMatured.selector, underwriter, unlockAt));
        pool.completeWithdrawFor(underwriter);
        assertEq(pool.withdrawRequestOf(underwriter).shares, shares, "queue untouched");
    }

    function test_completeWithdrawFor_keepsRequiredCapital() public {
        _seedHistory(derivative);
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        _buyDefault(buyer, 200_000);
        uint256 required = pool.requiredCapital();
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(cooldown);
        uint256 maxShares = pool.maxRedeem(underwriter);
        assertLt(maxShares, shares, "a running policy holds some capital back");
        vm.prank(keeper);
        (uint256 burned,) = pool.completeWithdrawFor(underwriter);
        assertEq(burned, maxShares, "only what free capital allows");
        assertGe(pool.totalAssets(), required, "required capital stays");
        // What stays redeemable is rounding dust of the share price: worth no asset at all.
        assertEq(pool.previewRedeem(pool.maxRedeem(underwriter)), 0, "no free capital of value left");
    }

    /// @dev Whoever calls, for whichever owner, only the owner's stablecoin balance grows, by the assets returned.
    function testFuzz_completeWithdrawFor_neverPaysAnyoneButTheOwner(address caller, uint96 deposit, uint96 queued)
        public
    {
        vm.assume(caller != address(0) && caller != address(pool) && caller != underwriter);
        deposit = uint96(bound(deposit, 1 * USDC, 1_000_000 * USDC));
        uint256 shares = _deposit(underwriter, deposit);
        queued = uint96(bound(queued, 1, shares));
        vm.prank(underwriter);
        pool.requestWithdraw(queued);
        _warp(cooldown);
        uint256 callerBefore = stablecoin.balanceOf(caller);
        uint256 poolBefore = stablecoin.balanceOf(address(pool));
        if (pool.previewRedeem(queued) == 0) {
            // Shares worth less than one unit: never burned for nothing (CompleteWithdrawForGrief.t.sol).
            vm.prank(caller);
            vm.expectRevert(abi.encodeWithSelector(IInsurancePool.ERC4626ExceededMaxRedeem.selector, underwriter, 1, 0));
            pool.completeWithdrawFor(underwriter);
            assertEq(pool.withdrawRequestOf(underwriter).shares, queued, "queue untouched");
            return;
        }
        vm.prank(caller);
        (uint256 burned, uint256 assets) = pool.completeWithdrawFor(underwriter);
        assertEq(burned, queued, "every matured share burned");
        assertEq(stablecoin.balanceOf(underwriter), assets, "the owner received the assets");
        assertEq(stablecoin.balanceOf(caller), callerBefore, "the caller received nothing");
        assertEq(stablecoin.balanceOf(address(pool)), poolBefore - assets, "only the owner's assets left the pool");
        assertEq(pool.balanceOf(underwriter), shares - queued, "unqueued shares untouched");
    }
}
