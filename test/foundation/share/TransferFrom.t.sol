// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {BaseTest} from "../BaseTest.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract TransferFromTest is BaseTest {
    function _approve(address owner, address spender, uint256 amount) internal {
        vm.prank(owner);
        share.approve(spender, amount);
    }

    function test_transferFrom_spendsAllowance() public {
        _approve(modelOwner, alice, 300e18);
        vm.expectEmit(address(share));
        emit IERC20.Transfer(modelOwner, bob, 100e18);
        vm.prank(alice);
        bool ok = share.transferFrom(modelOwner, bob, 100e18);
        assertTrue(ok, "returns true");
        assertEq(share.allowance(modelOwner, alice), 200e18, "allowance decreased");
        assertEq(share.balanceOf(bob), 100e18, "receiver balance");
        assertEq(share.balanceOf(modelOwner), SUPPLY - 100e18, "owner balance");
    }

    function test_transferFrom_infiniteAllowanceIsNotSpent() public {
        _approve(modelOwner, alice, type(uint256).max);
        vm.prank(alice);
        share.transferFrom(modelOwner, bob, 100e18);
        assertEq(share.allowance(modelOwner, alice), type(uint256).max, "infinite allowance untouched");
    }

    function test_transferFrom_exactAllowance() public {
        _approve(modelOwner, alice, 100e18);
        vm.prank(alice);
        share.transferFrom(modelOwner, bob, 100e18);
        assertEq(share.allowance(modelOwner, alice), 0, "allowance used up");
    }

    function testFuzz_transferFrom_revertsOnInsufficientAllowance(uint256 allowed, uint256 amount) public {
        allowed = bound(allowed, 0, SUPPLY - 1);
        amount = bound(amount, allowed + 1, SUPPLY);
        _approve(modelOwner, alice, allowed);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InsufficientAllowance.selector, alice, allowed, amount));
        share.transferFrom(modelOwner, bob, amount);
    }

    function test_transferFrom_revertsOnInsufficientBalance() public {
        _transferShares(modelOwner, carol, 10e18);
        _approve(carol, alice, type(uint256).max);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InsufficientBalance.selector, carol, 10e18, 11e18));
        share.transferFrom(carol, bob, 11e18);
    }

    function test_transferFrom_revertsOnZeroAddress() public {
        _approve(modelOwner, alice, 100e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidReceiver.selector, address(0)));
        share.transferFrom(modelOwner, address(0), 1);
        assertEq(share.allowance(modelOwner, alice), 100e18, "allowance untouched by the revert");
    }

    function test_transferFrom_revertsFromZeroAddress() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidSender.selector, address(0)));
        share.transferFrom(address(0), bob, 0);
    }

    function test_transferFrom_revertsToShareItself() public {
        _approve(modelOwner, alice, 100e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidReceiver.selector, address(share)));
        share.transferFrom(modelOwner, address(share), 1);
    }

    function test_transferFrom_neverChangesAccrued() public {
        _transferShares(modelOwner, bob, SUPPLY / 3);
        _deposit(999 * USDC);
        _warp(period / 5);
        uint256 ownerBefore = share.claimable(modelOwner);
        uint256 bobBefore = share.claimable(bob);
        _approve(modelOwner, alice, type(uint256).max);
        vm.prank(alice);
        share.transferFrom(modelOwner, bob, SUPPLY / 3);
        assertEq(share.claimable(modelOwner), ownerBefore, "owner accrual unchanged");
        assertEq(share.claimable(bob), bobBefore, "bob accrual unchanged");
        assertEq(share.claimable(alice), 0, "spender accrues nothing");
    }
}
