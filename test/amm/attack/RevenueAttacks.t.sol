// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {SqrtPriceMath} from "../../../src/amm/libraries/SqrtPriceMath.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {LiquidityAmounts} from "../../../src/periphery/libraries/LiquidityAmounts.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {AmmBase} from "../utils/AmmBase.sol";
import {PoolActor} from "../utils/PoolActor.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

/// @notice Attacks on how a pool passes on the model-share revenue of the shares it holds (security review of
/// CognitionPool, items 4 and 5), on a market priced like a real one: a model of 10M shares (18 decimals) trading
/// at 1 USDC (6 decimals) a share, earning 451,200 USDC a day, so that 200,000 shares earn 9,024 USDC a day.
contract RevenueAttacksTest is AmmBase {
    uint256 internal constant USDC = 1e6;
    uint256 internal constant ONE_SHARE = 1e18;
    /// @dev Share units per USDC unit at the market's price of 1 USDC a share.
    int256 internal constant SHARE_UNITS_PER_USDC_UNIT = 1e12;
    uint256 internal constant MODEL_SUPPLY = 10_000_000 * ONE_SHARE;
    uint256 internal constant DAILY_REVENUE = 451_200 * USDC;
    uint256 internal constant HONEST_SHARES = 200_000 * ONE_SHARE;
    uint256 internal constant BLOCK_SECONDS = 12;
    /// @dev The release period of revenue held while no liquidity is in range (documented on `ICognitionPool`).
    uint256 internal constant RELEASE_PERIOD = 1 days;
    int24 internal constant SPACING = 60;

    struct Market {
        ICognitionPool pool;
        ModelShare share;
        bool shareIs0;
        uint160 sqrtPriceX96;
        // The current tick rounded down to the tick spacing.
        int24 base;
    }

    struct Trade {
        uint256 paidShares;
        uint256 paidUsdc;
        uint256 burnedUsdc;
        uint256 collectedShares;
        uint256 collectedUsdc;
    }

    /* ITEM 4: REVENUE THAT PILES UP WHILE NO LIQUIDITY IS IN RANGE */

    /// @dev An honest LP holds 200,000 shares in a share-only range past the price, so no liquidity is in range
    /// for a day while those shares earn 9,024 USDC. An attacker then holds a position of 1 share and 1 USDC
    /// around the price for `holdSeconds`. Returns the attacker's take (revenue credited to its position) and
    /// profit (everything collected less everything paid, shares at 1 USDC), and the idle day's revenue.
    function _idleDayThenDust(bool shareIsToken0, uint256 holdSeconds)
        internal
        returns (Market memory m, uint256 take, int256 profit, uint256 idleRevenue)
    {
        m = _market(shareIsToken0);
        idleRevenue = _idleDay(m);
        PoolActor attacker = _actor(m, "attacker", 10 * ONE_SHARE);
        (int24 aLower, int24 aUpper) = (m.base, m.base + SPACING);
        Trade memory t =
            _roundTrip(m, attacker, aLower, aUpper, _liquidityFor(m, aLower, aUpper, ONE_SHARE, USDC), holdSeconds);
        assertLe(t.paidShares, ONE_SHARE + 1, "at most 1 share in");
        assertLe(t.paidUsdc, USDC + 1, "at most 1 USDC in");
        take = t.collectedUsdc - t.burnedUsdc;
        profit = _profit(t);
    }

    /// @dev The honest LP's shares earn a day of revenue while no liquidity is in range; returns that revenue.
    function _idleDay(Market memory m) internal returns (uint256 idleRevenue) {
        PoolActor honest = _actor(m, "honest LP", HONEST_SHARES);
        (int24 lower, int24 upper) = m.shareIs0 ? (m.base + 600, m.base + 1200) : (m.base - 1200, m.base - 600);
        honest.mint(lower, upper, _liquidityFor(m, lower, upper, HONEST_SHARES, 0));
        assertEq(m.pool.liquidity(), 0, "no liquidity in range");

        _depositRevenue(m.share, DAILY_REVENUE);
        vm.warp(block.timestamp + 1 days);
        idleRevenue = m.share.claimable(address(m.pool));
        assertApproxEqRel(idleRevenue, 9024 * USDC, 1e15, "a day of 200,000 shares' revenue is ~9,024 USDC");
    }

    function _assertOneBlockSliceOnly(bool shareIsToken0) internal {
        (Market memory m, uint256 take, int256 profit, uint256 idleRevenue) =
            _idleDayThenDust(shareIsToken0, BLOCK_SECONDS);
        emit log_named_decimal_uint("item 4: idle revenue waiting in the pool, USDC", idleRevenue, 6);
        emit log_named_decimal_uint("item 4: dust position's take after one block, USDC", take, 6);
        emit log_named_decimal_int("item 4: attacker profit, USDC", profit, 6);

        assertLe(take, idleRevenue * BLOCK_SECONDS / RELEASE_PERIOD + 1, "at most one block's slice of the period");
        assertLt(take * 5000, idleRevenue, "under 0.02% of the idle revenue");
        (uint96 held,) = m.pool.revenueState();
        assertGe(uint256(held) + take + 1, idleRevenue, "the rest is still held for the liquidity to come");
    }

    function test_attack_idleRevenueToDustPosition_shareIsToken0() public {
        _assertOneBlockSliceOnly(true);
    }

    function test_attack_idleRevenueToDustPosition_shareIsToken1() public {
        _assertOneBlockSliceOnly(false);
    }

    /// @dev However long the dust position stays alone in range, it earns the held revenue at the documented
    /// rate: at most `held * min(seconds in range, period) / period`.
    function testFuzz_attack_idleRevenueToDustPosition_boundedByTimeInRange(uint256 holdSeconds) public {
        holdSeconds = bound(holdSeconds, 1, 3 * RELEASE_PERIOD);
        (, uint256 take,, uint256 idleRevenue) = _idleDayThenDust(true, holdSeconds);
        uint256 elapsed = holdSeconds < RELEASE_PERIOD ? holdSeconds : RELEASE_PERIOD;
        assertLe(take, idleRevenue * elapsed / RELEASE_PERIOD + 1, "held revenue released at most linearly");
    }

    /// @dev The same attack entering the range by a swap instead of a mint: the swap moves the price from the
    /// empty tick into a dust range placed just past it, crossing the range's bound.
    function test_attack_idleRevenueToDustPosition_enteredBySwap() public {
        Market memory m = _market(true);
        PoolActor honest = _actor(m, "honest LP", HONEST_SHARES);
        honest.mint(m.base + 600, m.base + 1200, _liquidityFor(m, m.base + 600, m.base + 1200, HONEST_SHARES, 0));
        PoolActor attacker = _actor(m, "attacker", 10 * ONE_SHARE);
        (int24 aLower, int24 aUpper) = (m.base + SPACING, m.base + 2 * SPACING);
        uint128 dust = _liquidityFor(m, aLower, aUpper, ONE_SHARE, 0);
        attacker.mint(aLower, aUpper, dust);
        assertEq(m.pool.liquidity(), 0, "no liquidity in range");
        _depositRevenue(m.share, DAILY_REVENUE);
        vm.warp(block.timestamp + 1 days);
        uint256 idleRevenue = m.share.claimable(address(m.pool));

        // Buy the share (token0) up into the dust range, then leave a block later.
        (, int256 paid1) = attacker.swap(false, int256(USDC), TickMath.getSqrtRatioAtTick(aLower + SPACING / 2));
        assertEq(m.pool.liquidity(), dust, "the dust range is in range");
        vm.warp(block.timestamp + BLOCK_SECONDS);
        attacker.burn(aLower, aUpper, 0); // poke first: a removal alone does not accrue
        (, uint256 burned1) = attacker.burn(aLower, aUpper, dust);
        (, uint128 collected1) = attacker.collect(aLower, aUpper);
        // The position also earns back the 0.3% fee of the attacker's own swap (at most fee / (1 - fee) of the
        // input): that is not revenue.
        uint256 ownFee = uint256(paid1) * 3000 / 997_000 + 1;
        uint256 take = collected1 - burned1 - ownFee;
        emit log_named_decimal_uint("item 4 (entered by swap): dust position's take after one block, USDC", take, 6);
        assertLe(take, idleRevenue * BLOCK_SECONDS / RELEASE_PERIOD + 1, "at most one block's slice of the period");
    }

    /* ITEM 5: SHARE REVENUE FOLLOWS IN-RANGE LIQUIDITY, NOT SHARES CONTRIBUTED */

    /// @dev A wide LP (-6000, +6000 ticks) and a narrow LP (3 tick spacings around the price) with 1% of the
    /// capital. The documented rule: the revenue of every share the pool holds is split like swap fees, pro rata
    /// to in-range liquidity and time, so the narrow LP earns L_narrow / (L_narrow + L_wide) of it while its own
    /// shares produce ~1% of it. The test pins that rule and logs the measured split.
    function test_attack_narrowRangeRevenueSplit_followsInRangeLiquidity() public {
        Market memory m = _market(true);
        PoolActor wide = _actor(m, "wide LP", 1_000_000 * ONE_SHARE);
        PoolActor narrow = _actor(m, "narrow LP", 1_000_000 * ONE_SHARE);
        (int24 wLower, int24 wUpper) = (m.base - 6000, m.base + 6000);
        (int24 nLower, int24 nUpper) = (m.base - SPACING, m.base + 2 * SPACING);

        uint128 lWide = _liquidityFor(m, wLower, wUpper, 495_000 * ONE_SHARE, 495_000 * USDC);
        Trade memory w = _mint(m, wide, wLower, wUpper, lWide);
        // 1% of the capital: the narrow LP brings 1/99 of the wide LP's.
        uint128 lNarrow = _liquidityForValue(m, nLower, nUpper, _valueUsdc(w) / 99);
        Trade memory n = _mint(m, narrow, nLower, nUpper, lNarrow);

        _depositRevenue(m.share, DAILY_REVENUE);
        vm.warp(block.timestamp + 1 days);
        uint256 poolRevenue = m.share.claimable(address(m.pool));
        wide.burn(wLower, wUpper, 0);
        narrow.burn(nLower, nUpper, 0);
        uint256 revenueWide = _owedUsdc(m, address(wide), wLower, wUpper);
        uint256 revenueNarrow = _owedUsdc(m, address(narrow), nLower, nUpper);
        uint256 distributed = revenueWide + revenueNarrow;
        assertLe(distributed, poolRevenue, "never more than the pool's revenue");
        assertApproxEqAbs(distributed, poolRevenue, 2, "all of it, less rounding");

        uint256 capitalBps = _valueUsdc(n) * 10_000 / (_valueUsdc(n) + _valueUsdc(w));
        uint256 sharesBps = n.paidShares * 10_000 / (n.paidShares + w.paidShares);
        uint256 revenueBps = revenueNarrow * 10_000 / distributed;
        uint256 fairByShares = distributed * n.paidShares / (n.paidShares + w.paidShares);
        emit log_named_decimal_uint("item 5: narrow LP's share of the capital, %", capitalBps, 2);
        emit log_named_decimal_uint("item 5: narrow LP's share of the pool's shares, %", sharesBps, 2);
        emit log_named_decimal_uint("item 5: narrow LP's share of the revenue, %", revenueBps, 2);
        emit log_named_decimal_uint("item 5: pool revenue for the day, USDC", distributed, 6);
        emit log_named_decimal_uint("item 5: narrow LP's revenue, USDC", revenueNarrow, 6);
        emit log_named_decimal_int(
            "item 5: narrow LP's revenue above its shares' pro-rata revenue, USDC",
            int256(revenueNarrow) - int256(fairByShares),
            6
        );

        assertApproxEqAbs(capitalBps, 100, 1, "the narrow LP brings 1% of the capital");
        assertApproxEqRel(
            revenueNarrow,
            distributed * lNarrow / (uint256(lNarrow) + lWide),
            1e12,
            "documented rule: revenue pro rata to in-range liquidity"
        );
        assertApproxEqRel(
            revenueWide,
            distributed * lWide / (uint256(lNarrow) + lWide),
            1e12,
            "documented rule: revenue pro rata to in-range liquidity (wide)"
        );
    }

    /* HELPERS */

    /// @dev A fresh model share of `MODEL_SUPPLY` (as token0 or token1, as asked) and its 0.3% pool at 1 USDC.
    function _market(bool shareIsToken0) internal returns (Market memory m) {
        ModelShare implementation = new ModelShare(address(this), address(stable), SHARE_STREAM_PERIOD);
        do {
            m.share = ModelShare(Clones.clone(address(implementation)));
        } while ((address(m.share) < address(stable)) != shareIsToken0);
        m.share.initialize("Model", "M", 100, address(this), MODEL_SUPPLY);
        m.pool = ICognitionPool(factory.createPool(address(m.share), 3000));
        m.shareIs0 = shareIsToken0;
        // token1 per token0 in base units: 1e6 / 1e18 with the share as token0, 1e18 / 1e6 otherwise.
        m.sqrtPriceX96 = shareIsToken0 ? uint160(PRICE_ONE / 1e6) : uint160(PRICE_ONE * 1e6);
        m.pool.initialize(m.sqrtPriceX96);
        (, int24 tick,,,,,) = m.pool.slot0();
        int24 rest = tick % SPACING;
        m.base = rest < 0 ? tick - rest - SPACING : tick - rest;
    }

    function _actor(Market memory m, string memory label, uint256 shares) internal returns (PoolActor actor) {
        actor = new PoolActor(m.pool);
        vm.label(address(actor), label);
        stable.mint(address(actor), 1e9 * USDC);
        m.share.transfer(address(actor), shares);
    }

    /// @dev The most liquidity `shares` and `usdc` pay for over the range at the market's price.
    function _liquidityFor(Market memory m, int24 lower, int24 upper, uint256 shares, uint256 usdc)
        internal
        pure
        returns (uint128)
    {
        (uint256 amount0, uint256 amount1) = m.shareIs0 ? (shares, usdc) : (usdc, shares);
        return LiquidityAmounts.getLiquidityForAmounts(
            m.sqrtPriceX96, TickMath.getSqrtRatioAtTick(lower), TickMath.getSqrtRatioAtTick(upper), amount0, amount1
        );
    }

    /// @dev The liquidity over the range that is worth `valueUsdc` at the market's price (shares at 1 USDC).
    function _liquidityForValue(Market memory m, int24 lower, int24 upper, uint256 valueUsdc)
        internal
        pure
        returns (uint128)
    {
        uint128 unit = 1e30;
        uint160 sqrtLower = TickMath.getSqrtRatioAtTick(lower);
        uint160 sqrtUpper = TickMath.getSqrtRatioAtTick(upper);
        uint256 amount0 = SqrtPriceMath.getAmount0Delta(m.sqrtPriceX96, sqrtUpper, unit, true);
        uint256 amount1 = SqrtPriceMath.getAmount1Delta(sqrtLower, m.sqrtPriceX96, unit, true);
        (uint256 shares, uint256 usdc) = m.shareIs0 ? (amount0, amount1) : (amount1, amount0);
        return uint128(valueUsdc * unit / (usdc + shares / uint256(SHARE_UNITS_PER_USDC_UNIT)));
    }

    function _mint(Market memory m, PoolActor actor, int24 lower, int24 upper, uint128 liquidity)
        internal
        returns (Trade memory t)
    {
        (uint256 paid0, uint256 paid1) = actor.mint(lower, upper, liquidity);
        (t.paidShares, t.paidUsdc) = m.shareIs0 ? (paid0, paid1) : (paid1, paid0);
    }

    /// @dev Mints, holds for `holdSeconds`, burns everything and collects.
    function _roundTrip(
        Market memory m,
        PoolActor actor,
        int24 lower,
        int24 upper,
        uint128 liquidity,
        uint256 holdSeconds
    ) internal returns (Trade memory t) {
        t = _mint(m, actor, lower, upper, liquidity);
        vm.warp(block.timestamp + holdSeconds);
        // Poke first, the attacker's best play: a removal alone does not accrue, so it would leave the revenue
        // streamed since the last accrual to the liquidity that stays.
        actor.burn(lower, upper, 0);
        (uint256 burned0, uint256 burned1) = actor.burn(lower, upper, liquidity);
        t.burnedUsdc = m.shareIs0 ? burned1 : burned0;
        (uint128 got0, uint128 got1) = actor.collect(lower, upper);
        (t.collectedShares, t.collectedUsdc) = m.shareIs0 ? (got0, got1) : (got1, got0);
    }

    /// @dev What a round trip made, in USDC units, shares valued at 1 USDC.
    function _profit(Trade memory t) internal pure returns (int256) {
        int256 sharesDelta = int256(t.collectedShares) - int256(t.paidShares);
        return int256(t.collectedUsdc) - int256(t.paidUsdc) + sharesDelta / SHARE_UNITS_PER_USDC_UNIT;
    }

    function _valueUsdc(Trade memory t) internal pure returns (uint256) {
        return t.paidUsdc + t.paidShares / uint256(SHARE_UNITS_PER_USDC_UNIT);
    }

    function _owedUsdc(Market memory m, address owner, int24 lower, int24 upper) internal view returns (uint256) {
        (,,, uint128 owed0, uint128 owed1) = m.pool.positions(keccak256(abi.encodePacked(owner, lower, upper)));
        return m.shareIs0 ? owed1 : owed0;
    }
}
