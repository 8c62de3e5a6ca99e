// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry, Model} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract AcceptModelOwnershipTest is BaseTest {
    function setUp() public override {
        super.setUp();
        vm.prank(modelOwner);
        registry.transferModelOwnership(modelId, alice);
    }

    function test_acceptModelOwnership_movesOwnership() public {
        vm.expectEmit(address(registry));
        emit IModelRegistry.OwnershipTransferred(modelId, modelOwner, alice);
        vm.prank(alice);
        registry.acceptModelOwnership(modelId);

        Model memory model = registry.getModel(modelId);
        assertEq(model.owner, alice, "new owner");
        assertEq(model.pendingOwner, address(0), "pending owner cleared");
        (address owner,,,,) = registry.lineageOf(modelId);
        assertEq(owner, alice, "lineage owner");
    }

    function test_acceptModelOwnership_handsOverOwnerRights() public {
        vm.prank(alice);
        registry.acceptModelOwnership(modelId);

        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, modelOwner));
        registry.setPaused(modelId, true);

        vm.prank(alice);
        registry.setPaused(modelId, true);
        assertTrue(registry.getModel(modelId).paused, "new owner can pause");
    }

    function test_acceptModelOwnership_doesNotMoveShares() public {
        vm.prank(alice);
        registry.acceptModelOwnership(modelId);
        assertEq(share.balanceOf(modelOwner), SUPPLY, "shares stay with the previous owner");
        assertEq(share.balanceOf(alice), 0, "new owner receives no shares");
    }

    function test_acceptModelOwnership_revertsForNonPendingOwner() public {
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotPendingOwner.selector, modelId, attacker));
        registry.acceptModelOwnership(modelId);
    }

    function test_acceptModelOwnership_revertsForCurrentOwner() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotPendingOwner.selector, modelId, modelOwner));
        registry.acceptModelOwnership(modelId);
    }

    function test_acceptModelOwnership_revertsWhenAcceptedTwice() public {
        vm.startPrank(alice);
        registry.acceptModelOwnership(modelId);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotPendingOwner.selector, modelId, alice));
        registry.acceptModelOwnership(modelId);
        vm.stopPrank();
    }

    function test_acceptModelOwnership_revertsWithoutPendingTransfer() public {
        (uint256 other,) = _registerModel(bob, "other", SUPPLY);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotPendingOwner.selector, other, alice));
        registry.acceptModelOwnership(other);
    }

    function test_acceptModelOwnership_revertsForUnknownModel() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 4));
        registry.acceptModelOwnership(4);
    }
}
