// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {SqrtPriceMath} from "../../../src/amm/libraries/SqrtPriceMath.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {AmmBase} from "../utils/AmmBase.sol";

contract MintTest is AmmBase {
    function _key(address owner, int24 lower, int24 upper) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(owner, lower, upper));
    }

    function test_mint_inRangeTakesBothTokensRoundedUp() public {
        uint256 b0 = _balance(token0, address(pool));
        uint256 b1 = _balance(token1, address(pool));
        vm.expectEmit(address(pool));
        emit ICognitionPool.Mint(
            address(lp), address(lp), -600, 600, 1e18, 29_553_010_879_137_170, 29_553_010_879_137_170
        );
        (uint256 a0, uint256 a1) = lp.mint(-600, 600, 1e18);
        uint160 lower = TickMath.getSqrtRatioAtTick(-600);
        uint160 upper = TickMath.getSqrtRatioAtTick(600);
        assertEq(a0, SqrtPriceMath.getAmount0Delta(PRICE_ONE, upper, 1e18, true), "amount0 rounded up");
        assertEq(a1, SqrtPriceMath.getAmount1Delta(lower, PRICE_ONE, 1e18, true), "amount1 rounded up");
        assertEq(_balance(token0, address(pool)) - b0, a0, "token0 paid");
        assertEq(_balance(token1, address(pool)) - b1, a1, "token1 paid");
        assertEq(pool.liquidity(), 1e18, "in-range liquidity");
        (uint128 liquidity,,,,) = pool.positions(_key(address(lp), -600, 600));
        assertEq(liquidity, 1e18, "position liquidity");
    }

    function test_mint_aboveRangeTakesOnlyToken0() public {
        (uint256 a0, uint256 a1) = lp.mint(60, 120, 1e18);
        assertGt(a0, 0, "token0");
        assertEq(a1, 0, "no token1");
        assertEq(pool.liquidity(), 0, "not in range");
    }

    function test_mint_belowRangeTakesOnlyToken1() public {
        (uint256 a0, uint256 a1) = lp.mint(-120, -60, 1e18);
        assertEq(a0, 0, "no token0");
        assertGt(a1, 0, "token1");
        assertEq(pool.liquidity(), 0, "not in range");
    }

    function test_mint_initializesTicksAndBitmap() public {
        lp.mint(-120, 60, 5);
        (uint128 grossLower, int128 netLower,,,,,, bool initLower) = pool.ticks(-120);
        (uint128 grossUpper, int128 netUpper,,,,,, bool initUpper) = pool.ticks(60);
        assertEq(grossLower, 5, "gross lower");
        assertEq(netLower, 5, "net lower");
        assertEq(grossUpper, 5, "gross upper");
        assertEq(netUpper, -5, "net upper");
        assertTrue(initLower && initUpper, "initialized");
        // Compressed -2 is bit 254 of word -1; compressed 1 is bit 1 of word 0.
        assertEq(pool.tickBitmap(-1), uint256(1) << 254, "word -1");
        assertEq(pool.tickBitmap(0), 2, "word 0");
    }

    function test_mint_fullRangeAtExtremes() public {
        int24 lower = (TickMath.MIN_TICK / 60) * 60;
        int24 upper = (TickMath.MAX_TICK / 60) * 60;
        (uint256 a0, uint256 a1) = lp.mint(lower, upper, 1e18);
        assertApproxEqAbs(a0, 1e18, 1, "~L at price 1");
        assertApproxEqAbs(a1, 1e18, 1, "~L at price 1");
    }

    function test_mint_revertsZeroLiquidity() public {
        vm.expectRevert(ICognitionPoolErrors.ZeroLiquidity.selector);
        lp.mint(-60, 60, 0);
    }

    function test_mint_revertsOnBadTicks() public {
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TicksMisordered.selector, int24(60), int24(60)));
        lp.mint(60, 60, 1);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TicksMisordered.selector, int24(60), int24(-60)));
        lp.mint(60, -60, 1);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickOutOfRange.selector, int24(-887_280)));
        lp.mint(-887_280, 0, 1);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickOutOfRange.selector, int24(887_280)));
        lp.mint(0, 887_280, 1);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickMisaligned.selector, int24(-61), int24(60)));
        lp.mint(-61, 60, 1);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickMisaligned.selector, int24(59), int24(60)));
        lp.mint(-60, 59, 1);
    }

    function test_mint_revertsAboveMaxLiquidityPerTick() public {
        // Far above the price the range costs almost nothing, so the cap binds before the balances do.
        uint128 max = pool.maxLiquidityPerTick();
        lp.mint(600_000, 600_060, max);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.TickLiquidityOverflow.selector, int24(600_000)));
        lp.mint(600_000, 600_120, 1);
    }

    function test_mint_revertsWhenCallbackUnderpays() public {
        lp.setShortfall(1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICognitionPoolErrors.InsufficientPayment.selector,
                token0,
                29_553_010_879_137_170,
                29_553_010_879_137_169
            )
        );
        lp.mint(-600, 600, 1e18);
    }

    function testFuzz_mint_roundsInPoolsFavour(int24 lower, int24 width, uint128 liquidity) public {
        lower = int24(bound(lower, -300, 300)) * 60;
        width = int24(bound(width, 1, 300)) * 60;
        liquidity = uint128(bound(liquidity, 1, 1e24));
        (uint256 paid0, uint256 paid1) = lp.mint(lower, lower + width, liquidity);
        (uint256 back0, uint256 back1) = lp.burn(lower, lower + width, liquidity);
        assertLe(back0, paid0, "burn returns at most what mint took (token0)");
        assertLe(back1, paid1, "burn returns at most what mint took (token1)");
        assertLe(paid0 - back0, 1, "rounding at most 1 wei");
        assertLe(paid1 - back1, 1, "rounding at most 1 wei");
    }
}
