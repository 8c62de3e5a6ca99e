// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {AmmBase} from "../utils/AmmBase.sol";

contract SwapTest is AmmBase {
    function setUp() public override {
        super.setUp();
        lp.mint(-600, 600, 1e18);
        lp.mint(-1200, -600, 1e18);
        lp.mint(600, 1200, 1e18);
    }

    function test_swap_exactInputZeroForOne() public {
        uint256 out0 = _balance(token1, address(trader));
        (int256 a0, int256 a1) = trader.swap(true, 1e15, _minLimit());
        assertEq(a0, 1e15, "exact input");
        assertLt(a1, 0, "output");
        assertEq(_balance(token1, address(trader)) - out0, uint256(-a1), "output delivered");
        (uint160 price, int24 tick) = _price();
        assertLt(price, PRICE_ONE, "price fell");
        assertEq(tick, TickMath.getTickAtSqrtRatio(price), "tick consistent");
        assertGt(pool.feeGrowthGlobal0X128(), 0, "fee in token0");
        assertEq(pool.feeGrowthGlobal1X128(), 0, "no fee in token1");
    }

    function test_swap_exactOutputOneForZero() public {
        (int256 a0, int256 a1) = trader.swap(false, -1e15, _maxLimit());
        assertEq(a0, -1e15, "exact output");
        assertGt(a1, 1e15, "input above output plus fee");
    }

    function test_swap_stopsAtPriceLimit() public {
        uint160 limit = TickMath.getSqrtRatioAtTick(-30);
        (int256 a0,) = trader.swap(true, 1e30, limit);
        (uint160 price, int24 tick) = _price();
        assertEq(price, limit, "stopped at the limit");
        assertEq(tick, -30, "tick of the limit");
        assertLt(a0, 1e30, "only part of the input used");
    }

    function test_swap_crossesTicksAndUpdatesLiquidity() public {
        trader.swap(true, 1e30, TickMath.getSqrtRatioAtTick(-900));
        assertEq(pool.liquidity(), 1e18, "only the lower range is active");
        (,, uint256 outside0,,,,,) = pool.ticks(-600);
        assertGt(outside0, 0, "outside growth flipped at the crossing");
        trader.swap(false, 1e30, TickMath.getSqrtRatioAtTick(900));
        assertEq(pool.liquidity(), 1e18, "only the upper range is active");
        (, int24 tick) = _price();
        assertEq(tick, 900, "tick");
    }

    function test_swap_leftwardOntoInitializedBoundaryCrossesIt() public {
        trader.swap(true, 1e30, TickMath.getSqrtRatioAtTick(-600));
        (uint160 price, int24 tick) = _price();
        assertEq(price, TickMath.getSqrtRatioAtTick(-600), "on the boundary");
        // Reaching an initialized tick's price going left crosses it: the tick is the one below (v3 semantics).
        assertEq(tick, -601, "tick below the boundary");
        assertEq(pool.liquidity(), 1e18, "lower range active");
        trader.swap(false, 1, _maxLimit());
        (, tick) = _price();
        assertEq(tick, -600, "crossed back on the way up");
    }

    function test_swap_exhaustsLiquidityAndStopsAtLimit() public {
        (int256 a0, int256 a1) = trader.swap(true, type(int128).max, _minLimit());
        (uint160 price,) = _price();
        assertEq(price, _minLimit(), "ran to the limit");
        assertEq(pool.liquidity(), 0, "no liquidity left in range");
        assertLt(a0, type(int128).max, "partial fill");
        assertGt(-a1, 0, "output");
        assertLe(_balance(token1, address(pool)), 3, "token1 reserves drained to rounding dust");
    }

    function test_swap_emitsSwap() public {
        vm.expectEmit(true, true, false, false, address(pool));
        emit ICognitionPool.Swap(address(trader), address(trader), 0, 0, 0, 0, 0);
        trader.swap(true, 1e15, _minLimit());
    }

    function test_swap_revertsZeroAmount() public {
        vm.expectRevert(ICognitionPoolErrors.ZeroAmount.selector);
        trader.swap(true, 0, _minLimit());
    }

    function test_swap_revertsPriceLimitWrongDirection() public {
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.PriceLimitOutOfRange.selector, PRICE_ONE + 1, PRICE_ONE)
        );
        trader.swap(true, 1e15, PRICE_ONE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.PriceLimitOutOfRange.selector, PRICE_ONE - 1, PRICE_ONE)
        );
        trader.swap(false, 1e15, PRICE_ONE - 1);
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.PriceLimitOutOfRange.selector, PRICE_ONE, PRICE_ONE)
        );
        trader.swap(true, 1e15, PRICE_ONE);
    }

    function test_swap_revertsPriceLimitOutsideBounds() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                ICognitionPoolErrors.PriceLimitOutOfRange.selector, TickMath.MIN_SQRT_RATIO, PRICE_ONE
            )
        );
        trader.swap(true, 1e15, TickMath.MIN_SQRT_RATIO);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICognitionPoolErrors.PriceLimitOutOfRange.selector, TickMath.MAX_SQRT_RATIO, PRICE_ONE
            )
        );
        trader.swap(false, 1e15, TickMath.MAX_SQRT_RATIO);
    }

    function test_swap_revertsWhenCallbackUnderpays() public {
        trader.setShortfall(1);
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.InsufficientPayment.selector, token0, 1e15, 1e15 - 1)
        );
        trader.swap(true, 1e15, _minLimit());
    }

    function test_swap_feesGoToInRangeLiquidity() public {
        trader.swap(true, 1e16, _minLimit());
        lp.burn(-600, 600, 0);
        (,,, uint128 owed0,) = pool.positions(keccak256(abi.encodePacked(address(lp), int24(-600), int24(600))));
        assertApproxEqAbs(owed0, 3e13, 1, "0.3% of the input");
        vm.expectRevert(ICognitionPoolErrors.PositionNotFound.selector);
        trader.burn(-1200, -600, 0);
        lp.burn(-1200, -600, 0);
        (,,, uint128 outOfRange,) = pool.positions(keccak256(abi.encodePacked(address(lp), int24(-1200), int24(-600))));
        assertEq(outOfRange, 0, "out-of-range liquidity earns nothing");
    }

    function testFuzz_swap_roundTripNeverProfits(uint96 amount, bool zeroForOne) public {
        amount = uint96(bound(amount, 1, 1e20));
        uint256 before0 = _balance(token0, address(trader));
        uint256 before1 = _balance(token1, address(trader));
        (int256 a0, int256 a1) =
            trader.swap(zeroForOne, int256(uint256(amount)), zeroForOne ? _minLimit() : _maxLimit());
        uint256 back = uint256(-(zeroForOne ? a1 : a0));
        if (back > 0) trader.swap(!zeroForOne, int256(back), zeroForOne ? _maxLimit() : _minLimit());
        assertLe(_balance(token0, address(trader)), before0, "no token0 gained");
        assertLe(_balance(token1, address(trader)), before1, "no token1 gained");
    }

    function testFuzz_swap_exactOutputDeliversExactly(uint96 amount, bool zeroForOne) public {
        amount = uint96(bound(amount, 1, 5e16));
        (int256 a0, int256 a1) =
            trader.swap(zeroForOne, -int256(uint256(amount)), zeroForOne ? _minLimit() : _maxLimit());
        assertEq(zeroForOne ? -a1 : -a0, int256(uint256(amount)), "exact output");
    }
}
