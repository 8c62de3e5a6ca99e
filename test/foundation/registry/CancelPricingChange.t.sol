// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry, Model, Pricing} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract CancelPricingChangeTest is BaseTest {
    function _schedule() internal returns (uint256 effectiveAt) {
        vm.prank(modelOwner);
        effectiveAt = registry.setPricing(modelId, _pricing(9, 9, 9));
    }

    function test_cancelPricingChange_clearsPendingChange() public {
        Pricing memory initial = registry.pricingOf(modelId);
        uint256 effectiveAt = _schedule();

        vm.expectEmit(address(registry));
        emit IModelRegistry.PricingChangeCancelled(modelId);
        vm.prank(modelOwner);
        registry.cancelPricingChange(modelId);

        Model memory model = registry.getModel(modelId);
        assertEq(model.pendingPricingAt, 0, "nothing scheduled");
        assertEq(model.pendingPricing.inputPerMTok, 0, "pending pricing cleared");
        vm.warp(effectiveAt);
        assertEq(registry.pricingOf(modelId).inputPerMTok, initial.inputPerMTok, "old pricing stays in force");
    }

    function test_cancelPricingChange_allowsNewChangeRightAway() public {
        _schedule();
        vm.startPrank(modelOwner);
        registry.cancelPricingChange(modelId);
        uint256 effectiveAt = registry.setPricing(modelId, _pricing(4, 4, 4));
        vm.stopPrank();
        assertEq(effectiveAt, block.timestamp + registry.PRICING_DELAY(), "new change scheduled");
    }

    function test_cancelPricingChange_revertsWhenNothingScheduled() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NoPricingChangePending.selector, modelId));
        registry.cancelPricingChange(modelId);
    }

    function test_cancelPricingChange_revertsAfterChangeTookEffect() public {
        uint256 effectiveAt = _schedule();
        vm.warp(effectiveAt);
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NoPricingChangePending.selector, modelId));
        registry.cancelPricingChange(modelId);
    }

    function test_cancelPricingChange_worksOneSecondBeforeEffect() public {
        uint256 effectiveAt = _schedule();
        vm.warp(effectiveAt - 1);
        vm.prank(modelOwner);
        registry.cancelPricingChange(modelId);
        assertEq(registry.getModel(modelId).pendingPricingAt, 0, "cancelled just in time");
    }

    function test_cancelPricingChange_revertsForNonOwner() public {
        _schedule();
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, attacker));
        registry.cancelPricingChange(modelId);
    }

    function test_cancelPricingChange_revertsForUnknownModel() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 5));
        registry.cancelPricingChange(5);
    }
}
