// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract SetMetadataURITest is BaseTest {
    function test_setMetadataURI_replacesURI() public {
        vm.expectEmit(address(registry));
        emit IModelRegistry.MetadataURISet(modelId, "ar://new");
        vm.prank(modelOwner);
        registry.setMetadataURI(modelId, "ar://new");
        assertEq(registry.getModel(modelId).metadataURI, "ar://new", "metadata URI replaced");
        assertEq(registry.getModel(modelId).name, "base-model", "name untouched");
    }

    function test_setMetadataURI_acceptsEmptyURI() public {
        vm.prank(modelOwner);
        registry.setMetadataURI(modelId, "");
        assertEq(registry.getModel(modelId).metadataURI, "", "metadata URI cleared");
    }

    function testFuzz_setMetadataURI_storesAnyURI(string calldata uri) public {
        vm.prank(modelOwner);
        registry.setMetadataURI(modelId, uri);
        assertEq(registry.getModel(modelId).metadataURI, uri, "metadata URI stored verbatim");
    }

    function test_setMetadataURI_revertsForNonOwner() public {
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, attacker));
        registry.setMetadataURI(modelId, "ipfs://evil");
    }

    function test_setMetadataURI_revertsForUnknownModel() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 9));
        registry.setMetadataURI(9, "ipfs://x");
    }
}
