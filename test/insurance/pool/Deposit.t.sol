// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice `deposit` and `mint`: virtual-share rate, rounding, previews, max, donations.
contract DepositTest is InsuranceBaseTest {
    function test_deposit_firstDepositMintsAtVirtualRate() public {
        uint256 shares = _deposit(underwriter, 1000 * USDC);
        assertEq(shares, 1000 * USDC * 1e6, "1e6 shares per asset unit in an empty vault");
        assertEq(pool.totalAssets(), 1000 * USDC, "assets accounted");
        assertEq(pool.balanceOf(underwriter), shares, "shares credited");
        assertEq(pool.decimals(), 12, "asset decimals + offset");
    }

    function testFuzz_deposit_matchesPreview(uint256 first, uint256 premium, uint256 assets) public {
        first = bound(first, 1, 1e12 * USDC);
        premium = bound(premium, 0, 1e9 * USDC);
        assets = bound(assets, 0, 1e12 * USDC);
        _deposit(underwriter, first);
        _raisePrice(premium);
        uint256 preview = pool.previewDeposit(assets);
        uint256 shares = _deposit(otherUnderwriter, assets);
        assertEq(shares, preview, "deposit mints previewDeposit");
    }

    function testFuzz_mint_matchesPreviewAndRoundsUp(uint256 first, uint256 premium, uint256 shares) public {
        first = bound(first, 1, 1e12 * USDC);
        premium = bound(premium, 0, 1e9 * USDC);
        shares = bound(shares, 1, 1e30);
        _deposit(underwriter, first);
        _raisePrice(premium);
        uint256 assets = pool.previewMint(shares);
        stablecoin.mint(otherUnderwriter, assets);
        vm.startPrank(otherUnderwriter);
        stablecoin.approve(address(pool), assets);
        uint256 paid = pool.mint(shares, otherUnderwriter);
        vm.stopPrank();
        assertEq(paid, assets, "mint pulls previewMint");
        assertGe(paid, pool.convertToAssets(shares), "mint pays at least the shares' value");
        assertEq(pool.balanceOf(otherUnderwriter), shares, "shares minted");
    }

    function test_deposit_donationChangesNoPrice() public {
        _deposit(underwriter, 1000 * USDC);
        uint256 before = pool.convertToShares(100 * USDC);
        stablecoin.mint(address(pool), 1_000_000 * USDC);
        assertEq(pool.totalAssets(), 1000 * USDC, "a donation is not an asset");
        assertEq(pool.convertToShares(100 * USDC), before, "share price unchanged");
    }

    function test_maxDeposit_isDepositable() public {
        _deposit(underwriter, 1000 * USDC);
        uint256 max = pool.maxDeposit(otherUnderwriter);
        assertGt(max, 0, "room left");
        _deposit(otherUnderwriter, max);
        stablecoin.mint(otherUnderwriter, 1);
        vm.prank(otherUnderwriter);
        vm.expectRevert();
        pool.deposit(1, otherUnderwriter);
    }

    function test_maxMint_isMintable() public {
        _deposit(underwriter, 1000 * USDC);
        uint256 max = pool.maxMint(otherUnderwriter);
        uint256 assets = pool.previewMint(max);
        stablecoin.mint(otherUnderwriter, assets);
        vm.startPrank(otherUnderwriter);
        stablecoin.approve(address(pool), type(uint256).max);
        pool.mint(max, otherUnderwriter);
        vm.stopPrank();
        assertEq(pool.balanceOf(otherUnderwriter), max, "max minted");
    }

    /// @dev Raises the share price by `premium` through a policy sale.
    function _raisePrice(uint256 premium) internal {
        if (premium == 0) return;
        // A premium is the only way assets rise besides deposits: stand in for a sale with the pool's accounting.
        vm.store(address(pool), bytes32(0), bytes32(uint256(vm.load(address(pool), bytes32(0))) + premium));
        stablecoin.mint(address(pool), premium);
    }
}
