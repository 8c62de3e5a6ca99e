// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelRegistry} from "../../../src/registry/ModelRegistry.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {IModelRegistry} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
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
        assertEq(share.MIN_REVENUE_STREAM_PERIOD(), 1 minutes, "MIN_REVENUE_STREAM_PERIOD");
        assertEq(share.MAX_REVENUE_STREAM_PERIOD(), 30 days, "MAX_REVENUE_STREAM_PERIOD");
        assertEq(
            share.REVENUE_STREAM_PERIOD(), STREAM_PERIOD, "REVENUE_STREAM_PERIOD: the suite's deployment parameter"
        );
    }

    function testFuzz_constructor_setsTheSharesStreamPeriod(uint256 periodSeconds) public {
        periodSeconds = bound(periodSeconds, 1 minutes, 30 days);
        ModelRegistry fresh = new ModelRegistry(address(stablecoin), periodSeconds);
        assertEq(
            ModelShare(fresh.shareImplementation()).REVENUE_STREAM_PERIOD(), periodSeconds, "implementation's period"
        );
        vm.prank(modelOwner);
        (, address clone) = fresh.registerModel(_params("short-stream", SUPPLY));
        assertEq(ModelShare(clone).REVENUE_STREAM_PERIOD(), periodSeconds, "a clone reads the implementation's period");
    }

    function test_constructor_revertsOnStreamPeriodOutOfBounds() public {
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidRevenueStreamPeriod.selector, 1 minutes - 1));
        new ModelRegistry(address(stablecoin), 1 minutes - 1);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidRevenueStreamPeriod.selector, 30 days + 1));
        new ModelRegistry(address(stablecoin), 30 days + 1);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidRevenueStreamPeriod.selector, 0));
        new ModelRegistry(address(stablecoin), 0);
    }

    function test_constructor_revertsOnZeroStablecoin() public {
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.ZeroAddress.selector));
        new ModelRegistry(address(0), STREAM_PERIOD);
    }

    function test_constructor_startsWithNoModelsButSetUpOne() public {
        ModelRegistry fresh = new ModelRegistry(address(stablecoin), STREAM_PERIOD);
        assertEq(fresh.modelCount(), 0, "fresh registry has no models");
        assertFalse(fresh.exists(1), "model 1 does not exist in a fresh registry");
        assertEq(registry.modelCount(), 1, "setUp registered one model");
    }
}
