// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {FullMath} from "../../../src/libraries/FullMath.sol";
import {MockAggregator} from "../../../src/mocks/MockAggregator.sol";
import {ICognitionRouter} from "../../../src/periphery/interfaces/ICognitionRouter.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {PeripheryBase} from "../../amm/utils/PeripheryBase.sol";
import {PoolActor} from "../../amm/utils/PoolActor.sol";
import {TestToken} from "./mocks/TestToken.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice A model share `cog` worth 2 mUSD (6 decimals) in its own 0.3% CognitionPool with a thin liquidity
/// position (~$100k over +-12,000 ticks), a second loan token `usdx` (18 decimals) and USD feeds for both (8 and 18
/// decimals), and helpers to build oracles, move time and trade through the router. `_shareIsToken0` picks the
/// token order, so a test contract runs both orders by inheriting twice.
abstract contract OracleBase is PeripheryBase {
    uint32 internal constant WINDOW = 30 minutes;
    uint32 internal constant BLOCK_TIME = 12;
    uint16 internal constant DEVIATION_BPS = 200;
    uint32 internal constant MAX_AGE = 1 days;
    /// @dev 2 mUSD per share, in smallest units: 2e6 per 1e18.
    uint256 internal constant PRICE_NUM = 2e6;
    uint256 internal constant PRICE_DEN = 1e18;
    /// @dev The LP's liquidity: ~$50k of each token in range at 2 mUSD per share.
    uint128 internal constant THIN_LIQUIDITY = 8e16;
    int24 internal constant RANGE_TICKS = 12_000;
    /// @dev The oracles' in-range liquidity floor: half the LP's liquidity (the sdk's suggested fraction).
    uint128 internal constant LIQUIDITY_FLOOR = THIN_LIQUIDITY / 2;
    /// @dev The feeds' answer band, USD with 18 decimals (the sdk's default for a USD stablecoin).
    uint128 internal constant MIN_ANSWER_WAD = 0.2e18;
    uint128 internal constant MAX_ANSWER_WAD = 5e18;
    uint256 internal constant Q192 = 1 << 192;

    ModelShare internal cog;
    ICognitionPool internal cogPool;
    PoolActor internal cogLp;
    int24 internal startTick;
    TestToken internal usdx;
    MockAggregator internal stableFeed;
    MockAggregator internal usdxFeed;
    address internal attacker;
    address internal arbitrageur;

    function _shareIsToken0() internal pure virtual returns (bool) {
        return true;
    }

    function setUp() public virtual override {
        super.setUp();
        for (uint256 i = 100;; ++i) {
            cog = _newShare("Cogito", "COG", i);
            if ((address(cog) < address(stable)) == _shareIsToken0()) break;
        }
        cogPool = ICognitionPool(factory.createPool(address(cog), 3000));
        cogPool.initialize(_sqrtAt(PRICE_NUM, PRICE_DEN));
        cogPool.increaseObservationCardinalityNext(uint16(2 * WINDOW / BLOCK_TIME + 1));
        (, startTick,,,,,) = cogPool.slot0();
        cogLp = _newActorOn(cogPool, cog, "cogLp");
        int24 center = startTick / 60 * 60;
        cogLp.mint(center - RANGE_TICKS, center + RANGE_TICKS, THIN_LIQUIDITY);

        attacker = _trader("attacker");
        arbitrageur = _trader("arbitrageur");
        _skip(2 * WINDOW);
        usdx = new TestToken("USDX", 18);
        stableFeed = new MockAggregator(8, "mUSD / USD", 1e8);
        usdxFeed = new MockAggregator(18, "USDX / USD", 1e18);
    }

    /* ORACLES */

    function _config() internal view returns (IShareOracle.Config memory) {
        return IShareOracle.Config({
            pool: cogPool,
            loanToken: address(stable),
            twapWindowSeconds: WINDOW,
            blockTimeSeconds: BLOCK_TIME,
            maxDeviationBps: DEVIATION_BPS,
            minInRangeLiquidity: LIQUIDITY_FLOOR,
            stableUsdFeed: AggregatorV3Interface(address(0)),
            stableUsdMaxAgeSeconds: 0,
            stableUsdMinAnswerWad: 0,
            stableUsdMaxAnswerWad: 0,
            loanUsdFeed: AggregatorV3Interface(address(0)),
            loanUsdMaxAgeSeconds: 0,
            loanUsdMinAnswerWad: 0,
            loanUsdMaxAnswerWad: 0
        });
    }

    function _feedConfig(AggregatorV3Interface stableUsd, AggregatorV3Interface loanUsd)
        internal
        view
        returns (IShareOracle.Config memory config)
    {
        config = _config();
        config.loanToken = address(usdx);
        (config.stableUsdFeed, config.stableUsdMaxAgeSeconds) = (stableUsd, MAX_AGE);
        (config.loanUsdFeed, config.loanUsdMaxAgeSeconds) = (loanUsd, MAX_AGE);
        (config.stableUsdMinAnswerWad, config.stableUsdMaxAnswerWad) = (MIN_ANSWER_WAD, MAX_ANSWER_WAD);
        (config.loanUsdMinAnswerWad, config.loanUsdMaxAnswerWad) = (MIN_ANSWER_WAD, MAX_ANSWER_WAD);
    }

    /// @dev Loan token = the pool's stablecoin: TWAP only.
    function _sameTokenOracle() internal returns (ShareOracle) {
        return new ShareOracle(_config());
    }

    /// @dev Loan token = usdx, through the mUSD/USD (8 decimals) and USDX/USD (18 decimals) feeds.
    function _feedOracle() internal returns (ShareOracle) {
        return new ShareOracle(_feedConfig(stableFeed, usdxFeed));
    }

    /* PRICES */

    /// @dev The pool's sqrt price for `num / den` stablecoin units per share unit, in this contract's token order.
    function _sqrtAt(uint256 num, uint256 den) internal pure returns (uint160) {
        return _shareIsToken0()
            ? uint160(Math.sqrt(FullMath.mulDiv(num, Q192, den)))
            : uint160(Math.sqrt(FullMath.mulDiv(den, Q192, num)));
    }

    /// @dev Independent of the oracle's code path: 1e36 * stable per share at `tick` through a Q128 ratio, rounded
    /// down (may differ from the oracle's Q192 route by a rounding unit).
    function _expectedX36(int24 tick) internal pure returns (uint256) {
        uint256 sqrtPriceX96 = TickMath.getSqrtRatioAtTick(tick);
        uint256 ratioX128 = FullMath.mulDiv(sqrtPriceX96, sqrtPriceX96, 1 << 64);
        return
            _shareIsToken0() ? FullMath.mulDiv(ratioX128, 1e36, 1 << 128) : FullMath.mulDiv(1e36, 1 << 128, ratioX128);
    }

    function _spot() internal view returns (uint160 sqrtPriceX96, int24 tick) {
        (sqrtPriceX96, tick,,,,,) = cogPool.slot0();
    }

    /// @dev The tick at which the share is worth `factorBps / 10_000` times what it is worth at `tick`.
    function _tickTimes(int24 tick, uint256 factorBps) internal pure returns (int24) {
        uint160 sqrtAtTick = TickMath.getSqrtRatioAtTick(tick);
        uint256 scaled = _shareIsToken0()
            ? FullMath.mulDiv(uint256(sqrtAtTick) * sqrtAtTick, factorBps, 10_000)
            : FullMath.mulDiv(uint256(sqrtAtTick) * sqrtAtTick, 10_000, factorBps);
        return TickMath.getTickAtSqrtRatio(uint160(Math.sqrt(scaled)));
    }

    /* TIME AND TRADES */

    /// @dev Moves time and blocks forward together (one block per BLOCK_TIME seconds).
    function _skip(uint256 secondsForward) internal {
        vm.warp(block.timestamp + secondsForward);
        vm.roll(block.number + (secondsForward + BLOCK_TIME - 1) / BLOCK_TIME);
    }

    function _trader(string memory name) internal returns (address who) {
        who = makeAddr(name);
        stable.mint(who, 1e30);
        cog.transfer(who, SHARE_SUPPLY / 16);
        vm.startPrank(who);
        IERC20(address(stable)).approve(address(router), type(uint256).max);
        IERC20(address(cog)).approve(address(router), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev `who` sells up to `shares` through the router, stopping at `floorTick`'s price. Returns what was sold and
    /// the stablecoin received.
    function _sellShares(address who, uint256 shares, int24 floorTick)
        internal
        returns (uint256 sold, uint256 received)
    {
        uint256 stableBefore = stable.balanceOf(who);
        uint256 sharesBefore = cog.balanceOf(who);
        vm.prank(who);
        router.exactInputSingle(
            ICognitionRouter.ExactInputSingleParams({
                tokenIn: address(cog),
                tokenOut: address(stable),
                fee: 3000,
                recipient: who,
                deadline: type(uint256).max,
                amountIn: shares,
                amountOutMinimum: 0,
                sqrtPriceLimitX96: TickMath.getSqrtRatioAtTick(floorTick)
            })
        );
        return (sharesBefore - cog.balanceOf(who), stable.balanceOf(who) - stableBefore);
    }

    /// @dev `who` trades through the router until the pool's tick is `targetTick`: buys shares with stablecoin if
    /// that raises the share price, else sells shares. Returns the stablecoin paid (< 0: received) and the shares
    /// received (< 0: paid).
    function _tradeToTick(address who, int24 targetTick) internal returns (int256 stableDelta, int256 shareDelta) {
        (, int24 tick) = _spot();
        if (tick == targetTick) return (0, 0);
        uint160 limit = TickMath.getSqrtRatioAtTick(targetTick);
        // Buying shares raises the share price: a higher tick if the share is token0, a lower one if token1.
        bool buyShares = _shareIsToken0() ? targetTick > tick : targetTick < tick;
        uint256 stableBefore = stable.balanceOf(who);
        uint256 sharesBefore = cog.balanceOf(who);
        vm.prank(who);
        router.exactInputSingle(
            ICognitionRouter.ExactInputSingleParams({
                tokenIn: buyShares ? address(stable) : address(cog),
                tokenOut: buyShares ? address(cog) : address(stable),
                fee: 3000,
                recipient: who,
                deadline: type(uint256).max,
                amountIn: 1e30,
                amountOutMinimum: 0,
                sqrtPriceLimitX96: limit
            })
        );
        stableDelta = int256(stableBefore) - int256(stable.balanceOf(who));
        shareDelta = int256(cog.balanceOf(who)) - int256(sharesBefore);
    }
}
