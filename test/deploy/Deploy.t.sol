// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Deploy} from "../../script/Deploy.s.sol";
import {MockStablecoin} from "../../src/mocks/MockStablecoin.sol";
import {Test} from "forge-std/Test.sol";

contract DeployTest is Test {
    /// A stray REVENUE_STREAM_PERIOD_SECONDS=60 (the local suite's) must not reach a public deployment.
    function test_run_revertsOnAShortStreamOutsideALocalChain() public {
        vm.chainId(1);
        vm.setEnv("DEPLOYER_PRIVATE_KEY", vm.toString(uint256(0xA11CE)));
        vm.setEnv("STABLECOIN", vm.toString(address(new MockStablecoin())));
        vm.setEnv("STABLECOIN_USD_FEED", vm.toString(makeAddr("stablecoinUsdFeed")));
        vm.setEnv("REVENUE_STREAM_PERIOD_SECONDS", "60");
        Deploy deploy = new Deploy();
        vm.expectRevert(abi.encodeWithSelector(Deploy.RevenueStreamTooShort.selector, 60, 1 hours));
        deploy.run();
    }
}
