// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CognitionPoolFactory} from "../../src/amm/CognitionPoolFactory.sol";
import {ICognitionPool} from "../../src/amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../../src/amm/libraries/TickMath.sol";
import {MarketId, MarketParams} from "../../src/lending/interfaces/ILendingMarket.sol";
import {MarketIdLib} from "../../src/lending/libraries/MarketIdLib.sol";
import {SharesLib} from "../../src/lending/libraries/SharesLib.sol";
import {ModelShare} from "../../src/registry/ModelShare.sol";
import {PoolActor} from "../amm/utils/PoolActor.sol";
import {LendingBase} from "../lending/LendingBase.t.sol";
import {FixedRateIrm} from "../lending/mocks/FixedRateIrm.sol";
import {MockOracle} from "../lending/mocks/MockOracle.sol";

/// @notice What a simulated market starts with (the engine's `setup` line).
struct SimSetup {
    uint256 lltv;
    uint256 ratePerSecond;
    uint24 fee;
    uint160 sqrtPriceX96;
    uint128 liquidity;
    uint256 oraclePrice;
    uint256 supplied;
    uint256 stepSeconds;
}

/// @notice A position the engine opened at time 0.
struct SimPosition {
    uint256 collateral;
    uint256 debt;
    uint256 borrowShares;
}

/// @notice One engine step: the arbitrage (0 none, 1 stablecoin in, 2 shares in), the oracle price, the state after.
struct SimStep {
    uint256 step;
    uint8 arb;
    uint256 arbIn;
    uint160 arbLimit;
    uint256 arbOut;
    uint256 oraclePrice;
    uint160 sqrtPriceX96After;
    uint256 totalSupplyAssetsAfter;
    uint256 totalBorrowAssetsAfter;
}

/// @notice A liquidation the engine made at `step`: its call, what it moved, and the sale of the seized shares.
struct SimLiquidation {
    uint256 step;
    uint256 borrower;
    bool byShares;
    uint256 amount;
    uint256 seized;
    uint256 repaid;
    uint256 badDebt;
    uint256 proceeds;
}

/// @notice Replays a simulation engine path (a counterexample `cogfi-sim export-forge` wrote) against the real
/// CognitionPool and LendingMarket: the lending suite of `LendingBase`, a share sorted after the stablecoin (the
/// engine's pools have the stablecoin as token0), its pool at the engine's price with exactly the engine's full-range
/// liquidity, a market at the engine's LLTV with a fixed-rate IRM at the engine's rate and a mock oracle set to the
/// engine's oracle price each step. Each step, at `t0 + (step + 1) x stepSeconds`: accrual, the arbitrageur's swap
/// (same input, same price limit), the oracle price, the liquidations and the sale of their seized shares; every
/// amount and the pool price and market totals after the step are asserted to the wei.
abstract contract SimulationReplayBase is LendingBase {
    using MarketIdLib for MarketParams;

    uint256 internal constant SIM_SHARE_SUPPLY = 1e30;

    CognitionPoolFactory internal simFactory;
    ICognitionPool internal simPool;
    ModelShare internal simShare;
    PoolActor internal simLp;
    PoolActor internal simTrader;
    MarketParams internal simParams;
    MarketId internal simId;
    MockOracle internal simOracle;
    address[] internal simBorrowers;
    uint256 internal simT0;
    uint256 internal simStepSeconds;
    /// @dev Bad debt the replayed liquidations realized (suppliers' loss), summed.
    uint256 internal simBadDebtRealized;

    function _setUpSimulation(SimSetup memory s, SimPosition[] memory positions) internal {
        // A share that sorts after the stablecoin (the engine's token order), from the real registry.
        for (uint256 i;; ++i) {
            (, address candidate) = _registerModel(modelOwner, string.concat("sim-", vm.toString(i)), SIM_SHARE_SUPPLY);
            if (candidate > address(stablecoin)) {
                simShare = ModelShare(candidate);
                break;
            }
        }
        simFactory = new CognitionPoolFactory();
        simPool = ICognitionPool(simFactory.createPool(address(simShare), s.fee));
        assertEq(simPool.token0(), address(stablecoin), "the stablecoin is token0");
        simPool.initialize(s.sqrtPriceX96);
        simLp = new PoolActor(simPool);
        simTrader = new PoolActor(simPool);
        for (uint256 i; i < 2; ++i) {
            address actor = i == 0 ? address(simLp) : address(simTrader);
            stablecoin.mint(actor, 1e30);
            vm.prank(modelOwner);
            simShare.transfer(actor, SIM_SHARE_SUPPLY / 4);
        }
        int24 spacing = simPool.tickSpacing();
        simLp.mint((TickMath.MIN_TICK / spacing) * spacing, (TickMath.MAX_TICK / spacing) * spacing, s.liquidity);
        assertEq(simPool.liquidity(), s.liquidity, "the engine's liquidity");

        FixedRateIrm simIrm = new FixedRateIrm(s.ratePerSecond);
        simOracle = new MockOracle(s.oraclePrice);
        vm.startPrank(lendingOwner);
        lending.enableIrm(address(simIrm));
        if (!lending.isLltvEnabled(s.lltv)) lending.enableLltv(s.lltv);
        vm.stopPrank();
        simParams = MarketParams({
            loanToken: address(stablecoin),
            collateralToken: address(simShare),
            oracle: address(simOracle),
            irm: address(simIrm),
            lltv: s.lltv
        });
        simId = simParams.id();
        lending.createMarket(simParams);
        simT0 = block.timestamp;
        simStepSeconds = s.stepSeconds;

        stablecoin.mint(lender, s.supplied);
        vm.prank(lender);
        lending.supply(simParams, s.supplied, 0, lender);
        stablecoin.mint(liquidator, 1e30);
        for (uint256 i; i < positions.length; ++i) {
            address who = makeAddr(string.concat("simBorrower", vm.toString(i)));
            simBorrowers.push(who);
            vm.prank(modelOwner);
            simShare.transfer(who, positions[i].collateral);
            vm.startPrank(who);
            simShare.approve(address(lending), positions[i].collateral);
            lending.supplyCollateral(simParams, positions[i].collateral, who);
            lending.borrow(simParams, positions[i].debt, 0, who, who);
            vm.stopPrank();
            (, uint256 borrowShares,) = lending.position(simId, who);
            assertEq(borrowShares, positions[i].borrowShares, "the engine's borrow shares");
        }
    }

    /// @dev Replays `steps` (in order) with the `liquidations` of those steps.
    function _replay(SimStep[] memory steps, SimLiquidation[] memory liquidations) internal {
        for (uint256 i; i < steps.length; ++i) {
            SimStep memory s = steps[i];
            vm.warp(simT0 + (s.step + 1) * simStepSeconds);
            lending.accrueInterest(simParams);
            if (s.arb != 0) {
                (int256 amount0, int256 amount1) = simTrader.swap(s.arb == 1, int256(s.arbIn), s.arbLimit);
                (int256 paid, int256 received) = s.arb == 1 ? (amount0, -amount1) : (amount1, -amount0);
                assertEq(uint256(paid), s.arbIn, "arbitrage input");
                assertEq(uint256(received), s.arbOut, "arbitrage output");
            }
            simOracle.setPrice(s.oraclePrice);
            for (uint256 j; j < liquidations.length; ++j) {
                if (liquidations[j].step == s.step) _liquidate(liquidations[j]);
            }
            (uint160 sqrtPriceX96,,,,,,) = simPool.slot0();
            assertEq(sqrtPriceX96, s.sqrtPriceX96After, string.concat("pool price after step ", vm.toString(s.step)));
            (uint128 supplyAssets,, uint128 borrowAssets,,,) = lending.market(simId);
            assertEq(supplyAssets, s.totalSupplyAssetsAfter, string.concat("supply after step ", vm.toString(s.step)));
            assertEq(borrowAssets, s.totalBorrowAssetsAfter, string.concat("borrow after step ", vm.toString(s.step)));
        }
    }

    function _liquidate(SimLiquidation memory l) internal {
        (uint128 supplyBefore,,,,,) = lending.market(simId);
        vm.startPrank(liquidator);
        (uint256 seized, uint256 repaid) = lending.liquidate(
            simParams, simBorrowers[l.borrower], l.byShares ? 0 : l.amount, l.byShares ? l.amount : 0, ""
        );
        simShare.transfer(address(simTrader), seized);
        vm.stopPrank();
        (uint128 supplyAfter,,,,,) = lending.market(simId);
        assertEq(seized, l.seized, "seized collateral");
        assertEq(repaid, l.repaid, "repaid debt");
        assertEq(supplyBefore - supplyAfter, l.badDebt, "bad debt realized");
        simBadDebtRealized += l.badDebt;
        (int256 amount0,) = simTrader.swap(false, int256(seized), TickMath.MAX_SQRT_RATIO - 1);
        assertEq(uint256(-amount0), l.proceeds, "proceeds of the seized shares");
    }

    /// @dev The liquidation the engine's liquidators declined at the horizon: every position still unhealthy at the
    /// oracle's last price has all its collateral seized and sold into the pool. Asserts that the liquidator's net
    /// (proceeds minus repaid) does not cover `gasUnits` (why the engine's liquidator passed); returns the bad debt the
    /// seizures realize.
    function _liquidateAllAtHorizon(uint256 gasUnits) internal returns (uint256 realized) {
        uint256 price = simOracle.price();
        for (uint256 i; i < simBorrowers.length; ++i) {
            address who = simBorrowers[i];
            (, uint256 shares, uint256 collateral) = lending.position(simId, who);
            (uint128 supplyBefore,, uint128 borrowAssets, uint128 borrowShares,,) = lending.market(simId);
            if (shares == 0 || collateral == 0) continue;
            uint256 maxDebt = _value(collateral, price) * simParams.lltv / 1e18;
            if (SharesLib.toAssetsUp(shares, borrowAssets, borrowShares) <= maxDebt) continue;
            vm.startPrank(liquidator);
            (uint256 seized, uint256 repaid) = lending.liquidate(simParams, who, collateral, 0, "");
            simShare.transfer(address(simTrader), seized);
            vm.stopPrank();
            (int256 amount0,) = simTrader.swap(false, int256(seized), TickMath.MAX_SQRT_RATIO - 1);
            assertLe(int256(-amount0) - int256(repaid), int256(gasUnits), "the full liquidation does not pay its gas");
            (uint128 supplyAfter,,,,,) = lending.market(simId);
            realized += supplyBefore - supplyAfter;
        }
    }

    /// @dev Debt above its collateral's value at `price` (1e36-scaled), summed over the borrowers: the bad debt left
    /// unrealized at the horizon.
    function _unrealizedBadDebt(uint256 price) internal view returns (uint256 total) {
        (,, uint128 borrowAssets, uint128 borrowShares,,) = lending.market(simId);
        for (uint256 i; i < simBorrowers.length; ++i) {
            (, uint256 shares, uint256 collateral) = lending.position(simId, simBorrowers[i]);
            if (shares == 0) continue;
            uint256 debt = SharesLib.toAssetsUp(shares, borrowAssets, borrowShares);
            uint256 value = collateral * price / ORACLE_PRICE_SCALE;
            if (debt > value) total += debt - value;
        }
    }
}
