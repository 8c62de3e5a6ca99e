// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {MockAggregator} from "../../../src/mocks/MockAggregator.sol";
import {OracleBase} from "./OracleBase.sol";
import {ControlledFeed} from "./mocks/ControlledFeed.sol";

/// @notice Chainlink answers an attacker (or an outage) could put in front of the oracle: negative, zero, absurd,
/// incomplete, from the future, rescaled (the Morpho PAXG class) and stale. Each either stops both reads (no safe
/// answer) or, for staleness only, stops `borrowPrice` while `price` keeps answering (see IShareOracle).
contract ShareOracleFeedAttacksTest is OracleBase {
    ControlledFeed internal feed;
    ShareOracle internal oracle;
    uint256 internal honestPrice;

    function setUp() public override {
        super.setUp();
        feed = new ControlledFeed(8, 1e8);
        oracle = new ShareOracle(_feedConfig(feed, usdxFeed));
        honestPrice = oracle.price();
    }

    function _expectBothRevert(bytes memory error) internal {
        vm.expectRevert(error);
        oracle.price();
        vm.expectRevert(error);
        oracle.borrowPrice();
        vm.expectRevert(error);
        oracle.latestRoundData();
    }

    function test_attack_negativeAnswerStopsBothReads() public {
        feed.setRound(2, -1e8, block.timestamp, 2);
        _expectBothRevert(abi.encodeWithSelector(IShareOracle.InvalidAnswer.selector, address(feed), int256(-1e8)));
    }

    function test_attack_zeroAnswerStopsBothReads() public {
        feed.setRound(2, 0, block.timestamp, 2);
        _expectBothRevert(abi.encodeWithSelector(IShareOracle.InvalidAnswer.selector, address(feed), int256(0)));
    }

    function test_attack_absurdAnswerStopsBothReads() public {
        int256 huge = int256(uint256(1 << 128));
        feed.setRound(2, huge, block.timestamp, 2);
        _expectBothRevert(abi.encodeWithSelector(IShareOracle.InvalidAnswer.selector, address(feed), huge));
        // Just below the bound: outside any band in the feed's units.
        feed.setRound(3, huge - 1, block.timestamp, 3);
        _expectBothRevert(
            abi.encodeWithSelector(IShareOracle.AnswerOutOfBounds.selector, address(feed), huge - 1, 0.2e8, 5e8)
        );
        // The top of the widest band (2^128 - 1 in 18 decimals: 3.4e28 units of this 8-decimal feed) is arithmetic,
        // not an error: no overflow anywhere on the way.
        IShareOracle.Config memory config = _feedConfig(feed, usdxFeed);
        (config.stableUsdMinAnswerWad, config.stableUsdMaxAnswerWad) = (1, type(uint128).max);
        ShareOracle widest = new ShareOracle(config);
        feed.setRound(4, int256(uint256(type(uint128).max / 1e10)), block.timestamp, 4);
        assertGt(widest.price(), honestPrice, "a finite (absurd) price");
    }

    /// @dev A mis-scaled answer with unchanged decimals (an aggregator reporting 1e12 times the price, the Morpho PAXG
    /// class): the decimals check cannot see it, the band does. Either way out of it stops both reads.
    function test_attack_misScaledAnswerStopsBothReads() public {
        feed.setRound(2, 1e8 * 1e12, block.timestamp, 2);
        _expectBothRevert(
            abi.encodeWithSelector(IShareOracle.AnswerOutOfBounds.selector, address(feed), int256(1e20), 0.2e8, 5e8)
        );
        feed.setRound(3, 1, block.timestamp, 3);
        _expectBothRevert(
            abi.encodeWithSelector(IShareOracle.AnswerOutOfBounds.selector, address(feed), int256(1), 0.2e8, 5e8)
        );
    }

    /// @dev A feed stuck at its aggregator's own `minAnswer` during a crash (the circuit-breaker trap): the band's min
    /// is set above it, so the stuck answer reads as out of band instead of as a fresh price.
    function test_attack_feedStuckAtItsCircuitBreakerStopsBothReads() public {
        int256 aggregatorMinAnswer = 0.1e8;
        feed.setRound(2, aggregatorMinAnswer, block.timestamp, 2);
        _expectBothRevert(
            abi.encodeWithSelector(
                IShareOracle.AnswerOutOfBounds.selector, address(feed), aggregatorMinAnswer, 0.2e8, 5e8
            )
        );
    }

    /// @dev The band is inclusive, converted from 18 decimals to the feed's (min rounded up, max down): [0.2e8, 5e8]
    /// for the 8-decimal stable feed, [0.2e18, 5e18] for the 18-decimal USDX feed.
    function test_band_boundaries() public {
        (uint256 stableMin, uint256 stableMax, uint256 loanMin, uint256 loanMax) = oracle.answerBounds();
        assertEq(stableMin, 0.2e8, "stable min");
        assertEq(stableMax, 5e8, "stable max");
        assertEq(loanMin, 0.2e18, "loan min");
        assertEq(loanMax, 5e18, "loan max");
        feed.setRound(2, 0.2e8, block.timestamp, 2);
        assertEq(oracle.borrowPrice(), oracle.price(), "at the min: both answer");
        assertApproxEqRel(oracle.price(), honestPrice / 5, 1e12, "at the min");
        feed.setRound(3, 5e8, block.timestamp, 3);
        assertApproxEqRel(oracle.price(), honestPrice * 5, 1e12, "at the max");
        oracle.borrowPrice();
        feed.setRound(4, 0.2e8 - 1, block.timestamp, 4);
        vm.expectPartialRevert(IShareOracle.AnswerOutOfBounds.selector);
        oracle.price();
        feed.setRound(5, 5e8 + 1, block.timestamp, 5);
        vm.expectPartialRevert(IShareOracle.AnswerOutOfBounds.selector);
        oracle.borrowPrice();
    }

    /// @dev Rounding into the feed's units keeps the band inside the configured one: a min of 0.2e18 + 1 on an
    /// 8-decimal feed becomes 0.2e8 + 1, a max of 5e18 - 1 becomes 5e8 - 1; a band thinner than one feed unit is
    /// refused.
    function test_band_roundsInward() public {
        IShareOracle.Config memory config = _feedConfig(feed, usdxFeed);
        (config.stableUsdMinAnswerWad, config.stableUsdMaxAnswerWad) = (0.2e18 + 1, 5e18 - 1);
        (uint256 min, uint256 max,,) = new ShareOracle(config).answerBounds();
        assertEq(min, 0.2e8 + 1, "min rounded up");
        assertEq(max, 5e8 - 1, "max rounded down");
        (config.stableUsdMinAnswerWad, config.stableUsdMaxAnswerWad) = (1e18 + 1, 1e18 + 1e9);
        vm.expectRevert(
            abi.encodeWithSelector(IShareOracle.InvalidAnswerBounds.selector, address(feed), 1e18 + 1, 1e18 + 1e9)
        );
        new ShareOracle(config);
    }

    function test_band_invalidConfigs() public {
        IShareOracle.Config memory config = _feedConfig(feed, usdxFeed);
        (config.loanUsdMinAnswerWad, config.loanUsdMaxAnswerWad) = (0, 5e18);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidAnswerBounds.selector, address(usdxFeed), 0, 5e18));
        new ShareOracle(config);
        (config.loanUsdMinAnswerWad, config.loanUsdMaxAnswerWad) = (2e18, 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(IShareOracle.InvalidAnswerBounds.selector, address(usdxFeed), 2e18, 1e18)
        );
        new ShareOracle(config);
        // No feed, no band.
        IShareOracle.Config memory same = _config();
        same.stableUsdMaxAnswerWad = 1;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidAnswerBounds.selector, address(0), 0, 1));
        new ShareOracle(same);
    }

    function test_attack_negativeLoanAnswerStopsBothReads() public {
        ControlledFeed loanFeed = new ControlledFeed(18, 1e18);
        ShareOracle o = new ShareOracle(_feedConfig(stableFeed, loanFeed));
        loanFeed.setRound(2, -1, block.timestamp, 2);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidAnswer.selector, address(loanFeed), int256(-1)));
        o.price();
    }

    function test_attack_incompleteRoundStopsBothReads() public {
        feed.setRound(2, 1e8, 0, 2);
        _expectBothRevert(abi.encodeWithSelector(IShareOracle.IncompleteRound.selector, address(feed), 2, 0));
        feed.setRound(3, 1e8, block.timestamp, 2);
        _expectBothRevert(
            abi.encodeWithSelector(IShareOracle.IncompleteRound.selector, address(feed), 3, block.timestamp)
        );
    }

    function test_attack_futureRoundStopsBothReads() public {
        feed.setRound(2, 1e8, block.timestamp + 1, 2);
        _expectBothRevert(
            abi.encodeWithSelector(IShareOracle.IncompleteRound.selector, address(feed), 2, block.timestamp + 1)
        );
    }

    /// @dev The PAXG class: an answer read at the wrong scale. The scale is read from the feed at construction and
    /// checked at every read, so a proxy moved to an aggregator of other decimals stops the oracle instead of
    /// pricing the collateral 10^10 times too high.
    function test_attack_rescaledFeedStopsBothReads() public {
        feed.setDecimals(18);
        feed.setRound(2, 1e18, block.timestamp, 2);
        _expectBothRevert(abi.encodeWithSelector(IShareOracle.FeedDecimalsChanged.selector, address(feed), 8, 18));
    }

    /// @dev Nobody types a decimal count in: the same dollar through feeds of 8 and 18 decimals, and loan tokens of
    /// 6 and 18 decimals, prices the same collateral the same.
    function test_attack_noDeployerScaleToGetWrong() public {
        MockAggregator stable18 = new MockAggregator(18, "mUSD / USD", 1e18);
        MockAggregator usdx8 = new MockAggregator(8, "USDX / USD", 1e8);
        assertEq(new ShareOracle(_feedConfig(stable18, usdx8)).price(), honestPrice, "feed decimals cancel");
        // mUSD itself as a loan token through the feeds (not the 1:1 rule): 1e12 fewer units than USDX.
        assertEq(honestPrice, _sameTokenOracle().price() * 1e12, "token decimals");
    }

    /// @dev Staleness: `borrowPrice` stops, `price` keeps answering on the last answer (liquidations continue), and
    /// both resume their normal behaviour at the next fresh round.
    function test_attack_staleFeedStopsBorrowsNotLiquidations() public {
        uint256 postedAt = block.timestamp;
        feed.setRound(2, 0.97e8, postedAt, 2);
        uint256 lastSafe = oracle.price();
        assertEq(lastSafe, honestPrice * 97 / 100, "the last answer");
        _skip(MAX_AGE + 1);
        usdxFeed.postAnswer(1e18);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.StaleFeed.selector, address(feed), postedAt, MAX_AGE));
        oracle.borrowPrice();
        assertEq(oracle.price(), lastSafe, "liquidations price on the last answer");
        // The share crashes while the feed is down: price() follows the pool, so liquidations track the crash.
        int24 crashed = _tickTimes(startTick, 5000);
        _tradeToTick(attacker, crashed);
        _skip(WINDOW);
        usdxFeed.postAnswer(1e18);
        assertLt(oracle.price(), lastSafe * 51 / 100, "the crash reaches price() with the feed still stale");
        vm.expectPartialRevert(IShareOracle.StaleFeed.selector);
        oracle.borrowPrice();
        feed.setRound(3, 1e8, block.timestamp, 3);
        assertLe(oracle.borrowPrice(), oracle.price(), "borrows resume on a fresh round");
    }
}
