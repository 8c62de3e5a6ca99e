// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry, Model} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract TransferModelOwnershipTest is BaseTest {
    function test_transferModelOwnership_setsPendingOwnerOnly() public {
        vm.expectEmit(address(registry));
        emit IModelRegistry.OwnershipTransferStarted(modelId, modelOwner, alice);
        vm.prank(modelOwner);
        registry.transferModelOwnership(modelId, alice);

        Model memory model = registry.getModel(modelId);
        assertEq(model.pendingOwner, alice, "pending owner");
        assertEq(model.owner, modelOwner, "owner unchanged until accepted");

        // The current owner keeps every right until the transfer is accepted.
        vm.prank(modelOwner);
        registry.setMetadataURI(modelId, "ipfs://still-mine");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, alice));
        registry.setMetadataURI(modelId, "ipfs://not-yet");
    }

    function test_transferModelOwnership_replacesPendingOwner() public {
        vm.startPrank(modelOwner);
        registry.transferModelOwnership(modelId, alice);
        registry.transferModelOwnership(modelId, bob);
        vm.stopPrank();
        assertEq(registry.getModel(modelId).pendingOwner, bob, "latest nominee pending");

        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotPendingOwner.selector, modelId, alice));
        registry.acceptModelOwnership(modelId);
    }

    function test_transferModelOwnership_revertsOnZeroAddress() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ZeroAddress.selector));
        registry.transferModelOwnership(modelId, address(0));
    }

    function test_transferModelOwnership_revertsForNonOwner() public {
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, attacker));
        registry.transferModelOwnership(modelId, attacker);
    }

    function test_transferModelOwnership_revertsForUnknownModel() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 2));
        registry.transferModelOwnership(2, alice);
    }
}
