// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionPool} from "../amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../amm/libraries/TickMath.sol";
import {FullMath} from "../libraries/FullMath.sol";
import {IShareOracle} from "./interfaces/IShareOracle.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title ShareOracle
/// @notice Price of a model share in a lending market's loan token from the share's CognitionPool TWAP and Chainlink
/// USD feeds. See `IShareOracle` for the rules.
contract ShareOracle is IShareOracle {
    /* CONSTANTS */

    /// @inheritdoc IShareOracle
    uint32 public constant MIN_TWAP_WINDOW_SECONDS = 30 minutes;
    /// @inheritdoc IShareOracle
    uint8 public constant BORROW_WINDOWS = 2;
    /// @inheritdoc IShareOracle
    uint16 public constant MAX_DEVIATION_BPS = 5000;
    /// @inheritdoc IShareOracle
    uint8 public constant MAX_DECIMALS = 18;
    /// @notice Decimals of the `AggregatorV3Interface` answer (the price of one whole share).
    uint8 public constant decimals = 18;
    /// @notice Version of the `AggregatorV3Interface` view.
    uint256 public constant version = 1;

    uint256 private constant PRICE_SCALE = 1e36;
    uint256 private constant Q64 = 1 << 64;
    uint256 private constant Q128 = 1 << 128;
    uint256 private constant Q192 = 1 << 192;

    /* IMMUTABLES */

    /// @inheritdoc IShareOracle
    ICognitionPool public immutable pool;
    /// @inheritdoc IShareOracle
    address public immutable share;
    /// @inheritdoc IShareOracle
    address public immutable stablecoin;
    /// @inheritdoc IShareOracle
    address public immutable loanToken;
    /// @inheritdoc IShareOracle
    uint32 public immutable twapWindowSeconds;
    /// @inheritdoc IShareOracle
    uint16 public immutable maxDeviationBps;
    /// @inheritdoc IShareOracle
    int24 public immutable maxDeviationTicks;
    /// @inheritdoc IShareOracle
    uint16 public immutable requiredCardinality;
    /// @inheritdoc IShareOracle
    uint128 public immutable minInRangeLiquidity;

    bool private immutable _shareIsToken0;
    AggregatorV3Interface private immutable _stableFeed;
    uint8 private immutable _stableFeedDecimals;
    uint32 private immutable _stableMaxAgeSeconds;
    /// @dev The feed's answer band in its units, packed `max << 128 | min` (zero without feeds).
    uint256 private immutable _stableBand;
    AggregatorV3Interface private immutable _loanFeed;
    uint8 private immutable _loanFeedDecimals;
    uint32 private immutable _loanMaxAgeSeconds;
    uint256 private immutable _loanBand;
    /// @dev `10^(loanFeedDecimals + loanDecimals)` and `10^(stableFeedDecimals + stableDecimals)` with their common
    /// power of ten cancelled: one of the two is 1.
    uint256 private immutable _scaleNum;
    uint256 private immutable _scaleDen;
    /// @dev `10^(shareDecimals + 18 - loanDecimals)`: from `price()` to the 18-decimal price of one whole share.
    uint256 private immutable _wholeShareScale;

    /* CONSTRUCTOR */

    constructor(Config memory config) {
        if (config.twapWindowSeconds < MIN_TWAP_WINDOW_SECONDS) {
            revert TwapWindowTooShort(config.twapWindowSeconds, MIN_TWAP_WINDOW_SECONDS);
        }
        uint256 spanSeconds = uint256(config.twapWindowSeconds) * BORROW_WINDOWS;
        if (spanSeconds > type(uint32).max) {
            revert TwapWindowTooLong(config.twapWindowSeconds, type(uint32).max / BORROW_WINDOWS);
        }
        uint32 blockTime = config.blockTimeSeconds;
        if (blockTime == 0 || blockTime > config.twapWindowSeconds) revert InvalidBlockTime(blockTime);
        uint256 required = (spanSeconds + blockTime - 1) / blockTime + 1;
        if (required > type(uint16).max) revert InvalidBlockTime(blockTime);
        if (config.maxDeviationBps == 0 || config.maxDeviationBps > MAX_DEVIATION_BPS) {
            revert InvalidDeviation(config.maxDeviationBps);
        }
        if (config.minInRangeLiquidity == 0) revert InvalidLiquidityFloor();

        ICognitionPool pool_ = config.pool;
        (uint160 sqrtPriceX96,,,, uint16 cardinalityNext,,) = pool_.slot0();
        if (sqrtPriceX96 == 0) revert PoolNotInitialized(address(pool_));
        if (cardinalityNext < required) revert CardinalityTooLow(cardinalityNext, uint16(required));
        address share_ = pool_.share();
        address stable = pool_.stablecoin();
        if (config.loanToken == share_) revert LoanTokenIsShare(config.loanToken);

        bool sameToken = config.loanToken == stable;
        _checkFeedConfig(config.stableUsdFeed, config.stableUsdMaxAgeSeconds, sameToken);
        _checkFeedConfig(config.loanUsdFeed, config.loanUsdMaxAgeSeconds, sameToken);

        uint8 loanDecimals = _decimalsOf(config.loanToken);
        if (!sameToken) {
            uint8 stableFeedDecimals = _decimalsOf(address(config.stableUsdFeed));
            uint8 loanFeedDecimals = _decimalsOf(address(config.loanUsdFeed));
            (_scaleNum, _scaleDen) = _powersOfTen(
                uint256(loanFeedDecimals) + loanDecimals, uint256(stableFeedDecimals) + _decimalsOf(stable)
            );
            _stableFeedDecimals = stableFeedDecimals;
            _loanFeedDecimals = loanFeedDecimals;
            _stableBand = _answerBand(config, true, stableFeedDecimals);
            _loanBand = _answerBand(config, false, loanFeedDecimals);
        } else {
            (_scaleNum, _scaleDen) = (1, 1);
            _checkNoBand(config.stableUsdMinAnswerWad, config.stableUsdMaxAnswerWad);
            _checkNoBand(config.loanUsdMinAnswerWad, config.loanUsdMaxAnswerWad);
        }
        _wholeShareScale = 10 ** (uint256(_decimalsOf(share_)) + decimals - loanDecimals);
        int24 deviationTicks = _deviationTicks(config.maxDeviationBps);

        pool = pool_;
        share = share_;
        stablecoin = stable;
        loanToken = config.loanToken;
        twapWindowSeconds = config.twapWindowSeconds;
        maxDeviationBps = config.maxDeviationBps;
        maxDeviationTicks = deviationTicks;
        requiredCardinality = uint16(required);
        minInRangeLiquidity = config.minInRangeLiquidity;
        _shareIsToken0 = pool_.token0() == share_;
        _stableFeed = config.stableUsdFeed;
        _stableMaxAgeSeconds = config.stableUsdMaxAgeSeconds;
        _loanFeed = config.loanUsdFeed;
        _loanMaxAgeSeconds = config.loanUsdMaxAgeSeconds;

        emit ShareOracleCreated(address(pool_), share_, config.loanToken, config, deviationTicks, uint16(required));
    }

    /* VIEWS */

    /// @inheritdoc IShareOracle
    function stableUsdFeed() external view returns (AggregatorV3Interface feed, uint32 maxAgeSeconds) {
        return (_stableFeed, _stableMaxAgeSeconds);
    }

    /// @inheritdoc IShareOracle
    function loanUsdFeed() external view returns (AggregatorV3Interface feed, uint32 maxAgeSeconds) {
        return (_loanFeed, _loanMaxAgeSeconds);
    }

    /// @inheritdoc IShareOracle
    function answerBounds()
        external
        view
        returns (
            uint256 stableUsdMinAnswer,
            uint256 stableUsdMaxAnswer,
            uint256 loanUsdMinAnswer,
            uint256 loanUsdMaxAnswer
        )
    {
        return (uint128(_stableBand), _stableBand >> 128, uint128(_loanBand), _loanBand >> 128);
    }

    /// @inheritdoc IShareOracle
    function price() external view returns (uint256 price_) {
        (price_,) = _price(false);
    }

    /// @inheritdoc IShareOracle
    function borrowPrice() external view returns (uint256 price_) {
        (price_,) = _price(true);
    }

    /// @inheritdoc IShareOracle
    function ticks() external view returns (int24 twapTick, int24 spotTick) {
        (, spotTick,) = _slot0();
        twapTick = _twapTick();
    }

    /// @notice `share / loan` from the tokens' symbols.
    function description() external view returns (string memory) {
        return string.concat(IERC20Metadata(share).symbol(), " / ", IERC20Metadata(loanToken).symbol());
    }

    /// @notice The current answer: `price()` for one whole share, 18 decimals, rounded down. `roundId` and
    /// `answeredInRound` are the block timestamp; `startedAt` and `updatedAt` the oldest of now and the feeds'
    /// `updatedAt`. Reverts like `price()`.
    function latestRoundData()
        public
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        uint256 price_;
        (price_, updatedAt) = _price(false);
        // Reverts (MulDivOverflow, SafeCastOverflowedUintToInt) rather than wrap for an answer beyond int256.
        answer = SafeCast.toInt256(FullMath.mulDiv(price_, _wholeShareScale, PRICE_SCALE));
        roundId = uint80(block.timestamp);
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    /// @notice `latestRoundData()` for the current round (`roundId == block.timestamp`); `NoSuchRound` for any other.
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId != uint80(block.timestamp)) revert NoSuchRound(roundId);
        return latestRoundData();
    }

    /* INTERNAL */

    /// @dev The price (for borrowing: at the lowest of the spot and the last `BORROW_WINDOWS` windows' mean ticks,
    /// after the deviation and age checks) and the oldest `updatedAt` of its inputs.
    function _price(bool forBorrow) private view returns (uint256 price_, uint256 updatedAt) {
        (uint160 spotSqrtPriceX96, int24 spotTick,) = _slot0();
        uint160 sqrtPriceX96;
        if (forBorrow) {
            (int24 twapTick, int24 lowestTick) = _borrowTicks();
            int24 deviation = spotTick > twapTick ? spotTick - twapTick : twapTick - spotTick;
            if (deviation > maxDeviationTicks) revert SpotDeviates(spotTick, twapTick, maxDeviationTicks);
            sqrtPriceX96 = TickMath.getSqrtRatioAtTick(lowestTick);
            // The lower share price: the lower sqrt price if the share is token0 (stable per share), else the higher.
            if ((spotSqrtPriceX96 < sqrtPriceX96) == _shareIsToken0) sqrtPriceX96 = spotSqrtPriceX96;
        } else {
            sqrtPriceX96 = TickMath.getSqrtRatioAtTick(_twapTick());
        }
        price_ = _stablePerShareX36(sqrtPriceX96);
        updatedAt = block.timestamp;
        if (address(_stableFeed) == address(0)) return (price_, updatedAt);

        (uint256 stableUsd, uint256 stableUpdatedAt) =
            _answer(_stableFeed, _stableFeedDecimals, _stableMaxAgeSeconds, _stableBand, forBorrow);
        (uint256 loanUsd, uint256 loanUpdatedAt) =
            _answer(_loanFeed, _loanFeedDecimals, _loanMaxAgeSeconds, _loanBand, forBorrow);
        // Answers are below 2^128 and the scales at most 10^36, so neither product overflows.
        price_ = FullMath.mulDiv(price_, stableUsd * _scaleNum, loanUsd * _scaleDen);
        updatedAt = stableUpdatedAt < loanUpdatedAt ? stableUpdatedAt : loanUpdatedAt;
    }

    /// @dev The pool's spot price and tick, after checking its cardinality.
    function _slot0() private view returns (uint160 sqrtPriceX96, int24 tick, uint16 cardinalityNext) {
        (sqrtPriceX96, tick,,, cardinalityNext,,) = pool.slot0();
        if (cardinalityNext < requiredCardinality) revert CardinalityTooLow(cardinalityNext, requiredCardinality);
    }

    /// @dev The mean tick over the last window, rounded toward the lower share price.
    function _twapTick() private view returns (int24) {
        uint32[] memory secondsAgos = new uint32[](2);
        secondsAgos[0] = twapWindowSeconds;
        (int56[] memory tickCumulatives,) = pool.observe(secondsAgos);
        return _meanTick(tickCumulatives[1] - tickCumulatives[0]);
    }

    /// @dev The last window's mean tick and, of the mean ticks of the last `BORROW_WINDOWS` consecutive windows
    /// (the last one included), the one with the lowest share price; each rounded toward the lower share price.
    /// Reverts with `InRangeLiquidityTooLow` when any of those windows' harmonic-mean in-range liquidity is below the
    /// floor.
    function _borrowTicks() private view returns (int24 twapTick, int24 lowestTick) {
        uint32[] memory secondsAgos = new uint32[](BORROW_WINDOWS + 1);
        uint32 window = twapWindowSeconds;
        // [BORROW_WINDOWS * window, ..., window, 0]: the constructor checked that the first fits in 32 bits.
        for (uint256 i; i < BORROW_WINDOWS; ++i) {
            secondsAgos[i] = uint32(BORROW_WINDOWS - i) * window;
        }
        (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityX128s) = pool.observe(secondsAgos);
        // `window << 128` fits in 160 bits (window < 2^32), so the quotient below is exact integer math.
        uint256 windowX128 = uint256(window) << 128;
        uint128 floor = minInRangeLiquidity;
        for (uint256 i; i < BORROW_WINDOWS; ++i) {
            uint160 growthX128;
            // The pool's accumulator wraps at 2^160, as Uniswap v3's: the difference is taken modulo 2^160.
            unchecked {
                growthX128 = secondsPerLiquidityX128s[i + 1] - secondsPerLiquidityX128s[i];
            }
            // Each second adds at least 1 (liquidity < 2^128), so a zero growth is not reachable; kept as "no limit".
            if (growthX128 != 0) {
                uint256 harmonicMeanLiquidity = windowX128 / growthX128;
                if (harmonicMeanLiquidity < floor) {
                    revert InRangeLiquidityTooLow(secondsAgos[i + 1], harmonicMeanLiquidity, floor);
                }
            }
        }
        twapTick = _meanTick(tickCumulatives[BORROW_WINDOWS] - tickCumulatives[BORROW_WINDOWS - 1]);
        lowestTick = twapTick;
        for (uint256 i; i < BORROW_WINDOWS - 1; ++i) {
            int24 tick = _meanTick(tickCumulatives[i + 1] - tickCumulatives[i]);
            // The lower share price: the lower tick if the share is token0, else the higher.
            if ((tick < lowestTick) == _shareIsToken0) lowestTick = tick;
        }
    }

    /// @dev The mean tick of a window whose tick cumulative grew by `delta`, rounded toward the lower share price.
    function _meanTick(int56 delta) private view returns (int24) {
        int56 window = int56(uint56(twapWindowSeconds));
        int56 mean = delta / window;
        // Solidity truncates toward zero: floor it. Every observed tick is the floor of its log price, so the exact
        // mean lies in [floor, floor + 1): take the end with the lower share price.
        if (delta < 0 && delta % window != 0) --mean;
        return _shareIsToken0 ? int24(mean) : int24(mean + 1);
    }

    /// @dev 1e36 * (stablecoin units per share unit) at `sqrtPriceX96`, rounded down.
    function _stablePerShareX36(uint160 sqrtPriceX96) private view returns (uint256) {
        if (sqrtPriceX96 <= type(uint128).max) {
            uint256 ratioX192 = uint256(sqrtPriceX96) * sqrtPriceX96;
            return _shareIsToken0
                ? FullMath.mulDiv(ratioX192, PRICE_SCALE, Q192)
                : FullMath.mulDiv(Q192, PRICE_SCALE, ratioX192);
        }
        // Share as token1 here is a share worth less than 2^-64 stablecoin units: the ratio rounded up keeps the
        // quotient rounded down.
        return _shareIsToken0
            ? FullMath.mulDiv(FullMath.mulDiv(sqrtPriceX96, sqrtPriceX96, Q64), PRICE_SCALE, Q128)
            : FullMath.mulDiv(Q128, PRICE_SCALE, FullMath.mulDivUp(sqrtPriceX96, sqrtPriceX96, Q64));
    }

    /// @dev A feed's latest answer and its timestamp, checked (the age only if `checkAge`) against its packed `band`.
    function _answer(
        AggregatorV3Interface feed,
        uint8 expectedDecimals,
        uint32 maxAgeSeconds,
        uint256 band,
        bool checkAge
    ) private view returns (uint256 answer, uint256 updatedAt) {
        uint8 feedDecimals = feed.decimals();
        if (feedDecimals != expectedDecimals) {
            revert FeedDecimalsChanged(address(feed), expectedDecimals, feedDecimals);
        }
        (uint80 roundId, int256 answerInt,, uint256 updatedAt_, uint80 answeredInRound) = feed.latestRoundData();
        if (answerInt <= 0 || uint256(answerInt) >= Q128) revert InvalidAnswer(address(feed), answerInt);
        if (uint256(answerInt) < uint128(band) || uint256(answerInt) > band >> 128) {
            revert AnswerOutOfBounds(address(feed), answerInt, uint128(band), band >> 128);
        }
        if (updatedAt_ == 0 || answeredInRound < roundId || updatedAt_ > block.timestamp) {
            revert IncompleteRound(address(feed), roundId, updatedAt_);
        }
        if (checkAge && block.timestamp - updatedAt_ > maxAgeSeconds) {
            revert StaleFeed(address(feed), updatedAt_, maxAgeSeconds);
        }
        return (uint256(answerInt), updatedAt_);
    }

    /// @dev Feeds are given iff the loan token is not the pool's stablecoin, each with a non-zero maximum age.
    function _checkFeedConfig(AggregatorV3Interface feed, uint32 maxAgeSeconds, bool sameToken) private pure {
        bool given = address(feed) != address(0);
        if (given == sameToken || (maxAgeSeconds != 0) != given) {
            revert InvalidFeedConfig(address(feed), maxAgeSeconds);
        }
    }

    /// @dev The stablecoin's (`stable`) or the loan token's feed band `[minAnswerWad, maxAnswerWad]` (USD, 18
    /// decimals) in the feed's units, packed `max << 128 | min`: the min rounded up, the max down, so the band in feed
    /// units lies inside the one configured. Non-empty and above zero.
    function _answerBand(Config memory config, bool stable, uint8 feedDecimals) private pure returns (uint256) {
        (AggregatorV3Interface feed, uint128 minAnswerWad, uint128 maxAnswerWad) = stable
            ? (config.stableUsdFeed, config.stableUsdMinAnswerWad, config.stableUsdMaxAnswerWad)
            : (config.loanUsdFeed, config.loanUsdMinAnswerWad, config.loanUsdMaxAnswerWad);
        // feedDecimals <= MAX_DECIMALS = 18 was checked.
        uint256 unit = 10 ** (18 - uint256(feedDecimals));
        uint256 min = Math.ceilDiv(minAnswerWad, unit);
        // Below 2^128, as maxAnswerWad.
        uint256 max = maxAnswerWad / unit;
        if (min == 0 || min > max) revert InvalidAnswerBounds(address(feed), minAnswerWad, maxAnswerWad);
        return max << 128 | min;
    }

    /// @dev No band where there is no feed.
    function _checkNoBand(uint128 minAnswerWad, uint128 maxAnswerWad) private pure {
        if (minAnswerWad != 0 || maxAnswerWad != 0) revert InvalidAnswerBounds(address(0), minAnswerWad, maxAnswerWad);
    }

    /// @dev `(10^(numExp - denExp), 1)` or `(1, 10^(denExp - numExp))`.
    function _powersOfTen(uint256 numExp, uint256 denExp) private pure returns (uint256 num, uint256 den) {
        if (numExp >= denExp) return (10 ** (numExp - denExp), 1);
        return (1, 10 ** (denExp - numExp));
    }

    /// @dev The largest tick t with 1.0001^t <= 1 + bps / 1e4: TickMath's tick at the floored sqrt of that ratio.
    function _deviationTicks(uint16 bps) private pure returns (int24) {
        return TickMath.getTickAtSqrtRatio(uint160(Math.sqrt(FullMath.mulDiv(10_000 + uint256(bps), Q192, 10_000))));
    }

    /// @dev The `decimals` of a token or feed, at most `MAX_DECIMALS`.
    function _decimalsOf(address tokenOrFeed) private view returns (uint8 decimals_) {
        decimals_ = IERC20Metadata(tokenOrFeed).decimals();
        if (decimals_ > MAX_DECIMALS) revert UnsupportedDecimals(tokenOrFeed, decimals_);
    }
}
