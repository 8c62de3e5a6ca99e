// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {AmmBase} from "../utils/AmmBase.sol";
import {PoolActor} from "../utils/PoolActor.sol";

/// @notice Model-share revenue earned by the shares a pool holds reaches its in-range LPs, as it streams in.
contract RevenueTest is AmmBase {
    uint256 internal constant REVENUE = 1e12; // 1M units of a 6-decimal stablecoin
    uint128 internal constant BIG = 3e30; // makes the pool hold ~9% of the share supply

    struct Setup {
        ICognitionPool pool;
        ModelShare share;
        PoolActor lp;
        PoolActor other;
        bool stableIs0;
    }

    function _setup(bool shareIsToken0) internal returns (Setup memory s) {
        (s.pool, s.share) = _poolWithShareAs(shareIsToken0);
        s.lp = _newActorOn(s.pool, s.share, "lp");
        s.other = _newActorOn(s.pool, s.share, "other");
        s.stableIs0 = !shareIsToken0;
    }

    /// @dev Stablecoin owed to a position (fees, revenue and burned liquidity).
    function _owedStable(Setup memory s, address owner, int24 lower, int24 upper) internal view returns (uint256) {
        (,,, uint128 owed0, uint128 owed1) = s.pool.positions(keccak256(abi.encodePacked(owner, lower, upper)));
        return s.stableIs0 ? owed0 : owed1;
    }

    function _streamsToInRangeLiquidity(bool shareIsToken0) internal {
        Setup memory s = _setup(shareIsToken0);
        s.lp.mint(-600, 600, BIG);
        // Out of range, holding only stablecoin: earns nothing from the share revenue.
        (int24 outLower, int24 outUpper) = s.stableIs0 ? (int24(1200), int24(1800)) : (int24(-1800), int24(-1200));
        s.other.mint(outLower, outUpper, BIG);
        _depositRevenue(s.share, REVENUE);

        vm.warp(block.timestamp + 12 hours);
        uint256 accrued = s.share.claimable(address(s.pool));
        assertGt(accrued, 0, "pool accrued revenue");
        assertApproxEqRel(
            accrued,
            REVENUE * s.share.balanceOf(address(s.pool)) / SHARE_SUPPLY / 2,
            1e12,
            "half a day of the pool's pro-rata revenue"
        );
        s.lp.burn(-600, 600, 0);
        uint256 got = _owedStable(s, address(s.lp), -600, 600);
        assertLe(got, accrued, "never more than claimed");
        assertApproxEqAbs(got, accrued, 1, "the in-range LP gets it all, less rounding");

        vm.warp(block.timestamp + 12 hours);
        s.lp.burn(-600, 600, 0);
        s.other.burn(outLower, outUpper, 0);
        assertApproxEqRel(
            _owedStable(s, address(s.lp), -600, 600),
            REVENUE * s.share.balanceOf(address(s.pool)) / SHARE_SUPPLY,
            1e12,
            "a full day"
        );
        assertEq(_owedStable(s, address(s.other), outLower, outUpper), 0, "out of range: no revenue");
    }

    function test_revenue_streamsToInRangeLiquidity_shareIsToken0() public {
        _streamsToInRangeLiquidity(true);
    }

    function test_revenue_streamsToInRangeLiquidity_shareIsToken1() public {
        _streamsToInRangeLiquidity(false);
    }

    /// @dev The sandwich: add liquidity right before a revenue deposit, remove it a block later. The share streams
    /// the deposit over a day, and the pool distributes by liquidity and time, so the attacker gets its slice of
    /// one block, not the deposit.
    function test_revenue_liquidityAddedBeforeDepositGetsOnlyStreamedSlice() public {
        Setup memory s = _setup(true);
        s.lp.mint(-600, 600, BIG);
        vm.warp(block.timestamp + 1 hours);

        s.other.mint(-600, 600, BIG); // the attacker, same size as the honest LP, in the deposit's block
        _depositRevenue(s.share, REVENUE);
        uint256 releasedBefore = s.share.releasedRevenue();
        vm.warp(block.timestamp + 12);
        uint256 releasedInWindow = s.share.releasedRevenue() - releasedBefore;
        uint256 poolShares = s.share.balanceOf(address(s.pool));

        s.other.burn(-600, 600, 0); // poke first, the attacker's best play: a removal alone does not accrue
        (uint256 back0, uint256 back1) = s.other.burn(-600, 600, BIG);
        uint256 attackerRevenue = _owedStable(s, address(s.other), -600, 600) - (s.stableIs0 ? back0 : back1);

        uint256 fairSlice = releasedInWindow * poolShares / SHARE_SUPPLY / 2;
        assertLe(attackerRevenue, fairSlice + 1, "at most its half of 12 seconds of the pool's revenue");
        assertApproxEqAbs(attackerRevenue, fairSlice, 2, "and exactly that slice");
        assertLt(attackerRevenue * 5000, REVENUE * poolShares / SHARE_SUPPLY, "far below the deposit (< 0.02%)");

        // The honest LP keeps earning the rest as it streams.
        vm.warp(block.timestamp + 1 days);
        s.lp.burn(-600, 600, 0);
        assertGt(_owedStable(s, address(s.lp), -600, 600), 100 * attackerRevenue, "honest LP gets the stream");
    }

    /// @dev Revenue claimed while no liquidity is in range is held, then released to the liquidity in range at
    /// `held * min(elapsed, period) / period` per accrual (period: 1 day), so no block captures it.
    function test_revenue_heldWhileNoLiquidityInRange_releasedOverPeriod() public {
        Setup memory s = _setup(true);
        // Share-only range above the price: the pool holds shares but no liquidity is in range.
        s.other.mint(1200, 1800, BIG);
        assertEq(s.pool.liquidity(), 0, "nothing in range");
        _depositRevenue(s.share, REVENUE);
        vm.warp(block.timestamp + 6 hours);

        uint256 claimed = s.pool.collectRevenue();
        assertGt(claimed, 0, "claimed");
        (uint96 held, uint32 accruedAt) = s.pool.revenueState();
        assertEq(held, claimed, "held while no liquidity is in range");
        assertEq(accruedAt, uint32(block.timestamp), "accrued now");
        assertEq(s.pool.collectRevenue(), 0, "once per block");

        s.lp.mint(-600, 600, 1e24); // same block: joins after the accrual
        vm.warp(block.timestamp + 1);
        uint256 claimedNow = s.share.claimable(address(s.pool));
        s.pool.collectRevenue();
        s.lp.burn(-600, 600, 0);
        uint256 got = _owedStable(s, address(s.lp), -600, 600);
        (uint96 heldAfter,) = s.pool.revenueState();
        assertEq(got + heldAfter, claimed + claimedNow, "distributed plus held is everything claimed");
        assertLe(got, claimedNow + claimed / 1 days, "one second: what streamed in and 1/86400 of what is held");
        assertApproxEqAbs(got, claimedNow + claimed / 1 days, 1, "exactly that, less rounding");

        // A whole period without an accrual releases everything held to the liquidity in range all that time.
        vm.warp(block.timestamp + 1 days);
        uint256 claimedLater = s.share.claimable(address(s.pool));
        s.lp.burn(-600, 600, 0);
        (heldAfter,) = s.pool.revenueState();
        assertLe(heldAfter, 1, "only rounding stays held");
        assertEq(
            _owedStable(s, address(s.lp), -600, 600) + heldAfter,
            claimed + claimedNow + claimedLater,
            "distributed plus held is everything claimed (after a period)"
        );
    }

    /// @dev Accrued every hour, held revenue decays by 1/24 an hour: the release restarts at each accrual, like
    /// the share's own stream restarts at each deposit.
    function test_revenue_heldRevenueReleasedPerAccrual() public {
        Setup memory s = _setup(true);
        s.other.mint(1200, 1800, BIG);
        _depositRevenue(s.share, REVENUE);
        vm.warp(block.timestamp + 1 days);
        s.lp.mint(-600, 600, 1e24); // claims the day's revenue with nothing in range: all held
        (uint96 held,) = s.pool.revenueState();
        assertGt(held, 0, "held");

        uint256 expected = held;
        for (uint256 i; i < 24; ++i) {
            vm.warp(block.timestamp + 1 hours);
            s.pool.collectRevenue();
            expected -= expected / 24;
        }
        (uint96 heldAfter,) = s.pool.revenueState();
        assertApproxEqAbs(heldAfter, expected, 24, "(23/24)^24 of it still held, ~36%");
        s.lp.burn(-600, 600, 0);
        assertApproxEqAbs(_owedStable(s, address(s.lp), -600, 600), held - heldAfter, 24, "the rest went to the LP");
    }

    /// @dev Revenue claimed in the middle of a swap (first tick crossing of the block) must not count as the
    /// trader's payment: it is claimed before the pool measures its balance.
    function test_revenue_neverCountsAsSwapPayment() public {
        Setup memory s = _setup(false); // stablecoin is token0: selling token0 pays in stablecoin
        s.lp.mint(-600, 600, BIG);
        s.lp.mint(-1200, -600, BIG / 3);
        _depositRevenue(s.share, REVENUE);
        vm.warp(block.timestamp + 1 hours);
        uint256 accrued = s.share.claimable(address(s.pool));
        assertGt(accrued, 1e6, "revenue waiting");

        // The swap crosses tick -600, which claims the revenue mid-swap. Underpaying by what arrives must fail.
        uint256 input = 1e29;
        s.other.setShortfall(accrued);
        vm.expectRevert(
            abi.encodeWithSelector(
                ICognitionPoolErrors.InsufficientPayment.selector, address(stable), input, input - accrued
            )
        );
        s.other.swap(true, int256(input), TickMath.getSqrtRatioAtTick(-900));

        s.other.setShortfall(0);
        uint256 before0 = _balance(address(stable), address(s.pool));
        (int256 a0,) = s.other.swap(true, int256(input), TickMath.getSqrtRatioAtTick(-900));
        assertEq(_balance(address(stable), address(s.pool)) - before0, uint256(a0) + accrued, "payment and revenue");
        (, uint32 accruedAt) = s.pool.revenueState();
        assertEq(accruedAt, uint32(block.timestamp), "claimed during the swap");
    }

    /// @dev A removal does not claim from the share (that would cost every burn the share's cold accounts): the
    /// revenue streamed since the last accrual goes to the liquidity still in range at the next one. A poke (or
    /// `collectRevenue`) before the removal credits it; `LiquidityManager.decreaseLiquidity` accrues first.
    function test_burn_removalLeavesUnaccruedRevenueToLiquidityThatStays() public {
        Setup memory s = _setup(true);
        s.lp.mint(-600, 600, BIG);
        s.other.mint(-600, 600, BIG);
        _depositRevenue(s.share, REVENUE);
        vm.warp(block.timestamp + 12 hours);
        uint256 accrued = s.share.claimable(address(s.pool));
        assertGt(accrued, 0, "the pool accrued revenue");

        (uint256 back0, uint256 back1) = s.other.burn(-600, 600, BIG);
        assertEq(_owedStable(s, address(s.other), -600, 600), s.stableIs0 ? back0 : back1, "removal: principal only");
        assertEq(s.share.claimable(address(s.pool)), accrued, "the removal claimed nothing");

        s.lp.burn(-600, 600, 0);
        assertApproxEqAbs(_owedStable(s, address(s.lp), -600, 600), accrued, 1, "the LP that stayed gets it all");
    }

    function test_revenue_nothingStrandedAfterEveryoneLeaves() public {
        Setup memory s = _setup(true);
        s.lp.mint(-600, 600, BIG);
        s.other.mint(-1200, 0, BIG / 3);
        _depositRevenue(s.share, REVENUE);
        for (uint256 i; i < 24; ++i) {
            vm.warp(block.timestamp + 1 hours);
            bool down = i % 2 == 0;
            s.other.swap(down, 1e28, down ? TickMath.getSqrtRatioAtTick(-700) : TickMath.getSqrtRatioAtTick(100));
        }
        vm.warp(block.timestamp + 1 days);
        s.lp.burn(-600, 600, BIG);
        s.other.burn(-1200, 0, BIG / 3);
        s.lp.collect(-600, 600);
        s.other.collect(-1200, 0);
        (uint96 pending,) = s.pool.revenueState();
        uint256 left = _balance(address(stable), address(s.pool));
        assertLe(left, uint256(pending) + 10, "only pending and per-position rounding dust remain");
        assertLe(s.share.claimable(address(s.pool)), 0, "nothing left to claim");
    }
}
