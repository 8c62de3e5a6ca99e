// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {IModelRegistry, Model, ModelParams} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract RegisterModelTest is BaseTest {
    function test_registerModel_storesModel() public view {
        Model memory model = registry.getModel(modelId);
        assertEq(modelId, 1, "first id is 1");
        assertEq(model.owner, modelOwner, "owner");
        assertEq(model.share, address(share), "share");
        assertEq(model.parentId, 0, "no parent");
        assertEq(model.royaltyBps, 0, "no royalty");
        assertEq(model.depth, 0, "base depth");
        assertFalse(model.paused, "not paused");
        assertEq(model.pricing.inputPerMTok, 1 * USDC, "input price");
        assertEq(model.pricing.outputPerMTok, 3 * USDC, "output price");
        assertEq(model.pricing.reasoningPerMTok, 5 * USDC, "reasoning price");
        assertEq(model.pendingPricingAt, 0, "nothing scheduled");
        assertEq(model.pendingOwner, address(0), "no pending owner");
        assertEq(model.name, "base-model", "name");
        assertEq(model.metadataURI, "ipfs://base-model", "metadata URI");
        assertTrue(registry.exists(modelId), "exists");
    }

    function test_registerModel_emitsModelRegistered() public {
        address predicted = vm.computeCreateAddress(address(registry), vm.getNonce(address(registry)));
        vm.expectEmit(address(registry));
        emit IModelRegistry.ModelRegistered(2, alice, 0, predicted, 0, "second", "ipfs://second");
        (uint256 id, address shareAddress) = _registerModel(alice, "second", SUPPLY);
        assertEq(id, 2, "id");
        assertEq(shareAddress, predicted, "share address");
    }

    function test_registerModel_idsAreSequential() public {
        (uint256 id2, address share2) = _registerModel(alice, "two", SUPPLY);
        (uint256 id3, address share3) = _registerModel(bob, "three", SUPPLY);
        assertEq(id2, 2, "second id");
        assertEq(id3, 3, "third id");
        assertEq(registry.modelCount(), 3, "model count");
        assertTrue(share2 != share3 && share2 != address(share), "each model has its own share");
    }

    function test_registerModel_mintsSupplyToOwner() public {
        vm.expectEmit(vm.computeCreateAddress(address(registry), vm.getNonce(address(registry))));
        emit IERC20.Transfer(address(0), alice, 42e18);
        (, address shareAddress) = _registerModel(alice, "minted", 42e18);
        ModelShare minted = ModelShare(shareAddress);
        assertEq(minted.totalSupply(), 42e18, "total supply");
        assertEq(minted.balanceOf(alice), 42e18, "owner holds the whole supply");
        assertEq(minted.balanceOf(address(registry)), 0, "registry holds nothing");
    }

    function testFuzz_registerModel_mintsAnyValidSupply(uint256 supply) public {
        supply = bound(supply, 1, type(uint128).max);
        (, address shareAddress) = _registerModel(alice, "fuzz", supply);
        assertEq(ModelShare(shareAddress).totalSupply(), supply, "total supply");
        assertEq(ModelShare(shareAddress).balanceOf(alice), supply, "owner balance");
    }

    function test_registerModel_setsShareMetadata() public view {
        assertEq(share.name(), "CogFi Model Share 1: base-model", "name");
        assertEq(share.symbol(), "CMS1", "symbol");
        assertEq(share.decimals(), 18, "decimals");
        assertEq(share.modelId(), modelId, "model id");
        assertEq(share.registry(), address(registry), "registry");
        assertEq(share.stablecoin(), address(stablecoin), "stablecoin");
    }

    function test_registerModel_shareIsMinimalClone() public view {
        bytes memory code = address(share).code;
        assertEq(code.length, 45, "EIP-1167 runtime is 45 bytes");
        address implementation;
        assembly {
            // The implementation address sits at bytes 10..30 of the runtime code.
            implementation := shr(96, mload(add(code, 42)))
        }
        assertEq(implementation, registry.shareImplementation(), "clone points at the implementation");
    }

    function test_registerModel_acceptsMaxNameLength() public {
        string memory name = string(new bytes(64));
        (uint256 id,) = _registerModel(alice, name, SUPPLY);
        assertEq(bytes(registry.getModel(id).name).length, 64, "64-byte name stored");
    }

    function test_registerModel_revertsOnEmptyName() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidName.selector));
        _registerModel(alice, "", SUPPLY);
    }

    function test_registerModel_revertsOnNameTooLong() public {
        string memory name = string(new bytes(65));
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidName.selector));
        _registerModel(alice, name, SUPPLY);
    }

    function test_registerModel_revertsOnZeroSupply() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidShareSupply.selector, 0));
        _registerModel(alice, "zero", 0);
    }

    function testFuzz_registerModel_revertsOnSupplyAboveUint128(uint256 supply) public {
        supply = bound(supply, uint256(type(uint128).max) + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.InvalidShareSupply.selector, supply));
        _registerModel(alice, "huge", supply);
    }

    function test_registerModel_failedRegistrationLeavesNoTrace() public {
        ModelParams memory params = _params("", SUPPLY);
        vm.prank(alice);
        (bool ok,) = address(registry).call(abi.encodeCall(registry.registerModel, (params)));
        assertFalse(ok, "registration with an empty name reverts");
        assertEq(registry.modelCount(), 1, "model count unchanged");
        assertFalse(registry.exists(2), "model 2 not registered");
    }
}
