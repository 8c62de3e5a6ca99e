// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {BaseTest} from "../BaseTest.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract TransferTest is BaseTest {
    function test_transfer_movesBalance() public {
        vm.expectEmit(address(share));
        emit IERC20.Transfer(modelOwner, alice, 100e18);
        vm.prank(modelOwner);
        bool ok = share.transfer(alice, 100e18);
        assertTrue(ok, "returns true");
        assertEq(share.balanceOf(alice), 100e18, "receiver balance");
        assertEq(share.balanceOf(modelOwner), SUPPLY - 100e18, "sender balance");
        assertEq(share.totalSupply(), SUPPLY, "supply unchanged");
    }

    function test_transfer_zeroAmount() public {
        _transferShares(alice, bob, 0);
        assertEq(share.balanceOf(bob), 0, "nothing moved");
    }

    function test_transfer_revertsOnZeroAddress() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidReceiver.selector, address(0)));
        share.transfer(address(0), 1);
    }

    function test_transfer_revertsToShareItself() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidReceiver.selector, address(share)));
        share.transfer(address(share), 1);
    }

    function testFuzz_transfer_revertsOnInsufficientBalance(uint256 balance, uint256 amount) public {
        balance = bound(balance, 0, SUPPLY - 1);
        amount = bound(amount, balance + 1, type(uint256).max);
        _transferShares(modelOwner, alice, balance);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InsufficientBalance.selector, alice, balance, amount));
        share.transfer(bob, amount);
    }

    function test_transfer_toSelfKeepsBalanceAndAccrual() public {
        _deposit(1000 * USDC);
        _warp(period / 3);
        uint256 before = share.claimable(modelOwner);
        _transferShares(modelOwner, modelOwner, SUPPLY);
        assertEq(share.balanceOf(modelOwner), SUPPLY, "balance unchanged");
        assertEq(share.claimable(modelOwner), before, "accrual unchanged");
        assertGt(before, 0, "something accrued");
    }

    function test_transfer_receiverEarnsOnlyFromArrival() public {
        _deposit(1000 * USDC);
        _warp(period / 2);
        uint256 ownerAccrued = share.claimable(modelOwner);
        assertEq(ownerAccrued, 500 * USDC, "owner accrued half the stream");

        _transferShares(modelOwner, alice, SUPPLY / 2);
        assertEq(share.claimable(modelOwner), ownerAccrued, "sender keeps what it accrued");
        assertEq(share.claimable(alice), 0, "receiver accrued nothing yet");

        _warp(period);
        assertEq(share.claimable(modelOwner), 750 * USDC, "owner: first half + half of the second half");
        assertEq(share.claimable(alice), 250 * USDC, "alice: half of the second half");
    }

    /// @dev Alice and bob hold a random split, a random stream runs for a random time, then a random amount moves
    /// from one to the other: what each had accrued is unchanged to the unit.
    function testFuzz_transfer_neverChangesAccrued(
        uint256 aliceShares,
        uint256 bobShares,
        uint256 revenue,
        uint256 elapsed,
        uint256 amount,
        bool aliceSends
    ) public {
        aliceShares = bound(aliceShares, 0, SUPPLY);
        bobShares = bound(bobShares, 0, SUPPLY - aliceShares);
        revenue = bound(revenue, 1, 1e12 * USDC);
        elapsed = bound(elapsed, 0, 2 * period);
        _transferShares(modelOwner, alice, aliceShares);
        _transferShares(modelOwner, bob, bobShares);
        _deposit(revenue);
        _warp(elapsed);

        (address from, address to) = aliceSends ? (alice, bob) : (bob, alice);
        amount = bound(amount, 0, share.balanceOf(from));
        uint256 fromBefore = share.claimable(from);
        uint256 toBefore = share.claimable(to);
        uint256 ownerBefore = share.claimable(modelOwner);

        _transferShares(from, to, amount);

        assertEq(share.claimable(from), fromBefore, "sender accrual unchanged");
        assertEq(share.claimable(to), toBefore, "receiver accrual unchanged");
        assertEq(share.claimable(modelOwner), ownerBefore, "bystander accrual unchanged");
        assertEq(share.balanceOf(alice) + share.balanceOf(bob) + share.balanceOf(modelOwner), SUPPLY, "supply");
    }

    /// @dev Two holders with the same balance path end up with the same revenue whether or not one of them
    /// keeps being touched by transfers in between (touches only move checkpoints, rounding aside).
    function testFuzz_transfer_touchesDoNotChangeEntitlement(uint256 revenue, uint256 touches) public {
        revenue = bound(revenue, 1 * USDC, 1e9 * USDC);
        touches = bound(touches, 1, 20);
        _transferShares(modelOwner, alice, SUPPLY / 4);
        _transferShares(modelOwner, bob, SUPPLY / 4);
        _deposit(revenue);
        for (uint256 i; i < touches; ++i) {
            _warp(period / touches);
            _transferShares(alice, alice, 1);
        }
        _warp(period);
        uint256 aliceRevenue = share.claimable(alice);
        uint256 bobRevenue = share.claimable(bob);
        assertLe(aliceRevenue, bobRevenue, "touching never earns more");
        assertLe(bobRevenue - aliceRevenue, touches, "at most one unit lost per touch");
    }
}
