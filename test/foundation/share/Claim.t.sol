// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {BaseTest} from "../BaseTest.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {Vm} from "forge-std/Vm.sol";

contract ClaimTest is BaseTest {
    function test_claim_paysAccrued() public {
        _transferShares(modelOwner, alice, SUPPLY / 4);
        _deposit(1000 * USDC);
        _warp(period);

        vm.expectEmit(address(share));
        emit IModelShare.RevenueClaimed(alice, alice, 250 * USDC);
        uint256 paid = _claim(alice);
        assertEq(paid, 250 * USDC, "alice paid a quarter");
        assertEq(stablecoin.balanceOf(alice), 250 * USDC, "alice received it");
        assertEq(stablecoin.balanceOf(address(share)), 750 * USDC, "rest stays for the owner");
        assertEq(share.claimable(alice), 0, "nothing left to claim");
    }

    function test_claim_secondClaimPaysZero() public {
        _deposit(1000 * USDC);
        _warp(period);
        assertEq(_claim(modelOwner), 1000 * USDC, "first claim pays everything");

        vm.recordLogs();
        assertEq(_claim(modelOwner), 0, "second claim pays 0");
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 0, "an empty claim emits nothing");
        assertEq(stablecoin.balanceOf(modelOwner), 1000 * USDC, "paid once");
    }

    function test_claim_toAnotherReceiver() public {
        _deposit(1000 * USDC);
        _warp(period);
        vm.expectEmit(address(share));
        emit IModelShare.RevenueClaimed(modelOwner, bob, 1000 * USDC);
        vm.prank(modelOwner);
        uint256 paid = share.claim(bob);
        assertEq(paid, 1000 * USDC, "paid");
        assertEq(stablecoin.balanceOf(bob), 1000 * USDC, "receiver got the revenue");
        assertEq(stablecoin.balanceOf(modelOwner), 0, "holder got nothing directly");
        assertEq(share.claimable(bob), 0, "receiver accrues nothing by being paid");
    }

    function test_claim_midStreamThenRest() public {
        uint256 start = block.timestamp;
        _deposit(1000 * USDC);
        vm.warp(start + period / 2);
        assertEq(_claim(modelOwner), 500 * USDC, "first half");
        vm.warp(start + period);
        assertEq(_claim(modelOwner), 500 * USDC, "second half");
        assertEq(stablecoin.balanceOf(address(share)), 0, "nothing left with a sole holder");
    }

    function test_claim_inDepositBlockPaysZero() public {
        _deposit(1000 * USDC);
        assertEq(_claim(modelOwner), 0, "nothing released in the deposit block");
    }

    function test_claim_nonHolderPaysZero() public {
        _deposit(1000 * USDC);
        _warp(period);
        assertEq(_claim(attacker), 0, "non-holder paid nothing");
    }

    function test_claim_keepsAccrualAfterSellingShares() public {
        _transferShares(modelOwner, alice, SUPPLY / 2);
        _deposit(1000 * USDC);
        _warp(period / 2);
        _transferShares(alice, bob, SUPPLY / 2);
        _warp(period);
        assertEq(_claim(alice), 250 * USDC, "alice keeps what she accrued before selling");
        assertEq(_claim(bob), 250 * USDC, "bob earns the second half of her position");
        assertEq(_claim(modelOwner), 500 * USDC, "owner earns half throughout");
        assertEq(stablecoin.balanceOf(address(share)), 0, "exact split leaves nothing");
    }

    function test_claim_revertsToZeroAddress() public {
        _deposit(1000 * USDC);
        _warp(period);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(0)));
        share.claim(address(0));
    }

    function testFuzz_claim_neverPaysMoreThanReleased(uint256 split, uint256 revenue, uint256 elapsed) public {
        split = bound(split, 0, SUPPLY);
        revenue = bound(revenue, 1, 1e15 * USDC);
        elapsed = bound(elapsed, 0, 2 * period);
        _transferShares(modelOwner, alice, split);
        _deposit(revenue);
        _warp(elapsed);
        uint256 paid = _claim(alice) + _claim(modelOwner);
        uint256 released = share.releasedRevenue();
        assertLe(paid, released, "paid <= released");
        assertLe(released - paid, 2, "at most one unit of dust per holder");
        assertEq(stablecoin.balanceOf(address(share)), revenue - paid, "balance = deposited - paid");
    }
}
