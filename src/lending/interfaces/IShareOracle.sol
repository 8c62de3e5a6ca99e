// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {ICognitionPool} from "../../amm/interfaces/ICognitionPool.sol";
import {IOracle} from "./IOracle.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title IShareOracle
/// @notice Price of one model share in units of a lending market's loan token, scaled by 1e36 (`IOracle`), from
/// the share's CognitionPool time-weighted average price (TWAP) and, when the loan token is not the pool's
/// stablecoin, Chainlink's stablecoin/USD and loan-token/USD feeds:
/// `price = 1e36 * twap(stable per share) * (stable/USD) / (loan/USD)`, all in the tokens' smallest units, with every
/// decimal count read on chain (tokens and feeds) at construction, never typed in by a deployer.
/// @dev Rules, each tested in test/lending/oracle/:
/// - **Only time-weighted pool data.** The share price is the pool's TWAP over `twapWindowSeconds` (>= 30 min,
///   immutable). No balance is ever read, so a donation to the pool or to the share moves nothing; a price moved and
///   restored within a block moves no observation, so a one-block trade moves nothing either.
/// - **Cardinality.** The pool writes at most one observation per block, so it must be able to hold
///   `ceil(BORROW_WINDOWS * twapWindowSeconds / blockTimeSeconds) + 1` of them (`observationCardinalityNext`), the
///   span `borrowPrice` reads, or anyone could overwrite that span's start by trading every block and make `observe`
///   revert (blocking liquidations, or borrows). Checked at construction and at every read (`CardinalityTooLow`).
/// - **Same token, 1:1.** When the loan token is the pool's stablecoin the conversion is the identity and no feed is
///   read: the stablecoin/USD factor would be multiplied in and divided out again, and a depeg moves collateral and
///   debt together. Both feeds must then be zero.
/// - **Feeds.** An answer <= 0 or >= 2^128 (`InvalidAnswer`), an incomplete round (`updatedAt == 0`,
///   `answeredInRound < roundId`) or one from the future (`IncompleteRound`), or a feed whose `decimals` changed
///   since construction (`FeedDecimalsChanged`: a proxy moved to an aggregator of another scale) is an error for
///   both reads. A feed older than its `maxAge` (`StaleFeed`) stops `borrowPrice` only.
/// - **Answer bands (mis-scaled feeds).** Each feed has a band `[min, max]` of USD answers (18 decimals in the config,
///   converted to the feed's decimals at construction: the min rounded up, the max down). An answer outside it
///   (`AnswerOutOfBounds`) stops both reads. Decimals are read on chain, so the scale a deployer can get wrong is
///   gone; what the band catches is an answer that is wrong by orders of magnitude while its `decimals` stay the
///   same (an aggregator reporting 1e12 times the price, the Morpho PAXG class of a wrongly scaled price) and a feed
///   stuck at its aggregator's own `minAnswer` circuit breaker during a crash (the answer looks fresh and valid but
///   the asset trades below it: set the band's min above the aggregator's `minAnswer`, and its max below its
///   `maxAnswer`). Why `price()` stops too: an answer outside the band is not a price of the asset, and liquidating on
///   it is worse than waiting: a too-low answer seizes healthy collateral at a fraction of its value, a too-high one
///   hides real losses. Set the band wide (the sdk's default for a USD stablecoin is [0.2, 5] USD: a factor 10 off
///   either way is outside it) so that a real depeg stays inside it and liquidations continue through it; the answer
///   leaves the band only through a broken feed, and both reads resume as soon as it answers inside it again.
/// - **Stale feed: liquidations continue.** `price()` answers on the feed's last complete, positive answer however
///   old it is. The share price, the TWAP, stays live, and it is what moves long-tail collateral; a stale
///   stablecoin/USD answer only keeps a slow, small factor at its last value. Stopping `price()` would stop every
///   liquidation of the markets on it for as long as the feed is down, turning each share crash in that time into
///   bad debt for lenders; continuing risks at most liquidating on a stablecoin rate that drifted since, while no new
///   debt can be opened on it (`borrowPrice` reverts). An answer that is not safe at all (<= 0, incomplete, rescaled)
///   stops both.
/// - **Deviation guard.** When the pool's spot tick and the TWAP tick differ by more than the tick equivalent of
///   `maxDeviationBps` (spot outside a factor `1 + maxDeviationBps / 10_000` of the TWAP, either way),
///   `borrowPrice` reverts (`SpotDeviates`); `price()` keeps answering.
/// - **Borrows need the price held for `BORROW_WINDOWS` windows.** Within the band `borrowPrice` values the share at
///   the lowest of the spot and the mean prices of the last `BORROW_WINDOWS` consecutive windows (the last window's
///   TWAP, the one before it, ...). A push held for one whole window, which no TWAP can tell from the price, moves
///   `price()` (liquidations follow it at once) but not `borrowPrice`: borrowing on it needs the push held, with no
///   arbitrage, for `BORROW_WINDOWS` windows, and a real rise reaches borrowers that much later. The lowest of
///   consecutive windows is never above their mean, the TWAP of the whole span, for the same observations read.
/// - **In-range liquidity floor (borrows only).** A window's mean tick weighs every second alike, whatever liquidity
///   held the price there: a spike through the pool's empty or thin ranges (beyond every position, the price moves
///   for nothing) held a few blocks moves the mean of each window it overlaps by thousands of ticks, and placed across
///   the boundary of the two windows it raises both, which the lowest-of-windows rule cannot tell from a price held
///   for an hour. `borrowPrice` therefore also requires, over each of the `BORROW_WINDOWS` windows, the pool's
///   time-weighted harmonic-mean in-range liquidity `window * 2^128 / (secondsPerLiquidityCumulativeX128 growth)`
///   to be at least `minInRangeLiquidity` (`InRangeLiquidityTooLow`). The pool counts a second with no liquidity in
///   range as liquidity 1, so one such second in a window caps its harmonic mean at the window's length in seconds
///   (1,800 for 30 minutes) and a spike through an empty range fails any floor above that; a stretch at a thin
///   liquidity `l` for `s` seconds caps it near `l * window / s`. Set the floor to a fraction of the liquidity the
///   market's caps assumed (the sdk's `suggestLiquidityFloor`: half the lowest in-range liquidity between the spot
///   and the liquidation floor price): while the pool's time-weighted liquidity is below it the collateral caps are
///   no longer backed by what a liquidator can sell either, and borrowing waits until liquidity returns (or the
///   market's caps and oracle are renewed). A floor of 1 accepts any pool. `price()` does not apply the floor:
///   liquidations keep working while liquidity is thin, when they matter most, and reverting there would let anyone
///   who can empty a window stop every liquidation. The cost, left open: a spike in the direction of a lower share
///   price moves `price()` (the liquidation price) for the window it is in (one block at the pool's lowest price
///   through an empty range: to ~66% of the fair price for a ~$431 round trip on the tests' thin pool), so positions
///   close to the LLTV can be liquidated on it; `borrowPrice` refuses that window, so nobody opens debt on it.
/// - **Rounding against the collateral.** Pool ticks are floors of the log price, so the exact time-weighted log
///   price lies in [floor(mean tick), floor(mean tick) + 1): the oracle takes the end with the lower share price
///   (the floor when the share is token0, the floor plus one when it is token1; at most 1 bp), and every division
///   rounds down, so `borrowPrice() <= price()` and neither exceeds the share's price at the exact TWAP (beyond the
///   last bit of TickMath's rounded-up sqrt price).
/// - **Dashboards.** The contract is also an `AggregatorV3Interface` of `price()` per whole share, 18 decimals,
///   `updatedAt` the oldest of now and the feeds' `updatedAt` (so a reader's own staleness check sees a stale feed).
interface IShareOracle is IOracle, AggregatorV3Interface {
    /* TYPES */

    /// @notice Construction parameters.
    /// @param pool The share's CognitionPool.
    /// @param loanToken The market's loan token.
    /// @param twapWindowSeconds The TWAP window, at least `MIN_TWAP_WINDOW_SECONDS`.
    /// @param blockTimeSeconds The chain's shortest block interval: the pool must hold one observation per block of
    /// the window.
    /// @param maxDeviationBps The largest spot-vs-TWAP gap `borrowPrice` accepts, in bps of price, in
    /// (0, `MAX_DEVIATION_BPS`].
    /// @param minInRangeLiquidity The lowest time-weighted (harmonic-mean) in-range liquidity of the pool over each
    /// window `borrowPrice` reads, in the pool's liquidity units; non-zero (1 accepts any pool).
    /// @param stableUsdFeed The pool stablecoin's USD feed; zero iff `loanToken` is the pool's stablecoin.
    /// @param stableUsdMaxAgeSeconds The oldest `stableUsdFeed` answer `borrowPrice` accepts (0 iff no feed).
    /// @param stableUsdMinAnswerWad The lowest `stableUsdFeed` answer either read accepts, USD with 18 decimals
    /// (0 iff no feed).
    /// @param stableUsdMaxAnswerWad The highest `stableUsdFeed` answer either read accepts, USD with 18 decimals
    /// (0 iff no feed).
    /// @param loanUsdFeed The loan token's USD feed; zero iff `loanToken` is the pool's stablecoin.
    /// @param loanUsdMaxAgeSeconds The oldest `loanUsdFeed` answer `borrowPrice` accepts (0 iff no feed).
    /// @param loanUsdMinAnswerWad The lowest `loanUsdFeed` answer either read accepts, USD with 18 decimals (0 iff no
    /// feed).
    /// @param loanUsdMaxAnswerWad The highest `loanUsdFeed` answer either read accepts, USD with 18 decimals (0 iff
    /// no feed).
    struct Config {
        ICognitionPool pool;
        address loanToken;
        uint32 twapWindowSeconds;
        uint32 blockTimeSeconds;
        uint16 maxDeviationBps;
        uint128 minInRangeLiquidity;
        AggregatorV3Interface stableUsdFeed;
        uint32 stableUsdMaxAgeSeconds;
        uint128 stableUsdMinAnswerWad;
        uint128 stableUsdMaxAnswerWad;
        AggregatorV3Interface loanUsdFeed;
        uint32 loanUsdMaxAgeSeconds;
        uint128 loanUsdMinAnswerWad;
        uint128 loanUsdMaxAnswerWad;
    }

    /* ERRORS */

    /// @notice Thrown at construction when the TWAP window is shorter than `MIN_TWAP_WINDOW_SECONDS`.
    error TwapWindowTooShort(uint32 twapWindowSeconds, uint32 minSeconds);
    /// @notice Thrown at construction when `BORROW_WINDOWS` windows do not fit in 32 bits of seconds.
    error TwapWindowTooLong(uint32 twapWindowSeconds, uint32 maxSeconds);
    /// @notice Thrown at construction when the block time is zero or longer than the TWAP window.
    error InvalidBlockTime(uint32 blockTimeSeconds);
    /// @notice Thrown at construction when the deviation bound is zero or above `MAX_DEVIATION_BPS`.
    error InvalidDeviation(uint16 maxDeviationBps);
    /// @notice Thrown at construction when the pool has no price yet.
    error PoolNotInitialized(address pool);
    /// @notice Thrown at construction when the loan token is the pool's share.
    error LoanTokenIsShare(address loanToken);
    /// @notice Thrown at construction when a feed is given where none may be (loan token = pool stablecoin), or
    /// missing where one is needed, or its maximum age does not match (zero iff no feed).
    error InvalidFeedConfig(address feed, uint32 maxAgeSeconds);
    /// @notice Thrown at construction when the liquidity floor is zero.
    error InvalidLiquidityFloor();
    /// @notice Thrown at construction when a feed's answer band, in the feed's units, is empty or starts at zero, or
    /// when a band is given where there is no feed (both bounds zero iff no feed).
    error InvalidAnswerBounds(address feed, uint128 minAnswerWad, uint128 maxAnswerWad);
    /// @notice Thrown at construction when a token or feed has more than `MAX_DECIMALS` decimals.
    error UnsupportedDecimals(address tokenOrFeed, uint8 decimals);
    /// @notice Thrown when the pool cannot hold one observation per block of the window (see the cardinality rule).
    /// @param cardinalityNext The pool's `observationCardinalityNext`.
    /// @param required `ceil(BORROW_WINDOWS * twapWindowSeconds / blockTimeSeconds) + 1`.
    error CardinalityTooLow(uint16 cardinalityNext, uint16 required);
    /// @notice Thrown when a feed's answer is <= 0 or >= 2^128.
    error InvalidAnswer(address feed, int256 answer);
    /// @notice Thrown when a feed's latest round is incomplete (`updatedAt == 0` or `answeredInRound < roundId`) or
    /// timestamped in the future.
    error IncompleteRound(address feed, uint80 roundId, uint256 updatedAt);
    /// @notice Thrown when a feed's `decimals` differ from those read at construction.
    error FeedDecimalsChanged(address feed, uint8 expected, uint8 actual);
    /// @notice Thrown by both reads when a feed's answer is outside its band (all in the feed's units).
    error AnswerOutOfBounds(address feed, int256 answer, uint256 minAnswer, uint256 maxAnswer);
    /// @notice Thrown by `borrowPrice` when the pool's time-weighted in-range liquidity over one of the windows it reads
    /// is below the floor.
    /// @param secondsAgo How long ago that window ended (0 for the last one).
    /// @param harmonicMeanLiquidity The window's harmonic-mean in-range liquidity.
    /// @param minInRangeLiquidity The floor.
    error InRangeLiquidityTooLow(uint32 secondsAgo, uint256 harmonicMeanLiquidity, uint128 minInRangeLiquidity);
    /// @notice Thrown by `borrowPrice` when a feed's answer is older than its maximum age.
    error StaleFeed(address feed, uint256 updatedAt, uint256 maxAgeSeconds);
    /// @notice Thrown by `borrowPrice` when the pool's spot tick is too far from the TWAP tick.
    error SpotDeviates(int24 spotTick, int24 twapTick, int24 maxDeviationTicks);
    /// @notice Thrown by `getRoundData` for any round but the current one: the oracle keeps no history.
    error NoSuchRound(uint80 roundId);

    /* EVENTS */

    /// @notice Emitted once, at construction, with the oracle's whole configuration and the derived figures.
    /// @param maxDeviationTicks The deviation bound in ticks (the largest `t` with `1.0001^t <= 1 + bps / 1e4`).
    /// @param requiredCardinality The pool cardinality `BORROW_WINDOWS` windows need.
    event ShareOracleCreated(
        address indexed pool,
        address indexed share,
        address indexed loanToken,
        Config config,
        int24 maxDeviationTicks,
        uint16 requiredCardinality
    );

    /* CONSTANTS */

    /// @notice The shortest TWAP window accepted: 30 minutes.
    function MIN_TWAP_WINDOW_SECONDS() external view returns (uint32);
    /// @notice How many consecutive windows `borrowPrice` takes the lowest mean price of: 2.
    function BORROW_WINDOWS() external view returns (uint8);
    /// @notice The widest deviation bound accepted, in bps.
    function MAX_DEVIATION_BPS() external view returns (uint16);
    /// @notice The most decimals a token or feed may have.
    function MAX_DECIMALS() external view returns (uint8);

    /* IMMUTABLES */

    /// @notice The share's CognitionPool.
    function pool() external view returns (ICognitionPool);
    /// @notice The model share priced (the collateral).
    function share() external view returns (address);
    /// @notice The pool's stablecoin.
    function stablecoin() external view returns (address);
    /// @notice The loan token the price is in.
    function loanToken() external view returns (address);
    /// @notice The TWAP window, in seconds.
    function twapWindowSeconds() external view returns (uint32);
    /// @notice The spot-vs-TWAP bound of `borrowPrice`, in bps.
    function maxDeviationBps() external view returns (uint16);
    /// @notice The same bound in ticks.
    function maxDeviationTicks() external view returns (int24);
    /// @notice The pool cardinality `BORROW_WINDOWS` windows need.
    function requiredCardinality() external view returns (uint16);
    /// @notice The floor on the pool's time-weighted in-range liquidity over each window `borrowPrice` reads.
    function minInRangeLiquidity() external view returns (uint128);
    /// @notice Each feed's answer band in the feed's own units (the config's 18-decimal bounds converted: min rounded
    /// up, max down); zero when the loan token is the stablecoin.
    function answerBounds()
        external
        view
        returns (
            uint256 stableUsdMinAnswer,
            uint256 stableUsdMaxAnswer,
            uint256 loanUsdMinAnswer,
            uint256 loanUsdMaxAnswer
        );
    /// @notice The stablecoin/USD feed and its maximum age (zero when the loan token is the stablecoin).
    function stableUsdFeed() external view returns (AggregatorV3Interface feed, uint32 maxAgeSeconds);
    /// @notice The loan-token/USD feed and its maximum age (zero when the loan token is the stablecoin).
    function loanUsdFeed() external view returns (AggregatorV3Interface feed, uint32 maxAgeSeconds);

    /* VIEWS */

    /// @inheritdoc IOracle
    /// @dev The TWAP price, rounded down. Reverts with `CardinalityTooLow`, the pool's `ObservationTooOld` (the
    /// pool has less than a window of history), `InvalidAnswer`, `IncompleteRound`, `FeedDecimalsChanged` or
    /// `AnswerOutOfBounds`; never for a stale feed, a deviating spot or thin liquidity (see the rules above).
    function price() external view override returns (uint256);

    /// @inheritdoc IOracle
    /// @dev `price()` at the lowest of the spot share price and the mean share prices of the last `BORROW_WINDOWS`
    /// windows, rounded down; reverts like `price()` (`ObservationTooOld` until the pool has `BORROW_WINDOWS`
    /// windows of history) and also with `StaleFeed`, `SpotDeviates` or `InRangeLiquidityTooLow`.
    function borrowPrice() external view override returns (uint256);

    /// @notice The TWAP tick (rounded toward the lower share price) and the spot tick.
    function ticks() external view returns (int24 twapTick, int24 spotTick);
}
