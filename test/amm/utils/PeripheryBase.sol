// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CognitionRouter} from "../../../src/periphery/CognitionRouter.sol";
import {LiquidityManager} from "../../../src/periphery/LiquidityManager.sol";
import {TickLens} from "../../../src/periphery/TickLens.sol";
import {AmmBase} from "./AmmBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

abstract contract PeripheryBase is AmmBase {
    CognitionRouter internal router;
    LiquidityManager internal manager;
    TickLens internal lens;
    address internal alice;
    address internal bob;

    function setUp() public virtual override {
        super.setUp();
        router = new CognitionRouter(address(factory));
        manager = new LiquidityManager(address(factory));
        lens = new TickLens();
        alice = _user("alice");
        bob = _user("bob");
    }

    function _user(string memory name) internal returns (address user) {
        user = makeAddr(name);
        stable.mint(user, 1e36);
        share.transfer(user, SHARE_SUPPLY / 16);
        vm.startPrank(user);
        IERC20(address(stable)).approve(address(router), type(uint256).max);
        IERC20(address(share)).approve(address(router), type(uint256).max);
        IERC20(address(stable)).approve(address(manager), type(uint256).max);
        IERC20(address(share)).approve(address(manager), type(uint256).max);
        vm.stopPrank();
    }
}
