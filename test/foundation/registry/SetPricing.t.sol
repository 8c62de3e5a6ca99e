// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry, Model, Pricing} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract SetPricingTest is BaseTest {
    uint256 internal delay;

    function setUp() public override {
        super.setUp();
        delay = registry.PRICING_DELAY();
    }

    function _setPricing(Pricing memory pricing) internal returns (uint256 effectiveAt) {
        vm.prank(modelOwner);
        effectiveAt = registry.setPricing(modelId, pricing);
    }

    function _assertPricing(Pricing memory actual, Pricing memory expected, string memory what) internal pure {
        assertEq(actual.inputPerMTok, expected.inputPerMTok, string.concat(what, ": input"));
        assertEq(actual.outputPerMTok, expected.outputPerMTok, string.concat(what, ": output"));
        assertEq(actual.reasoningPerMTok, expected.reasoningPerMTok, string.concat(what, ": reasoning"));
    }

    function test_setPricing_schedulesAfterDelay() public {
        Pricing memory initial = registry.pricingOf(modelId);
        Pricing memory next = _pricing(2 * USDC, 6 * USDC, 10 * USDC);
        uint256 effectiveAt = _setPricing(next);

        assertEq(effectiveAt, block.timestamp + delay, "effective after the delay");
        Model memory model = registry.getModel(modelId);
        assertEq(model.pendingPricingAt, effectiveAt, "stored effective time");
        _assertPricing(model.pendingPricing, next, "pending pricing");
        _assertPricing(model.pricing, initial, "stored pricing unchanged");
        _assertPricing(registry.pricingOf(modelId), initial, "pricing in force unchanged");
    }

    function test_setPricing_emitsPricingScheduled() public {
        Pricing memory next = _pricing(2, 3, 4);
        vm.expectEmit(address(registry));
        emit IModelRegistry.PricingScheduled(modelId, next, block.timestamp + delay);
        _setPricing(next);
    }

    function test_setPricing_pricingOfSwitchesExactlyAtEffectiveAt() public {
        Pricing memory initial = registry.pricingOf(modelId);
        Pricing memory next = _pricing(7, 8, 9);
        uint256 effectiveAt = _setPricing(next);

        vm.warp(effectiveAt - 1);
        _assertPricing(registry.pricingOf(modelId), initial, "one second before");
        vm.warp(effectiveAt);
        _assertPricing(registry.pricingOf(modelId), next, "at effectiveAt");
        vm.warp(effectiveAt + 365 days);
        _assertPricing(registry.pricingOf(modelId), next, "long after");
    }

    function test_setPricing_revertsInsideDelay() public {
        uint256 effectiveAt = _setPricing(_pricing(7, 8, 9));
        vm.warp(effectiveAt - 1);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.PricingChangePending.selector, modelId, effectiveAt));
        registry.setPricing(modelId, _pricing(1, 1, 1));
    }

    function testFuzz_setPricing_revertsInsideDelay(uint256 elapsed) public {
        uint256 effectiveAt = _setPricing(_pricing(7, 8, 9));
        elapsed = bound(elapsed, 0, delay - 1);
        vm.warp(block.timestamp + elapsed);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.PricingChangePending.selector, modelId, effectiveAt));
        registry.setPricing(modelId, _pricing(1, 1, 1));
    }

    function test_setPricing_secondChangeAfterFirstTookEffect() public {
        Pricing memory first = _pricing(7, 8, 9);
        Pricing memory second = _pricing(70, 80, 90);
        uint256 firstAt = _setPricing(first);

        vm.warp(firstAt);
        uint256 secondAt = _setPricing(second);
        assertEq(secondAt, firstAt + delay, "second effective one delay later");

        Model memory model = registry.getModel(modelId);
        _assertPricing(model.pricing, first, "first change folded into stored pricing");
        _assertPricing(model.pendingPricing, second, "second change pending");
        _assertPricing(registry.pricingOf(modelId), first, "first in force until the second is due");

        vm.warp(secondAt - 1);
        _assertPricing(registry.pricingOf(modelId), first, "first still in force before secondAt");
        vm.warp(secondAt);
        _assertPricing(registry.pricingOf(modelId), second, "second in force at secondAt");
    }

    function testFuzz_setPricing_storesAnyPricing(uint80 input, uint80 output, uint80 reasoning) public {
        Pricing memory next = Pricing(input, output, reasoning);
        uint256 effectiveAt = _setPricing(next);
        vm.warp(effectiveAt);
        _assertPricing(registry.pricingOf(modelId), next, "fuzzed pricing in force");
    }

    function test_setPricing_revertsForNonOwner() public {
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, attacker));
        registry.setPricing(modelId, _pricing(0, 0, 0));
    }

    function test_setPricing_revertsForUnknownModel() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 2));
        registry.setPricing(2, _pricing(0, 0, 0));
    }

    function test_setPricing_worksWhilePaused() public {
        vm.startPrank(modelOwner);
        registry.setPaused(modelId, true);
        uint256 effectiveAt = registry.setPricing(modelId, _pricing(1, 2, 3));
        vm.stopPrank();
        assertEq(registry.getModel(modelId).pendingPricingAt, effectiveAt, "scheduled while paused");
    }
}
