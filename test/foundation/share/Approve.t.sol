// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BaseTest} from "../BaseTest.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract ApproveTest is BaseTest {
    function testFuzz_approve_setsAllowance(address spender, uint256 amount) public {
        vm.expectEmit(address(share));
        emit IERC20.Approval(alice, spender, amount);
        vm.prank(alice);
        bool ok = share.approve(spender, amount);
        assertTrue(ok, "returns true");
        assertEq(share.allowance(alice, spender), amount, "allowance");
    }

    function test_approve_overwritesAllowance() public {
        vm.startPrank(alice);
        share.approve(bob, 100);
        share.approve(bob, 7);
        vm.stopPrank();
        assertEq(share.allowance(alice, bob), 7, "latest approval wins");
    }

    function test_approve_doesNotRequireBalance() public {
        vm.prank(attacker);
        share.approve(bob, type(uint256).max);
        assertEq(share.allowance(attacker, bob), type(uint256).max, "allowance without balance");
        assertEq(share.balanceOf(attacker), 0, "no balance");
    }
}
