// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingDeployer} from "../../script/deploy/LendingDeployer.sol";
import {AdaptiveIrm} from "../../src/lending/AdaptiveIrm.sol";
import {LendingMarket} from "../../src/lending/LendingMarket.sol";
import {Test} from "forge-std/Test.sol";

contract LendingDeployerHarness is LendingDeployer {
    function deploy(address protocolOwner) external returns (address, address) {
        return _deployLending(address(this), protocolOwner);
    }

    function lltvs() external pure returns (uint256[5] memory) {
        return _lendingLltvs();
    }
}

contract LendingDeployerTest is Test {
    LendingDeployerHarness internal harness = new LendingDeployerHarness();

    function test_deployLending_enablesTheIrmAndLltvsThenHandsOver() public {
        address protocolOwner = makeAddr("protocolOwner");
        (address lendingMarket, address irm) = harness.deploy(protocolOwner);
        LendingMarket market = LendingMarket(lendingMarket);
        assertEq(market.owner(), protocolOwner, "owner");
        assertEq(market.feeRecipient(), protocolOwner, "fee recipient");
        assertTrue(market.isIrmEnabled(irm), "irm enabled");
        assertEq(AdaptiveIrm(irm).LENDING_MARKET(), lendingMarket, "irm serves the market");
        uint256[5] memory lltvs = harness.lltvs();
        for (uint256 i; i < lltvs.length; ++i) {
            assertTrue(market.isLltvEnabled(lltvs[i]), "lltv enabled");
        }
        assertFalse(market.isLltvEnabled(0.5e18), "no other lltv");
    }

    function test_deployLending_keepsTheDeployerWhenItIsTheOwner() public {
        (address lendingMarket,) = harness.deploy(address(harness));
        assertEq(LendingMarket(lendingMarket).owner(), address(harness), "owner");
    }
}
