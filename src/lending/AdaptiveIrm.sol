// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IIrm} from "./interfaces/IIrm.sol";
import {Market, MarketId, MarketParams} from "./interfaces/ILendingMarket.sol";
import {MarketIdLib} from "./libraries/MarketIdLib.sol";
import {WAD} from "./libraries/WadMathLib.sol";

/// @title AdaptiveIrm
/// @notice Utilization-targeting interest rate model. At any moment the borrow rate lies on a curve through
/// `rateAtTarget` at 90% utilization: `rateAtTarget / 4` at 0%, `rateAtTarget * 4` at 100%, linear in between on
/// each side. Over time `rateAtTarget` itself moves exponentially towards whatever brings utilization back to the
/// target: `rateAtTarget(t) = rateAtTarget(0) * e^(ADJUSTMENT_SPEED * err * t)`, where `err` is the normalized
/// distance from the target (-1 at 0% utilization, +1 at 100%), clamped to
/// [`MIN_RATE_AT_TARGET`, `MAX_RATE_AT_TARGET`]. So at full utilization `rateAtTarget` doubles in about 5 days
/// (ln 2 / 50 per year), and a market that sits empty decays its rate towards the minimum.
/// The rate charged for a period is the curve at the period's average `rateAtTarget`, the average taken by the
/// trapezoidal rule over the period's two halves: (start + 2 * middle + end) / 4.
/// @dev Each market's state is one number, written only on calls from the lending market it serves.
contract AdaptiveIrm is IIrm {
    using MarketIdLib for MarketParams;

    /* ERRORS */

    /// @notice Thrown when `borrowRate` is called by anyone but the lending market.
    error NotLendingMarket();
    /// @notice Thrown when deployed without a lending market.
    error ZeroAddress();

    /* EVENTS */

    /// @notice Emitted when a market's rate is computed and its `rateAtTarget` stored.
    event BorrowRateUpdate(MarketId indexed id, uint256 avgBorrowRate, uint256 rateAtTarget);

    /* CONSTANTS (rates are per second, WAD) */

    /// @notice Utilization the model steers to, WAD: 90%.
    uint256 public constant TARGET_UTILIZATION = 0.9e18;
    /// @notice Ratio between the rate at 100% utilization and the rate at target (and between the rate at target
    /// and the rate at 0%), WAD: 4.
    uint256 public constant CURVE_STEEPNESS = 4e18;
    /// @notice Speed at which `rateAtTarget` moves at full error, per second, WAD: 50 per year.
    int256 public constant ADJUSTMENT_SPEED = 50e18 / int256(365 days);
    /// @notice `rateAtTarget` of a new market: 4% a year.
    uint256 public constant INITIAL_RATE_AT_TARGET = 0.04e18 / uint256(365 days);
    /// @notice Lowest `rateAtTarget`: 0.1% a year (so the lowest rate is 0.025% a year).
    uint256 public constant MIN_RATE_AT_TARGET = 0.001e18 / uint256(365 days);
    /// @notice Highest `rateAtTarget`: 200% a year (so the highest rate is 800% a year).
    uint256 public constant MAX_RATE_AT_TARGET = 2e18 / uint256(365 days);
    /// @dev Exponents below this give e^x < 1e-18, i.e. zero in WAD.
    int256 internal constant EXP_LOWER_BOUND = -41.446531673892822312e18;
    /// @dev Exponents are capped here (e^90 ~ 1.2e39 WAD still fits, and any rate is clamped far below).
    int256 internal constant EXP_UPPER_BOUND = 90e18;
    /// @dev ln 2, WAD.
    int256 internal constant LN_2 = 0.693147180559945309e18;

    /* STORAGE */

    /// @notice The lending market whose calls update the state.
    address public immutable LENDING_MARKET;
    /// @notice `rateAtTarget` of each market as of its last update; zero before the first.
    mapping(MarketId id => uint256) public rateAtTarget;

    /// @param lendingMarket The lending market this model serves.
    constructor(address lendingMarket) {
        if (lendingMarket == address(0)) revert ZeroAddress();
        LENDING_MARKET = lendingMarket;
    }

    /// @inheritdoc IIrm
    function borrowRate(MarketParams memory marketParams, Market memory market) external returns (uint256 avgRate) {
        if (msg.sender != LENDING_MARKET) revert NotLendingMarket();
        MarketId id = marketParams.id();
        uint256 endRateAtTarget;
        (avgRate, endRateAtTarget) = _borrowRate(id, market);
        rateAtTarget[id] = endRateAtTarget;
        emit BorrowRateUpdate(id, avgRate, endRateAtTarget);
    }

    /// @inheritdoc IIrm
    function borrowRateView(MarketParams memory marketParams, Market memory market) external view returns (uint256) {
        (uint256 avgRate,) = _borrowRate(marketParams.id(), market);
        return avgRate;
    }

    /// @notice Normalized distance of `utilization` (WAD) from the target, WAD in [-1, 1].
    function utilizationError(uint256 utilization) public pure returns (int256) {
        if (utilization > WAD) utilization = WAD;
        if (utilization > TARGET_UTILIZATION) {
            return int256((utilization - TARGET_UTILIZATION) * WAD / (WAD - TARGET_UTILIZATION));
        }
        return -int256((TARGET_UTILIZATION - utilization) * WAD / TARGET_UTILIZATION);
    }

    /// @notice The rate on the curve through `rateAtTarget_` at utilization error `err`, rounded down.
    function curve(uint256 rateAtTarget_, int256 err) public pure returns (uint256) {
        // Slope below the target: 1 - 1/steepness; above: steepness - 1.
        int256 slope = err < 0 ? int256(WAD - WAD * WAD / CURVE_STEEPNESS) : int256(CURVE_STEEPNESS - WAD);
        return uint256((slope * err / int256(WAD) + int256(WAD)) * int256(rateAtTarget_) / int256(WAD));
    }

    /// @notice `e^x` for a WAD exponent, WAD, relative error below 3e-6: x = k ln2 + r with |r| <= ln2 / 2, e^r by
    /// its Taylor series to the 5th term, then shifted by k. Zero below `EXP_LOWER_BOUND`; capped at
    /// `EXP_UPPER_BOUND`.
    function wExp(int256 x) public pure returns (uint256) {
        if (x < EXP_LOWER_BOUND) return 0;
        if (x > EXP_UPPER_BOUND) x = EXP_UPPER_BOUND;
        // k = round(x / ln2), towards the nearest integer.
        int256 k = (x + (x < 0 ? -LN_2 / 2 : LN_2 / 2)) / LN_2;
        int256 r = x - k * LN_2;
        int256 term = int256(WAD);
        int256 sum = int256(WAD);
        for (int256 n = 1; n <= 5; ++n) {
            term = term * r / int256(WAD) / n;
            sum += term;
        }
        return k >= 0 ? uint256(sum) << uint256(k) : uint256(sum) >> uint256(-k);
    }

    /// @dev The average rate over the period since `market.lastUpdate` and the `rateAtTarget` at its end.
    function _borrowRate(MarketId id, Market memory market) internal view returns (uint256, uint256) {
        uint256 utilization =
            market.totalSupplyAssets == 0 ? 0 : uint256(market.totalBorrowAssets) * WAD / market.totalSupplyAssets;
        int256 err = utilizationError(utilization);

        uint256 startRateAtTarget = rateAtTarget[id];
        if (startRateAtTarget == 0) return (curve(INITIAL_RATE_AT_TARGET, err), INITIAL_RATE_AT_TARGET);

        // |speed * err| < 2^70 and elapsed < 2^64: no overflow.
        int256 exponent = ADJUSTMENT_SPEED * err / int256(WAD) * int256(block.timestamp - market.lastUpdate);
        uint256 endRateAtTarget = _adapted(startRateAtTarget, exponent);
        if (exponent == 0) return (curve(startRateAtTarget, err), endRateAtTarget);
        uint256 midRateAtTarget = _adapted(startRateAtTarget, exponent / 2);
        uint256 avgRateAtTarget = (startRateAtTarget + endRateAtTarget + 2 * midRateAtTarget) / 4;
        return (curve(avgRateAtTarget, err), endRateAtTarget);
    }

    /// @dev `start * e^exponent`, clamped to [MIN_RATE_AT_TARGET, MAX_RATE_AT_TARGET].
    function _adapted(uint256 start, int256 exponent) internal pure returns (uint256 adapted) {
        adapted = start * wExp(exponent) / WAD;
        if (adapted < MIN_RATE_AT_TARGET) return MIN_RATE_AT_TARGET;
        if (adapted > MAX_RATE_AT_TARGET) return MAX_RATE_AT_TARGET;
    }
}
