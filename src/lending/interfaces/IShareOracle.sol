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
    /// @param stableUsdFeed The pool stablecoin's USD feed; zero iff `loanToken` is the pool's stablecoin.
    /// @param stableUsdMaxAgeSeconds The oldest `stableUsdFeed` answer `borrowPrice` accepts (0 iff no feed).
    /// @param loanUsdFeed The loan token's USD feed; zero iff `loanToken` is the pool's stablecoin.
    /// @param loanUsdMaxAgeSeconds The oldest `loanUsdFeed` answer `borrowPrice` accepts (0 iff no feed).
    struct Config {
        ICognitionPool pool;
        address loanToken;
        uint32 twapWindowSeconds;
        uint32 blockTimeSeconds;
        uint16 maxDeviationBps;
        AggregatorV3Interface stableUsdFeed;
        uint32 stableUsdMaxAgeSeconds;
        AggregatorV3Interface loanUsdFeed;
        uint32 loanUsdMaxAgeSeconds;
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
    /// @notice The stablecoin/USD feed and its maximum age (zero when the loan token is the stablecoin).
    function stableUsdFeed() external view returns (AggregatorV3Interface feed, uint32 maxAgeSeconds);
    /// @notice The loan-token/USD feed and its maximum age (zero when the loan token is the stablecoin).
    function loanUsdFeed() external view returns (AggregatorV3Interface feed, uint32 maxAgeSeconds);

    /* VIEWS */

    /// @inheritdoc IOracle
    /// @dev The TWAP price, rounded down. Reverts with `CardinalityTooLow`, the pool's `ObservationTooOld` (the
    /// pool has less than a window of history), `InvalidAnswer`, `IncompleteRound` or `FeedDecimalsChanged`; never
    /// for a stale feed or a deviating spot (see the rules above).
    function price() external view override returns (uint256);

    /// @inheritdoc IOracle
    /// @dev `price()` at the lowest of the spot share price and the mean share prices of the last `BORROW_WINDOWS`
    /// windows, rounded down; reverts like `price()` (`ObservationTooOld` until the pool has `BORROW_WINDOWS`
    /// windows of history) and also with `StaleFeed` or `SpotDeviates`.
    function borrowPrice() external view override returns (uint256);

    /// @notice The TWAP tick (rounded toward the lower share price) and the spot tick.
    function ticks() external view returns (int24 twapTick, int24 spotTick);
}
