// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelRegistry} from "../../../src/registry/ModelRegistry.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {IModelRegistry} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract ConstructorTest is BaseTest {
    function test_constructor_setsStablecoinAndImplementation() public view {
        assertEq(registry.stablecoin(), address(stablecoin), "registry stablecoin");
        ModelShare implementation = ModelShare(registry.shareImplementation());
        assertGt(address(implementation).code.length, 0, "implementation deployed");
        assertEq(implementation.registry(), address(registry), "implementation registry");
        assertEq(implementation.stablecoin(), address(stablecoin), "implementation stablecoin");
        assertEq(implementation.totalSupply(), type(uint256).max, "implementation marked unusable");
    }

    function test_constructor_constants() public view {
        assertEq(registry.MAX_ROYALTY_BPS(), 5000, "MAX_ROYALTY_BPS");
        assertEq(registry.MAX_ANCESTRY_DEPTH(), 4, "MAX_ANCESTRY_DEPTH");
        assertEq(registry.PRICING_DELAY(), 7 days, "PRICING_DELAY");
        assertEq(registry.MAX_NAME_LENGTH(), 64, "MAX_NAME_LENGTH");
        assertEq(share.REVENUE_STREAM_PERIOD(), 1 days, "REVENUE_STREAM_PERIOD");
    }

    function test_constructor_revertsOnZeroStablecoin() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ZeroAddress.selector));
        new ModelRegistry(address(0));
    }

    function test_constructor_startsWithNoModelsButSetUpOne() public {
        ModelRegistry fresh = new ModelRegistry(address(stablecoin));
        assertEq(fresh.modelCount(), 0, "fresh registry has no models");
        assertFalse(fresh.exists(1), "model 1 does not exist in a fresh registry");
        assertEq(registry.modelCount(), 1, "setUp registered one model");
    }
}
