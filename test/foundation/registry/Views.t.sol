// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

/// @notice getModel, lineageOf, pricingOf and exists on ids that are not registered.
contract ViewsTest is BaseTest {
    function testFuzz_getModel_revertsForUnknownModel(uint256 id) public {
        id = _unknownId(id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, id));
        registry.getModel(id);
    }

    function testFuzz_lineageOf_revertsForUnknownModel(uint256 id) public {
        id = _unknownId(id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, id));
        registry.lineageOf(id);
    }

    function testFuzz_pricingOf_revertsForUnknownModel(uint256 id) public {
        id = _unknownId(id);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, id));
        registry.pricingOf(id);
    }

    function testFuzz_exists_falseForUnknownModel(uint256 id) public view {
        id = _unknownId(id);
        assertFalse(registry.exists(id), "unknown id does not exist");
    }

    function test_getModel_revertsForIdZero() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 0));
        registry.getModel(0);
    }

    function test_getModel_revertsForNextId() public {
        uint256 next = registry.modelCount() + 1;
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, next));
        registry.getModel(next);
    }

    function test_lineageOf_baseModel() public view {
        (address owner, address s, uint256 parentId, uint256 royaltyBps, bool paused) = registry.lineageOf(modelId);
        assertEq(owner, modelOwner, "owner");
        assertEq(s, address(share), "share");
        assertEq(parentId, 0, "base model has no parent");
        assertEq(royaltyBps, 0, "base model pays no royalty");
        assertFalse(paused, "not paused");
    }

    /// @dev Maps any seed to 0 or an id above the registered range.
    function _unknownId(uint256 seed) internal view returns (uint256) {
        if (seed % 4 == 0) return 0;
        return bound(seed, registry.modelCount() + 1, type(uint256).max);
    }
}
