// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelRegistry} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {BaseTest} from "../BaseTest.sol";

contract SetPausedTest is BaseTest {
    function test_setPaused_pausesAndUnpauses() public {
        vm.expectEmit(address(registry));
        emit IModelRegistry.PauseSet(modelId, true);
        vm.prank(modelOwner);
        registry.setPaused(modelId, true);
        assertTrue(registry.getModel(modelId).paused, "paused");
        (,,,, bool paused) = registry.lineageOf(modelId);
        assertTrue(paused, "lineage reports paused");

        vm.expectEmit(address(registry));
        emit IModelRegistry.PauseSet(modelId, false);
        vm.prank(modelOwner);
        registry.setPaused(modelId, false);
        assertFalse(registry.getModel(modelId).paused, "unpaused");
    }

    function test_setPaused_revertsWhenAlreadyUnpaused() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.PauseUnchanged.selector, modelId, false));
        registry.setPaused(modelId, false);
    }

    function test_setPaused_revertsWhenAlreadyPaused() public {
        vm.startPrank(modelOwner);
        registry.setPaused(modelId, true);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.PauseUnchanged.selector, modelId, true));
        registry.setPaused(modelId, true);
        vm.stopPrank();
    }

    function test_setPaused_revertsForNonOwner() public {
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.NotModelOwner.selector, modelId, attacker));
        registry.setPaused(modelId, true);
    }

    function test_setPaused_revertsForUnknownModel() public {
        vm.prank(modelOwner);
        vm.expectRevert(abi.encodeWithSelector(IModelRegistry.UnknownModel.selector, 3));
        registry.setPaused(3, true);
    }

    function test_setPaused_doesNotAffectShares() public {
        vm.prank(modelOwner);
        registry.setPaused(modelId, true);
        _deposit(100 * USDC);
        _transferShares(modelOwner, alice, SUPPLY / 2);
        assertEq(share.balanceOf(alice), SUPPLY / 2, "shares still transfer while the model is paused");
    }
}
