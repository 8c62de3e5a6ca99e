// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {AmmBase} from "../utils/AmmBase.sol";

contract BurnCollectTest is AmmBase {
    function setUp() public override {
        super.setUp();
        lp.mint(-600, 600, 1e18);
    }

    function _owed(address owner, int24 lower, int24 upper) internal view returns (uint128 owed0, uint128 owed1) {
        (,,, owed0, owed1) = pool.positions(keccak256(abi.encodePacked(owner, lower, upper)));
    }

    function test_burn_creditsOwedWithoutTransfer() public {
        uint256 b0 = _balance(token0, address(lp));
        (uint256 a0, uint256 a1) = lp.burn(-600, 600, 4e17);
        assertEq(_balance(token0, address(lp)), b0, "nothing sent");
        (uint128 owed0, uint128 owed1) = _owed(address(lp), -600, 600);
        assertEq(owed0, a0, "owed0");
        assertEq(owed1, a1, "owed1");
        assertEq(pool.liquidity(), 6e17, "liquidity reduced");
    }

    function test_burn_roundsDown() public {
        (uint256 a0, uint256 a1) = lp.burn(-600, 600, 1e18);
        assertEq(a0, 29_553_010_879_137_169, "one wei less than minted (token0)");
        assertEq(a1, 29_553_010_879_137_169, "one wei less than minted (token1)");
    }

    function test_burn_zeroPokesFees() public {
        trader.swap(true, 1e16, _minLimit());
        (uint128 before0,) = _owed(address(lp), -600, 600);
        assertEq(before0, 0, "fees not credited yet");
        vm.expectEmit(address(pool));
        emit ICognitionPool.Burn(address(lp), -600, 600, 0, 0, 0);
        lp.burn(-600, 600, 0);
        (uint128 owed0,) = _owed(address(lp), -600, 600);
        // 0.3% of 1e16, less rounding: the LP is the only liquidity.
        assertApproxEqAbs(owed0, 3e13, 1, "fee credited");
        assertLe(owed0, 3e13, "fee rounded down");
    }

    function test_burn_revertsPokeOfEmptyPosition() public {
        vm.expectRevert(ICognitionPoolErrors.PositionNotFound.selector);
        trader.burn(-600, 600, 0);
    }

    function test_burn_revertsAboveLiquidity() public {
        vm.expectRevert(ICognitionPoolErrors.LiquidityOverflow.selector);
        lp.burn(-600, 600, 1e18 + 1);
    }

    function test_burn_clearsUnusedTicks() public {
        lp.burn(-600, 600, 1e18);
        (uint128 gross,,,,,,, bool initialized) = pool.ticks(-600);
        assertEq(gross, 0, "gross");
        assertFalse(initialized, "cleared");
        assertEq(pool.tickBitmap(-1), 0, "bitmap cleared");
        assertEq(pool.tickBitmap(0), 0, "bitmap cleared");
    }

    function test_collect_sendsUpToRequested() public {
        (uint256 a0, uint256 a1) = lp.burn(-600, 600, 1e18);
        uint256 b0 = _balance(token0, address(lp));
        vm.prank(address(lp));
        (uint128 c0, uint128 c1) = pool.collect(address(lp), -600, 600, 5, type(uint128).max);
        assertEq(c0, 5, "capped by request");
        assertEq(c1, a1, "all of token1");
        assertEq(_balance(token0, address(lp)) - b0, 5, "token0 sent");
        (uint128 owed0, uint128 owed1) = _owed(address(lp), -600, 600);
        assertEq(owed0, a0 - 5, "rest still owed");
        assertEq(owed1, 0, "token1 settled");
    }

    function test_collect_toOtherRecipient() public {
        lp.burn(-600, 600, 1e18);
        address to = makeAddr("to");
        vm.prank(address(lp));
        (uint128 c0, uint128 c1) = pool.collect(to, -600, 600, type(uint128).max, type(uint128).max);
        assertEq(_balance(token0, to), c0, "token0 to recipient");
        assertEq(_balance(token1, to), c1, "token1 to recipient");
    }

    function test_collect_nothingOwedSendsNothing() public {
        (uint128 c0, uint128 c1) = trader.collect(-600, 600);
        assertEq(c0 + c1, 0, "nothing");
    }
}
