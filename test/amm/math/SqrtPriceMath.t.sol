// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {MathHarness} from "../mocks/MathHarness.sol";
import {V3Vectors} from "../utils/V3Vectors.sol";
import {Test} from "forge-std/Test.sol";

contract SqrtPriceMathTest is Test {
    uint160 internal constant ONE = 1 << 96;
    MathHarness internal math;

    function setUp() public {
        math = new MathHarness();
    }

    function test_getAmountDeltas_matchV3Sdk() public view {
        (
            uint160[] memory a,
            uint160[] memory b,
            uint128[] memory l,
            uint256[] memory up0,
            uint256[] memory up1,
            uint256[] memory down0,
            uint256[] memory down1
        ) = V3Vectors.amountDeltas();
        for (uint256 i; i < a.length; ++i) {
            string memory label = vm.toString(i);
            assertEq(math.getAmount0Delta(a[i], b[i], l[i], true), up0[i], string.concat("amount0 up ", label));
            assertEq(math.getAmount1Delta(a[i], b[i], l[i], true), up1[i], string.concat("amount1 up ", label));
            assertEq(math.getAmount0Delta(a[i], b[i], l[i], false), down0[i], string.concat("amount0 down ", label));
            assertEq(math.getAmount1Delta(a[i], b[i], l[i], false), down1[i], string.concat("amount1 down ", label));
        }
    }

    function test_getNextSqrtPrice_matchesV3Sdk() public view {
        (
            uint160[] memory price,
            uint128[] memory liquidity,
            uint256[] memory amount,
            bool[] memory zeroForOne,
            bool[] memory isInput,
            uint160[] memory next
        ) = V3Vectors.nextPrices();
        for (uint256 i; i < price.length; ++i) {
            uint160 got = isInput[i]
                ? math.getNextSqrtPriceFromInput(price[i], liquidity[i], amount[i], zeroForOne[i])
                : math.getNextSqrtPriceFromOutput(price[i], liquidity[i], amount[i], zeroForOne[i]);
            assertEq(got, next[i], string.concat("next price ", vm.toString(i)));
        }
    }

    function test_getAmount0Delta_roundsUpByOne() public view {
        uint160 a = ONE;
        uint160 b = ONE * 2;
        // L * (1/sqrt(a) - 1/sqrt(b)) = L / 2 exactly for even L; odd L leaves a remainder.
        assertEq(math.getAmount0Delta(a, b, 3, false), 1, "3/2 rounded down");
        assertEq(math.getAmount0Delta(a, b, 3, true), 2, "3/2 rounded up");
        assertEq(math.getAmount0Delta(a, b, 4, true), 2, "exact: no rounding up");
    }

    function test_getAmount1Delta_roundsUpByOne() public view {
        assertEq(math.getAmount1Delta(ONE, ONE + ONE / 2, 3, false), 1, "3/2 rounded down");
        assertEq(math.getAmount1Delta(ONE, ONE + ONE / 2, 3, true), 2, "3/2 rounded up");
    }

    function test_getAmount0Delta_revertsOnZeroPrice() public {
        vm.expectRevert(ICognitionPoolErrors.ZeroPriceOrLiquidity.selector);
        math.getAmount0Delta(0, ONE, 1, true);
    }

    function test_getNextSqrtPriceFromInput_revertsOnZeroLiquidity() public {
        vm.expectRevert(ICognitionPoolErrors.ZeroPriceOrLiquidity.selector);
        math.getNextSqrtPriceFromInput(ONE, 0, 1, true);
    }

    function test_getNextSqrtPriceFromInput_zeroAmountIsNoop() public view {
        assertEq(math.getNextSqrtPriceFromInput(ONE, 1e18, 0, true), ONE, "token0 in");
        assertEq(math.getNextSqrtPriceFromInput(ONE, 1e18, 0, false), ONE, "token1 in");
    }

    function test_getNextSqrtPriceFromInput_hugeToken0InGoesToOneWei() public view {
        // amount * price overflows 256 bits: the fallback formula still rounds up, to the smallest price.
        assertEq(
            math.getNextSqrtPriceFromInput(TickMath.MAX_SQRT_RATIO - 1, 1, type(uint256).max / 2, true), 1, "floor"
        );
    }

    function test_getNextSqrtPriceFromInput_revertsWhenToken1InOverflowsPrice() public {
        vm.expectRevert(ICognitionPoolErrors.PriceOverflow.selector);
        math.getNextSqrtPriceFromInput(TickMath.MAX_SQRT_RATIO - 1, 1, type(uint160).max, false);
    }

    function test_getNextSqrtPriceFromOutput_revertsWhenOutputExceedsReserves() public {
        // With L = 1e18 at price 1 the token1 reserve is 1e18: asking for all of it is impossible.
        vm.expectRevert(ICognitionPoolErrors.PriceOverflow.selector);
        math.getNextSqrtPriceFromOutput(ONE, 1e18, 1e18, true);
        vm.expectRevert(ICognitionPoolErrors.PriceOverflow.selector);
        math.getNextSqrtPriceFromOutput(ONE, 1e18, 1e18, false);
    }

    function testFuzz_getAmountDelta_upMinusDownIsZeroOrOne(uint160 a, uint160 b, uint128 liquidity) public view {
        a = uint160(bound(a, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO));
        b = uint160(bound(b, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO));
        uint256 up0 = math.getAmount0Delta(a, b, liquidity, true);
        uint256 down0 = math.getAmount0Delta(a, b, liquidity, false);
        uint256 up1 = math.getAmount1Delta(a, b, liquidity, true);
        uint256 down1 = math.getAmount1Delta(a, b, liquidity, false);
        assertTrue(up0 == down0 || up0 == down0 + 1, "amount0 rounding differs by at most 1");
        assertTrue(up1 == down1 || up1 == down1 + 1, "amount1 rounding differs by at most 1");
    }

    /// @dev A price moved by an input never gives back more output than the input pays for: re-pricing the move
    /// costs at most the input.
    function testFuzz_getNextSqrtPriceFromInput_neverUndercharges(
        uint160 price,
        uint128 liquidity,
        uint96 amountIn,
        bool zeroForOne
    ) public view {
        price = uint160(bound(price, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO - 1));
        liquidity = uint128(bound(liquidity, 1, type(uint128).max));
        uint160 next;
        try math.getNextSqrtPriceFromInput(price, liquidity, amountIn, zeroForOne) returns (uint160 n) {
            next = n;
        } catch {
            return; // price left the uint160 range
        }
        if (zeroForOne) {
            assertLe(next, price, "token0 in lowers the price");
            if (next > 0) assertLe(math.getAmount0Delta(next, price, liquidity, true), amountIn, "cost of the move");
        } else {
            assertGe(next, price, "token1 in raises the price");
            assertLe(math.getAmount1Delta(price, next, liquidity, true), amountIn, "cost of the move");
        }
    }

    /// @dev A price moved for an output always makes at least that output available.
    function testFuzz_getNextSqrtPriceFromOutput_alwaysCoversOutput(
        uint160 price,
        uint128 liquidity,
        uint96 amountOut,
        bool zeroForOne
    ) public view {
        price = uint160(bound(price, TickMath.MIN_SQRT_RATIO, TickMath.MAX_SQRT_RATIO - 1));
        liquidity = uint128(bound(liquidity, 1, type(uint128).max));
        uint160 next;
        try math.getNextSqrtPriceFromOutput(price, liquidity, amountOut, zeroForOne) returns (uint160 n) {
            next = n;
        } catch {
            return; // more than the reserves
        }
        if (zeroForOne) {
            assertGe(math.getAmount1Delta(next, price, liquidity, false), amountOut, "token1 available");
        } else {
            assertGe(math.getAmount0Delta(price, next, liquidity, false), amountOut, "token0 available");
        }
    }
}
