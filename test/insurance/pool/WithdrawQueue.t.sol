// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsurancePool, WithdrawRequest} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice `requestWithdraw`, `cancelWithdraw`, `completeWithdraw` and ERC-4626 `withdraw` / `redeem` through the
/// queue: cooldown, required capital, allowances.
contract WithdrawQueueTest is InsuranceBaseTest {
    uint256 internal cooldown;

    function setUp() public override {
        super.setUp();
        cooldown = pool.WITHDRAW_COOLDOWN();
    }

    function test_requestWithdraw_escrowsShares() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        uint256 unlockAt = pool.requestWithdraw(shares / 4);
        assertEq(unlockAt, block.timestamp + cooldown, "unlock after the cooldown");
        assertEq(pool.balanceOf(underwriter), shares - shares / 4, "shares left with the owner");
        assertEq(pool.balanceOf(address(pool)), shares / 4, "shares in escrow");
        WithdrawRequest memory request = pool.withdrawRequestOf(underwriter);
        assertEq(request.shares, shares / 4, "queued");
    }

    function test_requestWithdraw_restartsCooldown() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(shares / 4);
        _warp(cooldown - 10);
        vm.prank(underwriter);
        uint256 unlockAt = pool.requestWithdraw(shares / 4);
        assertEq(unlockAt, block.timestamp + cooldown, "a new request restarts the clock");
        _warp(20);
        assertEq(pool.maxRedeem(underwriter), 0, "nothing matured");
    }

    function test_requestWithdraw_revertsAboveBalance() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        vm.expectRevert(
            abi.encodeWithSelector(IInsurancePool.InsufficientShares.selector, underwriter, shares + 1, shares)
        );
        pool.requestWithdraw(shares + 1);
    }

    function test_redeem_revertsBeforeCooldown() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        assertEq(pool.maxRedeem(underwriter), 0, "not matured");
        assertEq(pool.maxWithdraw(underwriter), 0, "not matured");
        vm.prank(underwriter);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.ERC4626ExceededMaxRedeem.selector, underwriter, 1, 0));
        pool.redeem(1, underwriter, underwriter);
    }

    function test_redeem_unqueuedSharesNeverRedeem() public {
        _deposit(underwriter, 1000 * USDC);
        _warp(cooldown + 1);
        assertEq(pool.maxRedeem(underwriter), 0, "shares outside the queue are not redeemable");
    }

    function test_completeWithdraw_paysQueuedSharesAfterCooldown() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(cooldown);
        assertEq(pool.maxRedeem(underwriter), shares, "all matured, no exposure");
        vm.prank(underwriter);
        (uint256 burned, uint256 assets) = pool.completeWithdraw(underwriter);
        assertEq(burned, shares, "all burned");
        assertEq(assets, 1000 * USDC, "the sole depositor gets its deposit back");
        assertEq(stablecoin.balanceOf(underwriter), assets, "received");
        assertEq(pool.totalSupply(), 0, "no shares left");
    }

    function test_maxRedeem_keepsRequiredCapital() public {
        _seedHistory(derivative);
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        _buyDefault(buyer, 200_000);
        uint256 required = pool.requiredCapital();
        assertGt(required, 0, "a running policy requires capital");
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(cooldown);
        uint256 maxAssets = pool.maxWithdraw(underwriter);
        assertEq(maxAssets, pool.totalAssets() - required, "free capital only");
        vm.prank(underwriter);
        pool.withdraw(maxAssets, underwriter, underwriter);
        assertGe(pool.totalAssets(), required, "required capital stays");
        assertEq(pool.maxWithdraw(underwriter), 0, "nothing more until the policy is released");
    }

    function test_withdraw_spendsSpenderAllowance() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(cooldown);
        uint256 needed = pool.previewWithdraw(100 * USDC);
        vm.prank(keeper);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InsufficientAllowance.selector, keeper, needed, 0));
        pool.withdraw(100 * USDC, keeper, underwriter);
        vm.prank(underwriter);
        pool.approve(keeper, needed);
        vm.prank(keeper);
        uint256 burned = pool.withdraw(100 * USDC, keeper, underwriter);
        assertEq(burned, needed, "burns previewWithdraw");
        assertEq(pool.allowance(underwriter, keeper), 0, "allowance spent");
        assertEq(stablecoin.balanceOf(keeper), 100 * USDC, "receiver paid");
    }

    function test_cancelWithdraw_returnsShares() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        vm.prank(underwriter);
        assertEq(pool.cancelWithdraw(), shares, "cancelled");
        assertEq(pool.balanceOf(underwriter), shares, "back with the owner");
        vm.prank(underwriter);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.NoWithdrawRequest.selector, underwriter));
        pool.cancelWithdraw();
    }
}
