// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {AmmBase} from "../utils/AmmBase.sol";
import {PoolActor} from "../utils/PoolActor.sol";
import {PoolHandler} from "./PoolHandler.sol";

contract PoolInvariantTest is AmmBase {
    PoolHandler internal handler;

    function setUp() public override {
        super.setUp();
        PoolActor[] memory actors = new PoolActor[](3);
        actors[0] = lp;
        actors[1] = trader;
        actors[2] = _newActor("third");
        handler = new PoolHandler(pool, share, stable, actors);
        pool.increaseObservationCardinalityNext(16);
        // Seed liquidity so swaps have something to trade against.
        handler.seedPosition(lp, -1800, 1800, 1e22);
        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = PoolHandler.mint.selector;
        selectors[1] = PoolHandler.burn.selector;
        selectors[2] = PoolHandler.collect.selector;
        selectors[3] = PoolHandler.swap.selector;
        selectors[4] = PoolHandler.warp.selector;
        selectors[5] = PoolHandler.depositRevenue.selector;
        selectors[6] = PoolHandler.collectRevenue.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /// @dev Sum of the liquidity of positions whose range contains the current tick.
    function invariant_liquidityEqualsSumOfInRangePositions() public view {
        (, int24 tick,,,,,) = pool.slot0();
        uint256 sum;
        for (uint256 i; i < handler.positionCount(); ++i) {
            (, int24 lower, int24 upper) = handler.position(i);
            if (lower <= tick && tick < upper) sum += handler.positionLiquidity(i);
        }
        assertEq(pool.liquidity(), sum, "in-range liquidity");
    }

    function invariant_feeGrowthNeverDecreases() public view {
        assertFalse(handler.feeGrowthDecreased(), "fee growth decreased");
    }

    function invariant_tickMatchesPrice() public view {
        (uint160 price, int24 tick,,,,,) = pool.slot0();
        assertLe(TickMath.getSqrtRatioAtTick(tick), price, "tick price at or below");
        // After a leftward crossing the price may sit exactly on tick + 1.
        assertLe(price, TickMath.getSqrtRatioAtTick(tick + 1), "next tick price at or above");
    }

    function invariant_observationsMonotonicInTime() public view {
        (,, uint16 index, uint16 cardinality,,,) = pool.slot0();
        uint32 previous;
        bool first = true;
        for (uint256 i = 1; i <= cardinality; ++i) {
            (uint32 ts,,, bool initialized) = pool.observations((index + i) % cardinality);
            if (!initialized) continue;
            if (!first) assertGt(ts, previous, "timestamps strictly increase from oldest to newest");
            previous = ts;
            first = false;
        }
        (uint32 newest,,,) = pool.observations(index);
        assertLe(newest, uint32(block.timestamp), "newest not in the future");
    }

    /// @dev Pool balances cover everything owed: every LP can burn all its liquidity and collect all it is owed
    /// (principal, fees and revenue) at any time, and what stays behind is pending revenue and rounding dust.
    function invariant_balancesCoverEverythingOwed() public {
        uint256 snapshot = vm.snapshotState();
        for (uint256 i; i < handler.positionCount(); ++i) {
            (PoolActor actor, int24 lower, int24 upper) = handler.position(i);
            uint128 liquidity = handler.positionLiquidity(i);
            if (liquidity > 0) actor.burn(lower, upper, liquidity);
            actor.collect(lower, upper);
        }
        assertEq(pool.liquidity(), 0, "all liquidity out");
        (uint96 pending,) = pool.revenueState();
        uint256 stableLeft = _balance(address(stable), address(pool));
        uint256 shareLeft = _balance(address(share), address(pool));
        uint256 dustBound = 4 * handler.positionCount() + 4 * handler.swaps() + 10;
        assertLe(stableLeft, uint256(pending) + dustBound, "only pending revenue and dust left (stable)");
        assertLe(shareLeft, dustBound, "only dust left (share)");
        vm.revertToState(snapshot);
    }

    /// @dev The runs must actually trade and move the price, or the invariants above prove little.
    function afterInvariant() external view {
        assertGt(handler.swaps(), 0, "swaps happened");
    }
}
