// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {IModelRegistry, Model} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract RegisterDerivativeTest is BaseTest {
    function test_registerDerivative_storesLineage() public {
        (uint256 id, address shareAddress) = _registerDerivative(alice, modelId, 1500);
        Model memory model = registry.getModel(id);
        assertEq(model.owner, alice, "derivative owner");
        assertEq(model.share, shareAddress, "derivative share");
        assertEq(model.parentId, modelId, "parent");
        assertEq(model.royaltyBps, 1500, "royalty");
        assertEq(model.depth, 1, "depth");

        (address owner, address s, uint256 parentId, uint256 royaltyBps, bool paused) = registry.lineageOf(id);
        assertEq(owner, alice, "lineage owner");
        assertEq(s, shareAddress, "lineage share");
        assertEq(parentId, modelId, "lineage parent");
        assertEq(royaltyBps, 1500, "lineage royalty");
        assertFalse(paused, "lineage paused");
        assertEq(ModelShare(shareAddress).balanceOf(alice), SUPPLY, "derivative supply minted to its owner");
    }

    function test_registerDerivative_emitsModelRegistered() public {
        address predicted = vm.computeCreateAddress(address(registry), vm.getNonce(address(registry)));
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRegistered(2, alice, modelId, predicted, 2500, "fine-tune", "ipfs://fine-tune");
        _registerDerivative(alice, modelId, 2500);
    }

    function test_registerDerivative_revertsOnZeroRoyalty() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidRoyalty.selector, 0));
        _registerDerivative(alice, modelId, 0);
    }

    function test_registerDerivative_acceptsMaxRoyalty() public {
        (uint256 id,) = _registerDerivative(alice, modelId, registry.MAX_ROYALTY_BPS());
        assertEq(registry.getModel(id).royaltyBps, 5000, "max royalty stored");
    }

    function test_registerDerivative_revertsOnRoyaltyJustAboveMax() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidRoyalty.selector, 5001));
        _registerDerivative(alice, modelId, 5001);
    }

    function testFuzz_registerDerivative_storesAnyRoyaltyInRange(uint256 royaltyBps) public {
        royaltyBps = bound(royaltyBps, 1, registry.MAX_ROYALTY_BPS());
        (uint256 id,) = _registerDerivative(alice, modelId, royaltyBps);
        assertEq(registry.getModel(id).royaltyBps, royaltyBps, "royalty stored");
    }

    function testFuzz_registerDerivative_revertsOnRoyaltyAboveMax(uint256 royaltyBps) public {
        royaltyBps = bound(royaltyBps, registry.MAX_ROYALTY_BPS() + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidRoyalty.selector, royaltyBps));
        _registerDerivative(alice, modelId, royaltyBps);
    }

    function test_registerDerivative_revertsOnUnknownParent() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 2));
        _registerDerivative(alice, 2, 1000);
    }

    function test_registerDerivative_revertsOnParentZero() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 0));
        _registerDerivative(alice, 0, 1000);
    }

    function test_registerDerivative_checksParentBeforeRoyalty() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 7));
        _registerDerivative(alice, 7, 0);
    }

    function test_registerDerivative_cascadesDepth() public {
        uint256 parentId = modelId;
        uint256 maxDepth = registry.MAX_ANCESTRY_DEPTH();
        for (uint256 depth = 1; depth <= maxDepth; ++depth) {
            (uint256 id,) = _registerDerivative(alice, parentId, 100 * depth);
            Model memory model = registry.getModel(id);
            assertEq(model.depth, depth, "depth is parent depth + 1");
            assertEq(model.parentId, parentId, "parent is the previous model");
            parentId = id;
        }
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.AncestryTooDeep.selector, maxDepth + 1));
        _registerDerivative(alice, parentId, 100);
    }

    function test_registerDerivative_siblingsShareDepth() public {
        (uint256 first,) = _registerDerivative(alice, modelId, 100);
        (uint256 second,) = _registerDerivative(bob, modelId, 200);
        (uint256 grandchild,) = _registerDerivative(carol, second, 300);
        assertEq(registry.getModel(first).depth, 1, "first sibling depth");
        assertEq(registry.getModel(second).depth, 1, "second sibling depth");
        assertEq(registry.getModel(grandchild).depth, 2, "grandchild depth");
        assertEq(registry.getModel(grandchild).parentId, second, "grandchild parent");
    }

    function test_registerDerivative_anyoneMayDeriveFromPausedParent() public {
        vm.prank(modelOwner);
        registry.setPaused(modelId, true);
        (uint256 id,) = _registerDerivative(attacker, modelId, 1);
        assertEq(registry.getModel(id).owner, attacker, "derivative owned by its registrant");
        assertEq(registry.getModel(modelId).owner, modelOwner, "parent owner unchanged");
    }

    function test_registerDerivative_revertsOnInvalidName() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidName.selector));
        registry.registerDerivative(modelId, 100, _params("", SUPPLY));
    }

    function test_registerDerivative_revertsOnZeroSupply() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidShareSupply.selector, 0));
        registry.registerDerivative(modelId, 100, _params("ft", 0));
    }
}
