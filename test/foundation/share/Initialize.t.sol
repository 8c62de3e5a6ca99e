// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {BaseTest} from "../BaseTest.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

contract InitializeTest is BaseTest {
    function test_initialize_revertsWhenRegistryCallsAgain() public {
        vm.prank(address(registry));
        vm.expectRevert(abi.encodeWithSelector(IModelShare.AlreadyInitialized.selector));
        share.initialize("again", "AGN", 7, attacker, SUPPLY);
        assertEq(share.balanceOf(attacker), 0, "no second mint");
        assertEq(share.totalSupply(), SUPPLY, "supply unchanged");
    }

    function test_initialize_revertsForNonRegistry() public {
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.OnlyRegistry.selector));
        share.initialize("evil", "EVL", 7, attacker, SUPPLY);
    }

    function test_initialize_revertsForNonRegistryOnFreshClone() public {
        ModelShare fresh = ModelShare(Clones.clone(registry.shareImplementation()));
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.OnlyRegistry.selector));
        fresh.initialize("evil", "EVL", 7, attacker, SUPPLY);
    }

    function test_initialize_implementationCannotBeInitialized() public {
        ModelShare implementation = ModelShare(registry.shareImplementation());
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.OnlyRegistry.selector));
        implementation.initialize("impl", "IMP", 1, attacker, SUPPLY);

        // Not even the registry can initialize it: the constructor marks it with a non-zero supply.
        vm.prank(address(registry));
        vm.expectRevert(abi.encodeWithSelector(IModelShare.AlreadyInitialized.selector));
        implementation.initialize("impl", "IMP", 1, attacker, SUPPLY);
    }

    function test_initialize_revertsOnZeroSupply() public {
        ModelShare fresh = ModelShare(Clones.clone(registry.shareImplementation()));
        vm.prank(address(registry));
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidSupply.selector));
        fresh.initialize("x", "X", 1, alice, 0);
    }

    function test_initialize_revertsOnSupplyAboveUint128() public {
        ModelShare fresh = ModelShare(Clones.clone(registry.shareImplementation()));
        vm.prank(address(registry));
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidSupply.selector));
        fresh.initialize("x", "X", 1, alice, uint256(type(uint128).max) + 1);
    }

    function test_initialize_revertsOnZeroHolder() public {
        ModelShare fresh = ModelShare(Clones.clone(registry.shareImplementation()));
        vm.prank(address(registry));
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidReceiver.selector, address(0)));
        fresh.initialize("x", "X", 1, address(0), SUPPLY);
    }

    function test_initialize_setsCloneState() public {
        ModelShare fresh = ModelShare(Clones.clone(registry.shareImplementation()));
        vm.prank(address(registry));
        fresh.initialize("Fresh", "FRS", 77, bob, 5e18);
        assertEq(fresh.name(), "Fresh", "name");
        assertEq(fresh.symbol(), "FRS", "symbol");
        assertEq(fresh.modelId(), 77, "model id");
        assertEq(fresh.totalSupply(), 5e18, "supply");
        assertEq(fresh.balanceOf(bob), 5e18, "holder balance");
        assertEq(fresh.registry(), address(registry), "registry immutable shared with the implementation");
        assertEq(fresh.stablecoin(), address(stablecoin), "stablecoin immutable shared with the implementation");
    }
}
