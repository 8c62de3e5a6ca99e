// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {IShareOracle} from "../../../src/lending/interfaces/IShareOracle.sol";
import {OracleBase} from "./OracleBase.sol";

/// @notice The `AggregatorV3Interface` view for dashboards.
contract ShareOracleAggregatorTest is OracleBase {
    function test_metadata() public {
        ShareOracle oracle = _feedOracle();
        assertEq(oracle.decimals(), 18, "18 decimals");
        assertEq(oracle.version(), 1, "version");
        assertEq(oracle.description(), "COG / USDX", "share / loan");
        assertEq(_sameTokenOracle().description(), "COG / mUSD", "share / stablecoin");
    }

    function test_latestRoundData_isThePriceOfAWholeShare() public {
        ShareOracle oracle = _sameTokenOracle();
        (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            oracle.latestRoundData();
        // price() is mUSD units per share unit * 1e36: one whole share (1e18 units) in 18 decimals of mUSD (6).
        assertEq(uint256(answer), oracle.price() * 1e18 * 1e12 / 1e36, "whole share, 18 decimals");
        assertApproxEqRel(uint256(answer), 2e18, 2e14, "about 2 mUSD");
        assertEq(roundId, uint80(block.timestamp), "round id");
        assertEq(answeredInRound, roundId, "answered in round");
        assertEq(updatedAt, block.timestamp, "no feed: now");
        assertEq(startedAt, updatedAt, "started at");
    }

    function test_latestRoundData_reportsTheOldestFeedTime() public {
        ShareOracle oracle = _feedOracle();
        uint256 usdxAt = block.timestamp;
        _skip(100);
        stableFeed.postAnswer(1e8);
        (, int256 answer,, uint256 updatedAt,) = oracle.latestRoundData();
        assertEq(updatedAt, usdxAt, "the older feed");
        assertEq(uint256(answer), oracle.price() * 1e18 * 1e18 / 1e18 / 1e36 * 1, "usdx has 18 decimals: no rescale");
        // A stale feed still answers here, with its time, for the reader's own staleness check.
        _skip(MAX_AGE * 2);
        (, answer,, updatedAt,) = oracle.latestRoundData();
        assertEq(updatedAt, usdxAt, "stale time reported");
        assertGt(answer, 0, "still answers");
    }

    function test_getRoundData_onlyTheCurrentRound() public {
        ShareOracle oracle = _sameTokenOracle();
        (uint80 roundId, int256 answer,,,) = oracle.getRoundData(uint80(block.timestamp));
        (uint80 latestId, int256 latestAnswer,,,) = oracle.latestRoundData();
        assertEq(roundId, latestId, "same round");
        assertEq(answer, latestAnswer, "same answer");
        vm.expectRevert(abi.encodeWithSelector(IShareOracle.NoSuchRound.selector, uint80(block.timestamp - 1)));
        oracle.getRoundData(uint80(block.timestamp - 1));
    }
}
