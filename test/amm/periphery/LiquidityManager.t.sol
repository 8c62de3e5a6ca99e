// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ILiquidityManager} from "../../../src/periphery/interfaces/ILiquidityManager.sol";
import {LiquidityAmounts} from "../../../src/periphery/libraries/LiquidityAmounts.sol";
import {PeripheryBase} from "../utils/PeripheryBase.sol";

contract LiquidityManagerTest is PeripheryBase {
    function _mintParams(int24 lower, int24 upper, uint256 amount0, uint256 amount1)
        internal
        view
        returns (ILiquidityManager.MintParams memory)
    {
        return ILiquidityManager.MintParams({
            token0: token0,
            token1: token1,
            fee: 3000,
            tickLower: lower,
            tickUpper: upper,
            amount0Desired: amount0,
            amount1Desired: amount1,
            amount0Min: 0,
            amount1Min: 0,
            recipient: alice,
            deadline: type(uint256).max
        });
    }

    function _mint(int24 lower, int24 upper, uint256 amount0, uint256 amount1)
        internal
        returns (uint256 id, uint128 liquidity, uint256 a0, uint256 a1)
    {
        vm.prank(alice);
        return manager.mint(_mintParams(lower, upper, amount0, amount1));
    }

    function test_mint_createsPositionWithMaxLiquidityForAmounts() public {
        (uint256 id, uint128 liquidity, uint256 a0, uint256 a1) = _mint(-600, 600, 1e18, 2e18);
        assertEq(id, 1, "first id");
        uint128 expected = LiquidityAmounts.getLiquidityForAmounts(
            PRICE_ONE, TickMath.getSqrtRatioAtTick(-600), TickMath.getSqrtRatioAtTick(600), 1e18, 2e18
        );
        assertEq(liquidity, expected, "max liquidity for the amounts");
        assertLe(a0, 1e18, "within desired token0");
        assertLe(a1, 2e18, "within desired token1");
        (address owner, address p, int24 lower, int24 upper, uint128 l,,,,) = manager.positions(id);
        assertEq(owner, alice, "owner");
        assertEq(p, address(pool), "pool");
        assertEq(lower, -600, "lower");
        assertEq(upper, 600, "upper");
        assertEq(l, liquidity, "liquidity");
        assertEq(pool.liquidity(), liquidity, "in the pool");
    }

    function test_mint_revertsOnSlippage() public {
        // Token1 binds at half the amount, so only ~half of token0 is used.
        ILiquidityManager.MintParams memory p = _mintParams(-600, 600, 1e18, 0.5e18);
        p.amount0Min = 0.9e18;
        vm.prank(alice);
        vm.expectPartialRevert(ILiquidityManager.SlippageExceeded.selector);
        manager.mint(p);
    }

    function test_mint_revertsAfterDeadline() public {
        ILiquidityManager.MintParams memory p = _mintParams(-600, 600, 1e18, 1e18);
        p.deadline = block.timestamp - 1;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.DeadlineExpired.selector, block.timestamp - 1));
        manager.mint(p);
    }

    function test_mint_revertsUnknownPoolAndUnsortedTokens() public {
        ILiquidityManager.MintParams memory p = _mintParams(-600, 600, 1e18, 1e18);
        p.fee = 10_000;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.PoolNotFound.selector, token0, token1, uint24(10_000)));
        manager.mint(p);
        p = _mintParams(-600, 600, 1e18, 1e18);
        (p.token0, p.token1) = (token1, token0);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.TokensNotSorted.selector, token1, token0));
        manager.mint(p);
    }

    function test_mint_revertsOnBadTicksWithPoolError() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickMisaligned.selector, int24(-601), int24(60)));
        manager.mint(_mintParams(-601, 600, 1e18, 1e18));
    }

    function test_increaseLiquidity_addsAndKeepsFees() public {
        (uint256 id, uint128 liquidity,,) = _mint(-600, 600, 1e18, 1e18);
        vm.prank(bob);
        (uint128 added,,) = manager.increaseLiquidity(
            ILiquidityManager.IncreaseLiquidityParams(id, 1e18, 1e18, 0, 0, type(uint256).max)
        );
        (,,,, uint128 l,,,,) = manager.positions(id);
        assertEq(l, liquidity + added, "liquidity added (anyone may add)");
    }

    function test_decreaseLiquidity_thenCollect() public {
        (uint256 id, uint128 liquidity, uint256 a0, uint256 a1) = _mint(-600, 600, 1e18, 1e18);
        vm.prank(alice);
        (uint256 r0, uint256 r1) =
            manager.decreaseLiquidity(ILiquidityManager.DecreaseLiquidityParams(id, liquidity, 0, 0, type(uint256).max));
        assertApproxEqAbs(r0, a0, 1, "token0 back less rounding");
        assertApproxEqAbs(r1, a1, 1, "token1 back less rounding");
        uint256 before0 = _balance(token0, bob);
        vm.prank(alice);
        (uint256 c0, uint256 c1) =
            manager.collect(ILiquidityManager.CollectParams(id, bob, type(uint128).max, type(uint128).max));
        assertEq(c0, r0, "collected token0");
        assertEq(c1, r1, "collected token1");
        assertEq(_balance(token0, bob) - before0, c0, "sent to recipient");
        vm.prank(alice);
        manager.burn(id);
        (address owner,,,,,,,,) = manager.positions(id);
        assertEq(owner, address(0), "deleted");
    }

    /// @dev The pool's burn does not accrue share revenue; the manager accrues it first, so the position leaves
    /// with everything its range earned while in range (the only LP here: all of the pool's revenue).
    function test_decreaseLiquidity_creditsRevenueStreamedUntilNow() public {
        (uint256 id, uint128 liquidity,,) = _mint(-600, 600, 1e24, 1e24);
        _depositRevenue(share, 1e12);
        vm.warp(block.timestamp + 6 hours);
        uint256 accrued = share.claimable(address(pool));
        assertGt(accrued, 0, "the pool's shares accrued revenue");
        vm.prank(alice);
        (uint256 r0, uint256 r1) =
            manager.decreaseLiquidity(ILiquidityManager.DecreaseLiquidityParams(id, liquidity, 0, 0, type(uint256).max));
        assertEq(share.claimable(address(pool)), 0, "claimed before the burn");
        (,,,,,,, uint128 owed0, uint128 owed1) = manager.positions(id);
        bool stableIs0 = token0 == address(stable);
        uint256 revenue = stableIs0 ? owed0 - r0 : owed1 - r1;
        assertApproxEqAbs(revenue, accrued, 1, "the revenue, less rounding, on top of the principal");
    }

    function test_collect_splitsFeesBetweenIdsOnSameRange() public {
        (uint256 idA,,,) = _mint(-600, 600, 1e18, 1e18);
        vm.prank(alice);
        (uint256 idB,,,) = manager.mint(_mintParams(-600, 600, 3e18, 3e18));
        trader.swap(true, 1e17, _minLimit());
        vm.startPrank(alice);
        (uint256 feeA,) =
            manager.collect(ILiquidityManager.CollectParams(idA, alice, type(uint128).max, type(uint128).max));
        (uint256 feeB,) =
            manager.collect(ILiquidityManager.CollectParams(idB, alice, type(uint128).max, type(uint128).max));
        vm.stopPrank();
        assertApproxEqAbs(feeA + feeB, 3e14, 2, "0.3% of the input in total");
        assertApproxEqRel(feeB, 3 * feeA, 1e12, "pro rata to liquidity");
    }

    function test_decreaseLiquidity_revertsForNonOwnerAndSlippage() public {
        (uint256 id, uint128 liquidity,,) = _mint(-600, 600, 1e18, 1e18);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.NotPositionOwner.selector, id, bob));
        manager.decreaseLiquidity(ILiquidityManager.DecreaseLiquidityParams(id, liquidity, 0, 0, type(uint256).max));
        vm.prank(alice);
        vm.expectPartialRevert(ILiquidityManager.SlippageExceeded.selector);
        manager.decreaseLiquidity(ILiquidityManager.DecreaseLiquidityParams(id, liquidity, 1e18, 0, type(uint256).max));
        vm.prank(alice);
        vm.expectRevert(ICognitionPoolErrors.LiquidityOverflow.selector);
        manager.decreaseLiquidity(ILiquidityManager.DecreaseLiquidityParams(id, liquidity + 1, 0, 0, type(uint256).max));
    }

    function test_transferPosition_changesOwner() public {
        (uint256 id,,,) = _mint(-600, 600, 1e18, 1e18);
        vm.prank(alice);
        manager.transferPosition(id, bob);
        (address owner,,,,,,,,) = manager.positions(id);
        assertEq(owner, bob, "bob owns it");
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.NotPositionOwner.selector, id, alice));
        manager.transferPosition(id, alice);
    }

    function test_burn_revertsWhenNotEmptyOrUnknown() public {
        (uint256 id,,,) = _mint(-600, 600, 1e18, 1e18);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.PositionNotEmpty.selector, id));
        manager.burn(id);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.UnknownPosition.selector, 99));
        manager.burn(99);
    }

    function test_cognitionMintCallback_rejectsStrangers() public {
        vm.expectRevert(abi.encodeWithSelector(ILiquidityManager.UnauthorizedCallback.selector, address(this)));
        manager.cognitionMintCallback(1, 1, "");
    }

    function testFuzz_mint_liquidityMatchesAmountsFormula(uint96 amount0, uint96 amount1, int24 lower, int24 width)
        public
    {
        amount0 = uint96(bound(amount0, 1e6, 1e26));
        amount1 = uint96(bound(amount1, 1e6, 1e26));
        lower = int24(bound(lower, -100, 99)) * 60;
        width = int24(bound(width, 1, 100)) * 60;
        uint128 expected = LiquidityAmounts.getLiquidityForAmounts(
            PRICE_ONE, TickMath.getSqrtRatioAtTick(lower), TickMath.getSqrtRatioAtTick(lower + width), amount0, amount1
        );
        if (expected == 0) return; // too little for one unit of liquidity: the pool would revert ZeroLiquidity
        (, uint128 liquidity, uint256 a0, uint256 a1) = _mint(lower, lower + width, amount0, amount1);
        assertEq(liquidity, expected, "liquidity");
        assertLe(a0, amount0, "never more than desired token0");
        assertLe(a1, amount1, "never more than desired token1");
    }
}
