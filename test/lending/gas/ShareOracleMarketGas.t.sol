// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {GasTest} from "../../utils/GasTest.sol";
import {IMorphoBlue, MorphoBlueDeployer} from "../utils/MorphoBlueDeployer.sol";
import {OracleMarketBase} from "../utils/OracleMarketBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice `borrow_shareOracle`: the borrow scenario of LendingMarketGasTest with the real ShareOracle instead of a
/// fixed-price mock, on LendingMarket and on Morpho Blue (built from its npm package) side by side. The oracle prices
/// USDX loans against the share through the pool's TWAP and two Chainlink-shaped mock feeds (mUSD/USD 8 decimals,
/// USDX/USD 18 decimals); the pool holds ~$100k over +-12,000 ticks and a full ring of observations (a swap every
/// block for longer than the two windows `borrowPrice` reads), so `observe` does its binary searches. LendingMarket's
/// borrow reads `borrowPrice()` (two windows, the deviation guard, the liquidity floor, the feeds' ages and bands);
/// Morpho Blue's reads `price()`. No caps on either market, as in the fixed-price scenarios. Full transaction gas
/// under `--isolate` (npm run test:gas / snapshot), in snapshots/LendingMarket.json.
contract ShareOracleMarketGasTest is OracleMarketBase, GasTest, MorphoBlueDeployer {
    string internal constant GROUP = "LendingMarket";
    uint256 internal constant SUPPLIED = 100_000e18;
    uint256 internal constant COLLATERAL = 1000e18;
    uint256 internal constant BORROWED = 500e18;

    IMorphoBlue internal morpho;
    ShareOracle internal oracle;
    MarketParams internal params;
    address internal borrower;
    address internal borrower2;

    function setUp() public override {
        super.setUp();
        oracle = _feedOracle();
        params = MarketParams({
            loanToken: address(usdx),
            collateralToken: address(cog),
            oracle: address(oracle),
            irm: address(irm),
            lltv: MARKET_LLTV
        });
        lending.createMarket(params);
        morpho = IMorphoBlue(_deployMorphoBlue(lendingOwner));
        vm.startPrank(lendingOwner);
        morpho.enableIrm(address(irm));
        morpho.enableLltv(MARKET_LLTV);
        vm.stopPrank();
        morpho.createMarket(params);

        borrower = _trader("borrower");
        borrower2 = _trader("borrower2");
        address[3] memory users = [lender, borrower, borrower2];
        for (uint256 i; i < users.length; ++i) {
            vm.startPrank(users[i]);
            for (uint256 j; j < 2; ++j) {
                address market = j == 0 ? address(lending) : address(morpho);
                IERC20(address(usdx)).approve(market, type(uint256).max);
                IERC20(address(cog)).approve(market, type(uint256).max);
            }
            vm.stopPrank();
        }
        for (uint256 i; i < 2; ++i) {
            bool onMorpho = i == 1;
            usdx.mint(lender, SUPPLIED);
            vm.prank(lender);
            if (onMorpho) morpho.supply(params, SUPPLIED, 0, lender, "");
            else lending.supply(params, SUPPLIED, 0, lender);
            // Each market already holds shares (another borrower), so neither is a first-time holder.
            _supplyCollateralOn(onMorpho, borrower2, 10e18);
        }
        // A tick change every block for longer than the ring: every slot written, the oldest overwritten (and an
        // hour of steady state for both markets).
        for (uint256 i; i < 2 * WINDOW / BLOCK_TIME + 10; ++i) {
            _skip(BLOCK_TIME);
            _tradeToTick(attacker, i % 2 == 0 ? startTick + 5 : startTick - 5);
        }
        stableFeed.postAnswer(1e8);
        usdxFeed.postAnswer(1e18);
        _skip(BLOCK_TIME);
    }

    function test_gas_borrow_shareOracle() public {
        _scenarioBorrow(false);
    }

    function test_gas_morphoBlue_borrow_shareOracle() public {
        _scenarioBorrow(true);
    }

    function _scenarioBorrow(bool onMorpho) internal {
        _supplyCollateralOn(onMorpho, borrower, COLLATERAL);
        _skip(BLOCK_TIME);
        uint256 before = usdx.balanceOf(borrower);
        vm.prank(borrower);
        if (onMorpho) morpho.borrow(params, BORROWED, 0, borrower, borrower);
        else lending.borrow(params, BORROWED, 0, borrower, borrower);
        uint256 gasUsed = _snapshotLastCallGas(GROUP, onMorpho ? "morphoBlue_borrow_shareOracle" : "borrow_shareOracle");
        assertGt(gasUsed, 21_000, "a whole transaction measured");
        assertEq(usdx.balanceOf(borrower) - before, BORROWED, "borrowed");
    }

    function _supplyCollateralOn(bool onMorpho, address who, uint256 assets) internal {
        vm.prank(who);
        if (onMorpho) morpho.supplyCollateral(params, assets, who, "");
        else lending.supplyCollateral(params, assets, who);
    }
}
