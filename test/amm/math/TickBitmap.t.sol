// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {MathHarness} from "../mocks/MathHarness.sol";
import {TickBitmapHarness} from "../mocks/StorageHarness.sol";
import {Test} from "forge-std/Test.sol";

contract TickBitmapTest is Test {
    TickBitmapHarness internal bitmap;
    MathHarness internal math;

    function setUp() public {
        bitmap = new TickBitmapHarness();
        math = new MathHarness();
        int24[9] memory ticks = [int24(-200), -55, -4, 70, 78, 84, 139, 240, 535];
        for (uint256 i; i < ticks.length; ++i) {
            bitmap.flipTick(ticks[i], 1);
        }
    }

    function _next(int24 tick, bool lte) private view returns (int24 next, bool initialized) {
        return bitmap.nextInitializedTickWithinOneWord(tick, 1, lte);
    }

    function test_flipTick_togglesOneBit() public {
        assertTrue(bitmap.isInitialized(-4, 1), "set");
        bitmap.flipTick(-4, 1);
        assertFalse(bitmap.isInitialized(-4, 1), "cleared");
        assertTrue(bitmap.isInitialized(-55, 1), "neighbour untouched");
        bitmap.flipTick(-4, 1);
        assertTrue(bitmap.isInitialized(-4, 1), "set again");
    }

    function test_nextInitializedTickWithinOneWord_rightSkipsCurrent() public view {
        (int24 next, bool initialized) = _next(78, false);
        assertEq(next, 84, "strictly right");
        assertTrue(initialized, "initialized");
        (next, initialized) = _next(-55, false);
        assertEq(next, -4, "from a negative initialized tick");
        assertTrue(initialized, "initialized");
    }

    function test_nextInitializedTickWithinOneWord_rightStopsAtWordEnd() public view {
        (int24 next, bool initialized) = _next(255, false);
        assertEq(next, 511, "end of the next word");
        assertFalse(initialized, "boundary, not initialized");
        (next, initialized) = _next(-257, false);
        assertEq(next, -200, "across a word into the next one");
        assertTrue(initialized, "initialized");
    }

    function test_nextInitializedTickWithinOneWord_leftIncludesCurrent() public view {
        (int24 next, bool initialized) = _next(78, true);
        assertEq(next, 78, "current tick counts");
        assertTrue(initialized, "initialized");
        (next, initialized) = _next(79, true);
        assertEq(next, 78, "nearest to the left");
        assertTrue(initialized, "initialized");
    }

    function test_nextInitializedTickWithinOneWord_leftStopsAtWordStart() public view {
        (int24 next, bool initialized) = _next(258, true);
        assertEq(next, 256, "start of the word");
        assertFalse(initialized, "boundary, not initialized");
        (next, initialized) = _next(-257, true);
        assertEq(next, -512, "start of a negative word");
        assertFalse(initialized, "boundary, not initialized");
    }

    function test_nextInitializedTickWithinOneWord_negativeTicksRoundTowardMinusInfinity() public {
        TickBitmapHarness spaced = new TickBitmapHarness();
        spaced.flipTick(-60, 60);
        // -1 with spacing 60 compresses to -1 (tick -60), not 0.
        (int24 next, bool initialized) = spaced.nextInitializedTickWithinOneWord(-1, 60, true);
        assertEq(next, -60, "compressed toward -inf");
        assertTrue(initialized, "initialized");
        (next, initialized) = spaced.nextInitializedTickWithinOneWord(-61, 60, false);
        assertEq(next, -60, "right of -61");
        assertTrue(initialized, "initialized");
    }

    function test_nextInitializedTickWithinOneWord_mayPassTickBounds() public {
        TickBitmapHarness empty = new TickBitmapHarness();
        (int24 next,) = empty.nextInitializedTickWithinOneWord(TickMath.MIN_TICK, 1, true);
        assertLe(next, TickMath.MIN_TICK, "left of MIN_TICK (the pool clamps)");
        (next,) = empty.nextInitializedTickWithinOneWord(TickMath.MAX_TICK - 1, 1, false);
        assertGe(next, TickMath.MAX_TICK, "right of MAX_TICK (the pool clamps)");
    }

    function testFuzz_nextInitializedTickWithinOneWord_withinOneWord(int24 tick, bool lte) public view {
        tick = int24(bound(tick, TickMath.MIN_TICK, TickMath.MAX_TICK));
        (int24 next, bool initialized) = _next(tick, lte);
        if (lte) {
            assertLe(next, tick, "left or at");
            assertLe(tick - next, 255, "within one word");
        } else {
            assertGt(next, tick, "strictly right");
            assertLe(next - tick, 256, "within one word");
        }
        // No initialized tick is skipped between the start and the result.
        (int24 lo, int24 hi) = lte ? (next + 1, tick) : (tick + 1, next - 1);
        for (int24 t = lo; t <= hi; ++t) {
            assertFalse(bitmap.isInitialized(t, 1), "no skipped initialized tick");
        }
        if (initialized) assertTrue(bitmap.isInitialized(next, 1), "result initialized");
    }
}
