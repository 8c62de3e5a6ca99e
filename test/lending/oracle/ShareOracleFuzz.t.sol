// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CognitionPoolFactory} from "../../../src/amm/CognitionPoolFactory.sol";
import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {FullMath} from "../../../src/libraries/FullMath.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {ControlledFeed} from "./mocks/ControlledFeed.sol";
import {TestToken} from "./mocks/TestToken.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Fuzz over token and feed decimals, feed answers and pool prices, both token orders (the stablecoin's
/// address is salted): the oracle equals an independent FullMath / TickMath computation, and the same dollar price
/// reads the same whatever the decimals (the Morpho PAXG class: a mis-scaled price).
contract ShareOracleFuzzTest is Test {
    uint32 internal constant WINDOW = 30 minutes;

    CognitionPoolFactory internal factory;

    struct Case {
        ShareOracle oracle;
        ICognitionPool pool;
        bool shareIsToken0;
        uint8 stableDecimals;
        uint8 loanDecimals;
        uint8 stableFeedDecimals;
        uint8 loanFeedDecimals;
        uint256 stableAnswer;
        uint256 loanAnswer;
    }

    function setUp() public {
        factory = new CognitionPoolFactory();
    }

    /// @dev A share (18 decimals) on a stablecoin of `c.stableDecimals`, its pool at `sqrtPriceX96` a window old,
    /// a loan token and USD feeds of the given decimals and answers, and the oracle over them.
    function _deploy(Case memory c, uint160 sqrtPriceX96, uint256 salt) internal {
        TestToken stable = new TestToken{salt: bytes32(salt)}("S", c.stableDecimals);
        ModelShare implementation = new ModelShare(address(this), address(stable), 1 days);
        ModelShare share = ModelShare(Clones.clone(address(implementation)));
        share.initialize("Share", "SH", 1, address(this), 1e30);
        c.pool = ICognitionPool(factory.createPool(address(share), 3000));
        c.pool.initialize(sqrtPriceX96);
        // BORROW_WINDOWS (2) windows of one observation each, plus the current one.
        c.pool.increaseObservationCardinalityNext(3);
        c.shareIsToken0 = c.pool.token0() == address(share);
        vm.warp(block.timestamp + 2 * WINDOW);
        TestToken loan = new TestToken("L", c.loanDecimals);
        c.oracle = new ShareOracle(
            IShareOracle.Config({
                pool: c.pool,
                loanToken: address(loan),
                twapWindowSeconds: WINDOW,
                // One observation suffices for a pool nobody trades: keep the fuzz cheap.
                blockTimeSeconds: WINDOW,
                maxDeviationBps: 100,
                // Nobody provides liquidity here: a floor of 1 accepts the empty pool (see IShareOracle).
                minInRangeLiquidity: 1,
                stableUsdFeed: new ControlledFeed(c.stableFeedDecimals, int256(c.stableAnswer)),
                stableUsdMaxAgeSeconds: 1 hours,
                // The widest band: any answer in (0, 2^128) of the feed's units.
                stableUsdMinAnswerWad: 1,
                stableUsdMaxAnswerWad: type(uint128).max,
                loanUsdFeed: new ControlledFeed(c.loanFeedDecimals, int256(c.loanAnswer)),
                loanUsdMaxAgeSeconds: 1 hours,
                loanUsdMinAnswerWad: 1,
                loanUsdMaxAnswerWad: type(uint128).max
            })
        );
    }

    function _boundCase(
        uint8 stableDecimals,
        uint8 loanDecimals,
        uint8 stableFeedDecimals,
        uint8 loanFeedDecimals,
        uint256 stableAnswer,
        uint256 loanAnswer
    ) internal pure returns (Case memory c) {
        c.stableDecimals = uint8(bound(stableDecimals, 0, 18));
        c.loanDecimals = uint8(bound(loanDecimals, 0, 18));
        c.stableFeedDecimals = uint8(bound(stableFeedDecimals, 0, 18));
        c.loanFeedDecimals = uint8(bound(loanFeedDecimals, 0, 18));
        // $0.01 to $1,000,000 per token.
        c.stableAnswer = bound(stableAnswer, 1, 1e8) * 10 ** c.stableFeedDecimals / 100;
        c.loanAnswer = bound(loanAnswer, 1, 1e8) * 10 ** c.loanFeedDecimals / 100;
        if (c.stableAnswer == 0) c.stableAnswer = 1;
        if (c.loanAnswer == 0) c.loanAnswer = 1;
    }

    /// @dev 1e36 * stablecoin units per share unit at `tick`, through a Q128 ratio (the oracle uses Q192).
    function _stablePerShareX36(int24 tick, bool shareIsToken0) internal pure returns (uint256) {
        uint256 sqrtPriceX96 = TickMath.getSqrtRatioAtTick(tick);
        uint256 ratioX128 = FullMath.mulDiv(sqrtPriceX96, sqrtPriceX96, 1 << 64);
        return shareIsToken0 ? FullMath.mulDiv(ratioX128, 1e36, 1 << 128) : FullMath.mulDiv(1e36, 1 << 128, ratioX128);
    }

    function testFuzz_price_matchesAnIndependentComputation(
        uint8 stableDecimals,
        uint8 loanDecimals,
        uint8 stableFeedDecimals,
        uint8 loanFeedDecimals,
        uint256 stableAnswer,
        uint256 loanAnswer,
        int24 tick,
        uint256 salt
    ) public {
        Case memory c = _boundCase(
            stableDecimals, loanDecimals, stableFeedDecimals, loanFeedDecimals, stableAnswer, loanAnswer
        );
        tick = int24(bound(tick, -300_000, 300_000));
        _deploy(c, TickMath.getSqrtRatioAtTick(tick), salt);

        // Constant tick: the TWAP tick is the tick itself (share token0) or the tick above (token1, see IShareOracle).
        int24 twapTick = c.shareIsToken0 ? tick : tick + 1;
        uint256 num = c.stableAnswer * 10 ** (uint256(c.loanFeedDecimals) + c.loanDecimals);
        uint256 den = c.loanAnswer * 10 ** (uint256(c.stableFeedDecimals) + c.stableDecimals);
        uint256 expected = FullMath.mulDiv(_stablePerShareX36(twapTick, c.shareIsToken0), num, den);
        uint256 price = c.oracle.price();
        // The two routes floor at different points: within one unit of the pre-conversion price, times num / den.
        assertApproxEqAbs(price, expected, expected / 1e15 + 2 * (num / den) + 2, "independent computation");
        assertLe(c.oracle.borrowPrice(), price, "borrowPrice <= price");
        (int24 oracleTwapTick, int24 spotTick) = c.oracle.ticks();
        assertEq(oracleTwapTick, twapTick, "twap tick");
        assertEq(spotTick, tick, "spot tick");
    }

    function testFuzz_latestRoundData_sameDollarsWhateverTheDecimals(
        uint8 stableDecimals,
        uint8 loanDecimals,
        uint8 stableFeedDecimals,
        uint8 loanFeedDecimals,
        uint256 stableAnswer,
        uint256 loanAnswer,
        uint256 usdPerShareE8,
        uint256 salt
    ) public {
        Case memory c = _boundCase(
            stableDecimals, loanDecimals, stableFeedDecimals, loanFeedDecimals, stableAnswer, loanAnswer
        );
        // $0.0001 to $1,000,000 per share.
        usdPerShareE8 = bound(usdPerShareE8, 1e4, 1e14);
        // Stablecoin units per share unit: usd per share / usd per stablecoin, times 10^stableDecimals / 1e18.
        uint256 rawNum = usdPerShareE8 * 10 ** c.stableFeedDecimals * 10 ** c.stableDecimals;
        uint256 rawDen = c.stableAnswer * 1e8 * 1e18;
        // Pool prices between 2^-64 and 2^64 units per unit (wider than any listed token pair needs).
        vm.assume(rawNum < rawDen << 64 && rawDen < rawNum << 64);
        // Sqrt price for the share as token0 and as token1; the salt decides which one the pool needs.
        uint160 sqrt0 = uint160(Math.sqrt(FullMath.mulDiv(rawNum, 1 << 192, rawDen)));
        uint160 sqrt1 = uint160(Math.sqrt(FullMath.mulDiv(rawDen, 1 << 192, rawNum)));
        bool token0 = _shareSortsFirst(c.stableDecimals, salt);
        _deploy(c, token0 ? sqrt0 : sqrt1, salt);
        assertEq(c.shareIsToken0, token0, "predicted order");

        (, int256 answer,,,) = c.oracle.latestRoundData();
        // The loan token per whole share in 18 decimals: usd per share / usd per loan token.
        uint256 exact = FullMath.mulDiv(usdPerShareE8 * 1e10, 10 ** c.loanFeedDecimals, c.loanAnswer);
        // Rounded against the collateral by at most the tick granularity (<= 2 bp: the pool's tick and the oracle's
        // end of it) plus the sqrt rounding of the pool's initial price.
        assertLe(uint256(answer), exact + exact / 1e9 + 1, "never above the dollar price");
        assertGe(uint256(answer), exact - exact * 3 / 10_000 - 1, "within 3 bp below");
    }

    /// @dev Whether the share will sort before a stablecoin deployed with `salt` (the share's address does not
    /// depend on the salt: it is this contract's next CREATE after the stablecoin and the implementation).
    function _shareSortsFirst(uint8 stableDecimals, uint256 salt) internal view returns (bool) {
        bytes32 codeHash = keccak256(abi.encodePacked(type(TestToken).creationCode, abi.encode("S", stableDecimals)));
        address stable = vm.computeCreate2Address(bytes32(salt), codeHash, address(this));
        uint256 nonce = vm.getNonce(address(this));
        // CREATE2 of the stablecoin bumps the nonce too: implementation at nonce + 1, clone at nonce + 2.
        address share = vm.computeCreateAddress(address(this), nonce + 2);
        return share < stable;
    }
}
