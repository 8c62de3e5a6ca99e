// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {OracleBase} from "./OracleBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Attacks through the pool on the oracle's reads, against the real CognitionPool and router: the Mango
/// pump (spot moved in one block), the Inverse push (TWAP pushed over the whole window on a thin pool), and Cream
/// donations. The pool: 2 mUSD per share, ~$100k of liquidity over +-12,000 ticks (THIN_LIQUIDITY).
contract ShareOraclePoolAttacksTest is OracleBase {
    /// @dev A market at LLTV 86%: the liquidation incentive is 1 / (1 - 0.3 * (1 - 0.86)) - 1 = 4.38%, so a
    /// liquidator breaks even selling down to the oracle price / 1.0438 = 95.8% of it.
    uint256 internal constant LLTV_BPS = 8600;
    uint256 internal constant LIQUIDATION_FLOOR_BPS = 9580;

    ShareOracle internal oracle;

    function setUp() public override {
        super.setUp();
        oracle = _sameTokenOracle();
    }

    /// @dev Stablecoin value of `shares` at the oracle price `price` (1e36-scaled), rounded down.
    function _value(uint256 shares, uint256 price) internal pure returns (uint256) {
        return shares * (price / 1e18) / 1e18;
    }

    /// @dev The shares a liquidator can sell into the pool before its price falls to the liquidation floor, measured
    /// by selling them (state restored): the collateral cap the market would get from liquidity (scope item 4).
    function _sellableCap() internal returns (uint256 shares) {
        uint256 snapshot = vm.snapshotState();
        (int24 twapTick,) = oracle.ticks();
        (, int256 shareDelta) = _tradeToTick(arbitrageur, _tickTimes(twapTick, LIQUIDATION_FLOOR_BPS));
        vm.revertToState(snapshot);
        return uint256(-shareDelta);
    }

    /* MANGO: SPOT PUMP */

    /// @dev Pump the share 5x in one block and borrow: the deviation guard fires; the TWAP price has not moved. Held
    /// for one block the TWAP moves by 1/150 of the pump's log, and since 5x is beyond the LP's range (+-12,000 ticks,
    /// 3.3x), that block had no liquidity in range: the liquidity floor stops borrowPrice for the two windows that
    /// hold it, in or out of the deviation band. Figures (mUSD): the 5x pump takes $93,826; the round trip loses $436;
    /// the one-block hold raises the TWAP (price()) by 1.07%, which was worth $17 of extra borrowing on the market's
    /// whole cap while borrowPrice read one window, and nothing since.
    function test_attack_mango_spotPumpCannotRaiseBorrowPrice() public {
        uint256 priceBefore = oracle.price();
        uint256 borrowBefore = oracle.borrowPrice();
        uint256 stableBefore = stable.balanceOf(attacker);
        uint256 sharesBefore = cog.balanceOf(attacker);

        int24 pumped = _tickTimes(startTick, 50_000);
        (int256 paid,) = _tradeToTick(attacker, pumped);
        (int24 twapTick, int24 spotTick) = oracle.ticks();
        vm.expectRevert(
            abi.encodeWithSelector(IShareOracle.SpotDeviates.selector, spotTick, twapTick, oracle.maxDeviationTicks())
        );
        oracle.borrowPrice();
        assertEq(oracle.price(), priceBefore, "price: same block, same TWAP");

        _skip(BLOCK_TIME);
        uint256 priceHeld = oracle.price();
        // 5x is 16,094 ticks; 12 s of a 1,800 s window: 107 ticks, 1.08%.
        assertLe(priceHeld, priceBefore * 10_110 / 10_000, "one block held: at most ~1.1% on the TWAP");
        vm.expectPartialRevert(IShareOracle.InRangeLiquidityTooLow.selector);
        oracle.borrowPrice();

        // Back inside the band (above the raised TWAP): still no borrowPrice while the empty block is in a window.
        (twapTick,) = oracle.ticks();
        _tradeToTick(attacker, _shareIsToken0() ? twapTick + 150 : twapTick - 150);
        vm.expectPartialRevert(IShareOracle.InRangeLiquidityTooLow.selector);
        oracle.borrowPrice();
        assertGt(oracle.price(), borrowBefore, "price() follows the raised TWAP");

        // Unwind everything the attacker bought: nothing could be borrowed on the pump.
        _tradeToTick(attacker, startTick);
        int256 pnl = _pnl(stableBefore, sharesBefore, priceBefore);
        console.log("mango: stable paid for the 5x pump", uint256(paid));
        console.log("mango: attacker loss on the round trip", uint256(-pnl));
        assertLt(pnl, 0, "the pump costs the attacker");
        // Once the empty block has left both windows, borrowPrice is back at the fair price.
        _skip(2 * WINDOW);
        assertEq(oracle.borrowPrice(), borrowBefore, "borrows resume, unmoved");
    }

    /// @dev The attacker's stablecoin gain since `stableBefore`, its share gain counted at `price`.
    function _pnl(uint256 stableBefore, uint256 sharesBefore, uint256 price) internal view returns (int256) {
        int256 sharePnl = int256(cog.balanceOf(attacker)) - int256(sharesBefore);
        int256 shareValue = int256(_value(uint256(sharePnl >= 0 ? sharePnl : -sharePnl), price));
        return int256(stable.balanceOf(attacker)) - int256(stableBefore) + (sharePnl >= 0 ? shareValue : -shareValue);
    }

    /* INVERSE: TWAP PUSHED OVER THE WINDOW */

    struct Push {
        uint256 stablePaid;
        uint256 sharesBought;
        uint256 cap;
        uint256 borrowed;
        uint256 stableBack;
        uint256 borrowPrice;
        int256 pnl;
    }

    /// @dev The attacker doubles the share price and holds it for `holdSeconds` (re-buying after an arbitrageur's
    /// sale every `arbEverySeconds`, 0 for none), then posts the market's whole collateral cap (the sellable amount
    /// at the liquidation floor) from the shares it bought, borrows at LLTV on `borrowPrice()`, walks away from the
    /// loan and sells the rest back. PnL in mUSD units: borrowed + sold back - paid.
    function _push(uint256 arbEverySeconds, uint256 holdSeconds) internal returns (Push memory r) {
        r.cap = _sellableCap();
        uint256 fair = oracle.price();
        (int24 twapTick,) = oracle.ticks();
        int24 doubled = _tickTimes(twapTick, 20_000);
        (int256 paid, int256 got) = _tradeToTick(attacker, doubled);
        r.stablePaid = uint256(paid);
        r.sharesBought = uint256(got);
        uint256 step = arbEverySeconds == 0 ? holdSeconds : arbEverySeconds;
        for (uint256 elapsed; elapsed < holdSeconds; elapsed += step) {
            _skip(step);
            if (arbEverySeconds == 0) continue;
            // The arbitrageur sells back to the fair price; the attacker re-buys in the same block, so the TWAP
            // never sees the fair price.
            _tradeToTick(arbitrageur, twapTick);
            (paid, got) = _tradeToTick(attacker, doubled);
            r.stablePaid += uint256(paid);
            r.sharesBought += uint256(got);
        }
        // Held a whole window, the TWAP is ~2x: no TWAP can tell it from the price, and price() (liquidations) follows.
        assertGt(oracle.price(), fair * 19_900 / 10_000, "the TWAP was pushed to ~2x: the guard cannot see it");
        uint256 borrowPrice = oracle.borrowPrice();
        r.borrowPrice = borrowPrice;
        uint256 collateral = r.cap < r.sharesBought ? r.cap : r.sharesBought;
        r.borrowed = _value(collateral, borrowPrice) * LLTV_BPS / 10_000;
        // Sell back what was not posted, down to the fair price at most; whatever is left is counted at the fair
        // price (generous to the attacker: the pool would pay less).
        uint256 toSell = r.sharesBought - collateral;
        uint256 sold;
        (sold, r.stableBack) = _sellShares(attacker, toSell, twapTick);
        r.pnl = int256(r.borrowed + r.stableBack + _value(toSell - sold, fair)) - int256(r.stablePaid);
    }

    function _log(string memory label, Push memory r) internal pure {
        console.log(label);
        console.log("  stable paid to push and hold 2x (mUSD units)", r.stablePaid);
        console.log("  collateral cap = sellable at the liquidation floor (share units)", r.cap);
        console.log("  borrowed at LLTV on the pushed price (mUSD units)", r.borrowed);
        console.log("  stable back from selling the rest (mUSD units)", r.stableBack);
        if (r.pnl >= 0) console.log("  attacker PnL (+)", uint256(r.pnl));
        else console.log("  attacker PnL (-)", uint256(-r.pnl));
    }

    /// @dev Figures measured by these tests (`forge test --match-contract ShareOraclePoolAttacks -vv` prints them;
    /// share as token0, token1 within 0.3%), in mUSD: pushing the thin pool to 2x takes $46,991; the collateral
    /// cap (sellable down to the liquidation floor) is 1,235 shares ($2,470 at the fair price), on which $4,249 could
    /// be borrowed at the pushed price.
    /// - An arbitrageur restoring the fair price once a minute: holding 2x over the window costs $1,456,856 of buys,
    ///   the attacker loses $414,353.
    /// - One arbitrage in the whole window: the attacker loses $12,325.
    /// - No arbitrage for 30 minutes: the attacker nets +$1,486 with $46,991 locked when borrowPrice reads one
    ///   window; reading two (`BORROW_WINDOWS`) it borrows at the fair price and loses (see the last tests).
    function test_attack_inverse_pushingTheTwapCostsMoreThanTheCapBorrows() public {
        Push memory r = _push(60, WINDOW);
        _log("inverse, an arbitrageur once a minute:", r);
        assertLt(r.pnl, 0, "the push costs more than the capped borrow");
    }

    /// @dev Even a single arbitrage in the whole window (at its end) makes the push a loss.
    function test_attack_inverse_oneArbitrageInTheWindowMakesItALoss() public {
        Push memory r = _push(WINDOW, WINDOW);
        _log("inverse, one arbitrage in the window:", r);
        assertLt(r.pnl, 0, "one re-buy costs more than the capped borrow");
    }

    /// @dev Issue #12's case: 2x held for the whole window with no arbitrage at all. With borrowPrice on the last
    /// window's TWAP alone this netted +$1,486 on $46,991 locked (the cap's value times (2 * LLTV - 1) less two swap
    /// fees): a TWAP held for its whole window is, to any TWAP oracle, the price. borrowPrice now also takes the
    /// window before, still at the fair price, so the borrow is at the fair price and the push a loss; price() has
    /// followed the push (liquidations are not slowed).
    function test_attack_inverse_withoutArbitrageHeldOneWindowIsALoss() public {
        uint256 fairBorrow = oracle.borrowPrice();
        Push memory r = _push(0, WINDOW);
        _log("inverse, no arbitrage at all, held one window:", r);
        assertEq(r.borrowPrice, fairBorrow, "borrowPrice: the window before the push, the fair price");
        assertLe(r.pnl, 0, "no gain");
    }

    /// @dev What the attacker needs now: 2x held with no arbitrage for well over one window. Every hold from 30 to 40
    /// minutes, every 2 minutes, is a loss: -$638 (30 min) to -$86 (40 min). Measured with the same `_push` and
    /// longer holds (not asserted: this file asserts losses only), the push breaks even at 42 minutes (+$40) and
    /// held both windows (60 minutes) gives the +$1,486 one window gave before, on the same $46,991 locked and
    /// bounded by the cap the same way: a price held for the whole span `borrowPrice` reads is, to any TWAP, the
    /// price. The attacker's time without any arbitrage goes from 30 to 42 minutes to break even and from 30 to 60
    /// for the full gain.
    function test_attack_inverse_withoutArbitrageHeldUpTo40MinutesIsALoss() public {
        for (uint256 hold = WINDOW; hold <= 40 minutes; hold += 2 minutes) {
            uint256 snapshot = vm.snapshotState();
            Push memory r = _push(0, hold);
            vm.revertToState(snapshot);
            console.log("inverse, no arbitrage at all, hold (s)", hold);
            if (r.pnl >= 0) console.log("  attacker PnL (+)", uint256(r.pnl));
            else console.log("  attacker PnL (-)", uint256(-r.pnl));
            assertLe(r.pnl, 0, "no gain for any hold up to 40 minutes");
        }
    }

    /* CREAM: DONATIONS */

    /// @dev Stablecoin and shares sent straight to the pool, and revenue deposited into the share (which the pool
    /// collects as LP fees), move neither read: the oracle never reads a balance.
    function test_attack_donationsMoveNothing() public {
        uint256 price = oracle.price();
        uint256 borrow = oracle.borrowPrice();
        vm.startPrank(attacker);
        stable.transfer(address(cogPool), 1_000_000e6);
        cog.transfer(address(cogPool), 1_000_000e18);
        vm.stopPrank();
        _depositRevenue(cog, 1_000_000e6);
        assertEq(oracle.price(), price, "price, same block");
        assertEq(oracle.borrowPrice(), borrow, "borrowPrice, same block");
        _skip(1 days);
        cogPool.collectRevenue();
        _skip(WINDOW);
        assertEq(oracle.price(), price, "price, a day later");
        assertEq(oracle.borrowPrice(), borrow, "borrowPrice, a day later");
    }
}

contract ShareOraclePoolAttacksToken1Test is ShareOraclePoolAttacksTest {
    function _shareIsToken0() internal pure override returns (bool) {
        return false;
    }
}
