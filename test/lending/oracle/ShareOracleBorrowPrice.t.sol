// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {FullMath} from "../../../src/libraries/FullMath.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice `borrowPrice()`, with the share as token0 (this contract) and as token1 (the one below).
contract ShareOracleBorrowPriceTest is OracleBase {
    ShareOracle internal oracle;

    function setUp() public override {
        super.setUp();
        oracle = _sameTokenOracle();
    }

    /// @dev The tick `n` ticks of share price above (n > 0) or below the TWAP tick.
    function _sharePriceTicks(int24 from, int24 n) internal pure returns (int24) {
        return _shareIsToken0() ? from + n : from - n;
    }

    function test_borrowPrice_atMostPriceWhenSpotSitsInTheTwapTick() public view {
        uint256 price = oracle.price();
        uint256 borrow = oracle.borrowPrice();
        assertLe(borrow, price, "borrowPrice <= price");
        assertGe(borrow, price * 9999 / 10_000, "within the tick");
    }

    function test_borrowPrice_takesTheSpotWhenItIsLower() public {
        uint256 price = oracle.price();
        (int24 twapTick,) = oracle.ticks();
        _tradeToTick(attacker, _sharePriceTicks(twapTick, -100));
        (uint160 sqrtSpot,) = _spot();
        uint256 atSpot = _shareIsToken0()
            ? FullMath.mulDiv(uint256(sqrtSpot) * sqrtSpot, 1e36, Q192)
            : FullMath.mulDiv(Q192, 1e36, uint256(sqrtSpot) * sqrtSpot);
        assertEq(oracle.price(), price, "price keeps the TWAP");
        assertEq(oracle.borrowPrice(), atSpot, "borrowPrice at the lower spot");
        assertLt(oracle.borrowPrice(), price * 9901 / 10_000, "about 1% lower");
    }

    function test_borrowPrice_keepsTheTwapWhenTheSpotIsHigher() public {
        uint256 before = oracle.borrowPrice();
        (int24 twapTick,) = oracle.ticks();
        _tradeToTick(attacker, _sharePriceTicks(twapTick, 150));
        assertEq(oracle.borrowPrice(), _expectedTwapPrice(), "the TWAP, not the higher spot");
        assertGe(oracle.borrowPrice(), before, "no lower than before (the spot moved off the TWAP tick)");
    }

    function _expectedTwapPrice() internal view returns (uint256) {
        return oracle.price();
    }

    /// @dev A move held one window reaches price() (liquidations) at once but borrowPrice only when the window
    /// before holds it too: borrowPrice is the lowest of the two windows, so a fall reaches it with price().
    function test_borrowPrice_takesTheLowerOfTheLastTwoWindows() public {
        uint256 before = oracle.borrowPrice();
        (int24 twapTick,) = oracle.ticks();
        // Up 1% (100 ticks of share price) and held one window: price() follows, borrowPrice does not.
        _tradeToTick(attacker, _sharePriceTicks(twapTick, 100));
        _skip(WINDOW);
        assertGt(oracle.price(), before * 10_090 / 10_000, "price(): the last window, ~1% up");
        assertEq(oracle.borrowPrice(), before, "borrowPrice: the window before, unchanged");
        // Held a second window: both windows are up, and so is borrowPrice.
        _skip(WINDOW);
        assertEq(oracle.borrowPrice(), oracle.price(), "two windows held: the TWAP");
        // Down 1% below the start for one window: the last window is now the lower one, for both reads.
        _tradeToTick(attacker, _sharePriceTicks(twapTick, -100));
        _skip(WINDOW);
        assertLt(oracle.price(), before * 9910 / 10_000, "price(): ~1% below the start");
        assertEq(oracle.borrowPrice(), oracle.price(), "a fall reaches borrowPrice with price()");
    }

    function test_borrowPrice_revertsOneTickPastTheBound() public {
        (int24 twapTick,) = oracle.ticks();
        int24 bound = oracle.maxDeviationTicks();
        // Spot exactly `bound` ticks from the TWAP tick is accepted...
        int24 atBound = _shareIsToken0() ? twapTick + bound : twapTick - bound;
        _tradeToTick(attacker, atBound);
        (, int24 spotTick) = _spot();
        assertEq(spotTick, atBound, "spot on the bound");
        assertEq(oracle.borrowPrice(), oracle.price(), "accepted at the bound, at the TWAP");
        // ...one more is not, either way.
        int24 past = _shareIsToken0() ? twapTick + bound + 1 : twapTick - bound - 1;
        _tradeToTick(attacker, past);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.SpotDeviates.selector, past, twapTick, bound));
        oracle.borrowPrice();
        int24 below = _shareIsToken0() ? twapTick - bound - 1 : twapTick + bound + 1;
        _tradeToTick(attacker, below);
        (, spotTick) = _spot();
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.SpotDeviates.selector, spotTick, twapTick, bound));
        oracle.borrowPrice();
        assertGt(oracle.price(), 0, "price keeps answering");
    }

    function test_borrowPrice_revertsOnAStaleFeed() public {
        ShareOracle withFeeds = _feedOracle();
        uint256 updatedAt = block.timestamp;
        _skip(MAX_AGE);
        assertLe(withFeeds.borrowPrice(), withFeeds.price(), "exactly maxAge old is fresh");
        _skip(1);
        vm.expectRevert(
            abi.encodeWithSelector(IShareOracle.StaleFeed.selector, address(stableFeed), updatedAt, MAX_AGE)
        );
        withFeeds.borrowPrice();
        stableFeed.postAnswer(1e8);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.StaleFeed.selector, address(usdxFeed), updatedAt, MAX_AGE));
        withFeeds.borrowPrice();
        usdxFeed.postAnswer(1e18);
        assertLe(withFeeds.borrowPrice(), withFeeds.price(), "fresh again");
    }
}

contract ShareOracleBorrowPriceToken1Test is ShareOracleBorrowPriceTest {
    function _shareIsToken0() internal pure override returns (bool) {
        return false;
    }
}
