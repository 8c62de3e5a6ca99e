// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice `price()` and `ticks()`, with the share as token0 (this contract) and as token1 (the one below).
contract ShareOraclePriceTest is OracleBase {
    function _meanTick(uint32 window) internal view returns (int56 delta) {
        uint32[] memory ago = new uint32[](2);
        ago[0] = window;
        (int56[] memory cumulatives,) = cogPool.observe(ago);
        return cumulatives[1] - cumulatives[0];
    }

    function test_price_sameTokenIsTheTwapPrice() public {
        ShareOracle oracle = _sameTokenOracle();
        uint256 price = oracle.price();
        (int24 twapTick,) = oracle.ticks();
        assertEq(twapTick, _shareIsToken0() ? startTick : startTick + 1, "the start tick's lower-valued end");
        assertApproxEqAbs(price, _expectedX36(twapTick), 1, "TWAP price, to the rounding unit");
        // 2 mUSD per share = 2e6 / 1e18 units, scaled by 1e36 = 2e24; the pool's price lies within its tick.
        assertLe(price, 2e24, "never above the pool's price");
        assertGe(price, 2e24 * 9998 / 10_000, "within 2 bp");
    }

    function test_price_feedsConvertDecimalsExactly() public {
        uint256 inStable = _sameTokenOracle().price();
        // mUSD/USD = 1 (8 decimals), USDX/USD = 1 (18 decimals), USDX has 18 decimals against mUSD's 6: 1e12 times.
        assertEq(_feedOracle().price(), inStable * 1e12, "same dollars, 12 more decimals");
        stableFeed.postAnswer(0.98e8);
        usdxFeed.postAnswer(1.01e18);
        assertEq(_feedOracle().price(), inStable * 1e12 * 0.98e8 / 1.01e8, "times 0.98 / 1.01, rounded down");
    }

    function test_price_followsTheTwapNotTheSpot() public {
        ShareOracle oracle = _sameTokenOracle();
        uint256 before = oracle.price();
        int24 up = _shareIsToken0() ? startTick + 1000 : startTick - 1000;
        _tradeToTick(attacker, up);
        assertEq(oracle.price(), before, "a trade moves no observation in its own block");
        _skip(WINDOW / 2);
        (int24 twapTick,) = oracle.ticks();
        assertEq(
            twapTick, startTick + (up - startTick) / 2 + (_shareIsToken0() ? int24(0) : int24(1)), "half the window"
        );
        assertApproxEqAbs(oracle.price(), _expectedX36(twapTick), 1, "price at the TWAP tick");
        assertGt(oracle.price(), before, "the share is worth more");
    }

    function test_ticks_roundsTheMeanTowardTheLowerSharePrice() public {
        ShareOracle oracle = _sameTokenOracle();
        // Seven ticks for 1,000 s of the window: a mean that is not a whole tick.
        int24 moved = _shareIsToken0() ? startTick + 7 : startTick - 7;
        _tradeToTick(attacker, moved);
        _skip(1000);
        _tradeToTick(attacker, startTick);
        int56 delta = _meanTick(WINDOW);
        int56 window = int56(uint56(WINDOW));
        assertTrue(delta % window != 0, "a fractional mean");
        (int24 twapTick, int24 spotTick) = oracle.ticks();
        int56 floor = delta / window;
        if (delta < 0) --floor;
        // The share is token0: a lower tick is a lower share price. Token1: the exact mean is below floor + 1.
        assertEq(twapTick, _shareIsToken0() ? floor : floor + 1, "the end of [floor, floor + 1) worth less");
        (, int24 tickNow) = _spot();
        assertEq(spotTick, tickNow, "spot tick");
    }

    function test_price_revertsUntilThePoolHasAWindowOfHistory() public {
        // A brand-new pool of another fee tier: its observations start now.
        ICognitionPool fresh = ICognitionPool(factory.createPool(address(cog), 10_000));
        fresh.initialize(_sqrtAt(PRICE_NUM, PRICE_DEN));
        fresh.increaseObservationCardinalityNext(301);
        ShareOracle.Config memory config = _config();
        config.pool = fresh;
        // Nobody provides liquidity to this pool: only its history is under test, so the floor accepts any pool.
        config.minInRangeLiquidity = 1;
        ShareOracle oracle = new ShareOracle(config);
        _skip(WINDOW - 1);
        vm.expectPartialRevert(ICognitionPoolErrors.ObservationTooOld.selector);
        oracle.price();
        _skip(1);
        assertGt(oracle.price(), 0, "answers once a window old");
        // borrowPrice reads BORROW_WINDOWS (2) windows: it waits for a second one.
        _skip(WINDOW - 1);
        vm.expectPartialRevert(ICognitionPoolErrors.ObservationTooOld.selector);
        oracle.borrowPrice();
        _skip(1);
        assertGt(oracle.borrowPrice(), 0, "borrows once two windows old");
    }

    function test_price_revertsIfThePoolCardinalityIsTooLow() public {
        // Cardinality never shrinks in CognitionPool; a pool that reported less would be refused at every read.
        ShareOracle oracle = _sameTokenOracle();
        vm.mockCall(
            address(cogPool),
            abi.encodeWithSelector(ICognitionPool.slot0.selector),
            abi.encode(_sqrtAt(PRICE_NUM, PRICE_DEN), startTick, uint16(0), uint16(300), uint16(300), uint8(0), true)
        );
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.CardinalityTooLow.selector, 300, 301));
        oracle.price();
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.CardinalityTooLow.selector, 300, 301));
        oracle.borrowPrice();
    }
}

contract ShareOraclePriceToken1Test is ShareOraclePriceTest {
    function _shareIsToken0() internal pure override returns (bool) {
        return false;
    }
}
