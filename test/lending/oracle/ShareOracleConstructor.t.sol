// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {OracleBase} from "./OracleBase.sol";
import {ControlledFeed} from "./mocks/ControlledFeed.sol";
import {TestToken} from "./mocks/TestToken.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

contract ShareOracleConstructorTest is OracleBase {
    function test_constructor_setsImmutables() public {
        ShareOracle oracle = _feedOracle();
        assertEq(oracle.MIN_TWAP_WINDOW_SECONDS(), 30 minutes, "min window");
        assertEq(oracle.MAX_DEVIATION_BPS(), 5000, "max deviation");
        assertEq(oracle.MAX_DECIMALS(), 18, "max decimals");
        assertEq(address(oracle.pool()), address(cogPool), "pool");
        assertEq(oracle.share(), address(cog), "share");
        assertEq(oracle.stablecoin(), address(stable), "stablecoin");
        assertEq(oracle.loanToken(), address(usdx), "loan token");
        assertEq(oracle.twapWindowSeconds(), WINDOW, "window");
        assertEq(oracle.maxDeviationBps(), DEVIATION_BPS, "bps");
        // 1.0001^198 = 1.01999 <= 1.02 < 1.0001^199 = 1.02009.
        assertEq(oracle.maxDeviationTicks(), int24(198), "200 bps in ticks");
        assertEq(oracle.requiredCardinality(), uint16(301), "2 * 1800 / 12 + 1: the two windows borrowPrice reads");
        (AggregatorV3Interface feed, uint32 maxAge) = oracle.stableUsdFeed();
        assertEq(address(feed), address(stableFeed), "stable feed");
        assertEq(maxAge, MAX_AGE, "stable max age");
        (feed, maxAge) = oracle.loanUsdFeed();
        assertEq(address(feed), address(usdxFeed), "loan feed");
        assertEq(maxAge, MAX_AGE, "loan max age");
    }

    function test_constructor_emitsConfig() public {
        IShareOracle.Config memory config = _feedConfig(stableFeed, usdxFeed);
        vm.expectEmit(true, true, true, true);
        emit IShareOracle.ShareOracleCreated(address(cogPool), address(cog), address(usdx), config, 198, 301);
        new ShareOracle(config);
    }

    function test_constructor_deviationTicksAtBounds() public {
        IShareOracle.Config memory config = _config();
        config.maxDeviationBps = 1;
        // 1.0001^1 = 1.0001 exactly: the sqrt of 1.0001 floored lands just below tick 1's rounded-up sqrt price.
        assertEq(new ShareOracle(config).maxDeviationTicks(), int24(0), "1 bp");
        config.maxDeviationBps = 5000;
        // ln(1.5) / ln(1.0001) = 4054.8.
        assertEq(new ShareOracle(config).maxDeviationTicks(), int24(4054), "50%");
    }

    function test_constructor_revertsOnShortWindow() public {
        IShareOracle.Config memory config = _config();
        config.twapWindowSeconds = 30 minutes - 1;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.TwapWindowTooShort.selector, 30 minutes - 1, 30 minutes));
        new ShareOracle(config);
    }

    function test_constructor_revertsOnBadBlockTime() public {
        IShareOracle.Config memory config = _config();
        config.blockTimeSeconds = 0;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidBlockTime.selector, 0));
        new ShareOracle(config);
        config.blockTimeSeconds = WINDOW + 1;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidBlockTime.selector, WINDOW + 1));
        new ShareOracle(config);
        // A 1-second block time over two windows of 9.1 hours needs more observations than a pool can hold.
        config.twapWindowSeconds = 32_768;
        config.blockTimeSeconds = 1;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidBlockTime.selector, 1));
        new ShareOracle(config);
    }

    function test_constructor_revertsWhenTwoWindowsOverflowTheTimestamp() public {
        IShareOracle.Config memory config = _config();
        uint32 longest = type(uint32).max / 2;
        config.twapWindowSeconds = longest + 1;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.TwapWindowTooLong.selector, longest + 1, longest));
        new ShareOracle(config);
    }

    function test_constructor_revertsOnBadDeviation() public {
        IShareOracle.Config memory config = _config();
        config.maxDeviationBps = 0;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidDeviation.selector, 0));
        new ShareOracle(config);
        config.maxDeviationBps = 5001;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidDeviation.selector, 5001));
        new ShareOracle(config);
    }

    function test_constructor_revertsOnUninitializedPool() public {
        ICognitionPool fresh = ICognitionPool(factory.createPool(address(cog), 500));
        IShareOracle.Config memory config = _config();
        config.pool = fresh;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.PoolNotInitialized.selector, address(fresh)));
        new ShareOracle(config);
    }

    function test_constructor_revertsOnLowCardinality() public {
        ICognitionPool fresh = ICognitionPool(factory.createPool(address(cog), 500));
        fresh.initialize(1 << 96);
        fresh.increaseObservationCardinalityNext(300);
        IShareOracle.Config memory config = _config();
        config.pool = fresh;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.CardinalityTooLow.selector, 300, 301));
        new ShareOracle(config);
        fresh.increaseObservationCardinalityNext(301);
        assertEq(address(new ShareOracle(config).pool()), address(fresh), "301 suffices");
    }

    function test_constructor_revertsWhenLoanTokenIsShare() public {
        IShareOracle.Config memory config = _config();
        config.loanToken = address(cog);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.LoanTokenIsShare.selector, address(cog)));
        new ShareOracle(config);
    }

    function test_constructor_revertsOnFeedsForTheSameToken() public {
        IShareOracle.Config memory config = _config();
        config.stableUsdFeed = stableFeed;
        config.stableUsdMaxAgeSeconds = MAX_AGE;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidFeedConfig.selector, address(stableFeed), MAX_AGE));
        new ShareOracle(config);
    }

    function test_constructor_revertsOnMissingFeedOrAge() public {
        IShareOracle.Config memory config = _feedConfig(stableFeed, AggregatorV3Interface(address(0)));
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidFeedConfig.selector, address(0), MAX_AGE));
        new ShareOracle(config);
        config = _feedConfig(stableFeed, usdxFeed);
        config.stableUsdMaxAgeSeconds = 0;
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.InvalidFeedConfig.selector, address(stableFeed), 0));
        new ShareOracle(config);
    }

    function test_constructor_revertsOnTooManyDecimals() public {
        ControlledFeed wide = new ControlledFeed(19, 1e19);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.UnsupportedDecimals.selector, address(wide), 19));
        new ShareOracle(_feedConfig(stableFeed, wide));
        TestToken wideToken = new TestToken("W", 24);
        IShareOracle.Config memory config = _feedConfig(stableFeed, usdxFeed);
        config.loanToken = address(wideToken);
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.UnsupportedDecimals.selector, address(wideToken), 24));
        new ShareOracle(config);
    }
}
