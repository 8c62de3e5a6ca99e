// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {MarketIdLib} from "../../../src/lending/libraries/MarketIdLib.sol";
import {ControlledFeed} from "../oracle/mocks/ControlledFeed.sol";
import {OracleMarketBase} from "../utils/OracleMarketBase.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {console} from "forge-std/console.sol";

/// @notice Chainlink answers an attacker borrows against (issue #12: "a mis-scaled or negative or stale Chainlink
/// answer"), on a real LendingMarket lending USDX (18 decimals) against the share, priced by a ShareOracle through the
/// mUSD/USD feed (8 decimals, the one that goes wrong) and USDX/USD. The attacker posts shares and asks for the
/// market's whole borrow cap; PnL in USDX units: what it borrowed minus the collateral it left, at the fair price.
contract FeedAnswersAttackTest is OracleMarketBase {
    using MarketIdLib for MarketParams;

    ControlledFeed internal feed;
    ShareOracle internal oracle;
    MarketParams internal params;
    uint256 internal cap;
    uint256 internal fairPrice;

    function setUp() public override {
        super.setUp();
        feed = new ControlledFeed(8, 1e8);
        oracle = new ShareOracle(_feedConfig(feed, usdxFeed));
        (params, cap) = _openMarket(oracle, attacker);
        fairPrice = oracle.price();
    }

    /// @dev Posts one share (worth $2 at the fair price), asks for the whole cap, and returns the PnL: USDX received
    /// minus the collateral left in the market at the fair price. `expected` is the borrow's revert data (empty: the
    /// borrow goes through); when it reverts the attacker takes its share back.
    function _borrowTheCap(bytes memory expected) internal returns (int256 pnl) {
        uint256 usdxBefore = usdx.balanceOf(attacker);
        vm.startPrank(attacker);
        lending.supplyCollateral(params, 1e18, attacker);
        if (expected.length != 0) {
            vm.expectRevert(expected);
            lending.borrow(params, cap, 0, attacker, attacker);
            // Nothing borrowed: the share comes back.
            lending.withdrawCollateral(params, 1e18, attacker, attacker);
        } else {
            lending.borrow(params, cap, 0, attacker, attacker);
        }
        vm.stopPrank();
        (,, uint256 collateral) = lending.position(params.id(), attacker);
        pnl = int256(usdx.balanceOf(attacker) - usdxBefore) - int256(Math.mulDiv(collateral, fairPrice, 1e36));
        if (pnl >= 0) console.log("attacker PnL (+), USDX units", uint256(pnl));
        else console.log("attacker PnL (-), USDX units", uint256(-pnl));
    }

    /// @dev What is at stake: with no band (the widest one), an answer 1e12 times too high lets one share borrow the
    /// whole cap. Measured: +$2,122.59 on a $2,124.59 cap for a $2 share.
    function test_withoutTheBand_aMisScaledAnswerPays() public {
        IShareOracle.Config memory config = _feedConfig(feed, usdxFeed);
        (config.stableUsdMinAnswerWad, config.stableUsdMaxAnswerWad) = (1, type(uint128).max);
        oracle = new ShareOracle(config);
        (params, cap) = _openMarket(oracle, attacker);
        feed.setRound(2, 1e8 * 1e12, block.timestamp, 2);
        int256 pnl = _borrowTheCap("");
        assertGt(pnl, int256(cap * 99 / 100), "the whole cap for one share");
    }

    /// @dev The same answer against the band: the borrow reverts, the attacker keeps its share and gets nothing.
    function test_attack_misScaledAnswer_pnlNonPositive() public {
        feed.setRound(2, 1e8 * 1e12, block.timestamp, 2);
        int256 pnl = _borrowTheCap(
            abi.encodeWithSelector(IShareOracle.AnswerOutOfBounds.selector, address(feed), int256(1e20), 0.2e8, 5e8)
        );
        assertLe(pnl, 0, "nothing borrowed");
    }

    function test_attack_negativeAnswer_pnlNonPositive() public {
        feed.setRound(2, -1e8, block.timestamp, 2);
        int256 pnl =
            _borrowTheCap(abi.encodeWithSelector(IShareOracle.InvalidAnswer.selector, address(feed), int256(-1e8)));
        assertLe(pnl, 0, "nothing borrowed");
    }

    function test_attack_zeroAnswer_pnlNonPositive() public {
        feed.setRound(2, 0, block.timestamp, 2);
        int256 pnl =
            _borrowTheCap(abi.encodeWithSelector(IShareOracle.InvalidAnswer.selector, address(feed), int256(0)));
        assertLe(pnl, 0, "nothing borrowed");
    }

    /// @dev A stale answer, 3x the stablecoin's real value, that the feed stopped updating: borrowPrice refuses it.
    function test_attack_staleAnswer_pnlNonPositive() public {
        uint256 postedAt = block.timestamp;
        feed.setRound(2, 3e8, postedAt, 2);
        _skip(MAX_AGE + 1);
        usdxFeed.postAnswer(1e18);
        int256 pnl = _borrowTheCap(
            abi.encodeWithSelector(IShareOracle.StaleFeed.selector, address(feed), postedAt, uint256(MAX_AGE))
        );
        assertLe(pnl, 0, "nothing borrowed");
    }
}
