// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title MockAggregator
/// @notice Chainlink-shaped price feed for local chains, with rounds kept like a real aggregator.
/// Only its deployer may post answers.
contract MockAggregator is AggregatorV3Interface {
    struct Round {
        int256 answer;
        uint64 startedAt;
        uint64 updatedAt;
    }

    error OnlyPoster();
    error NoSuchRound(uint80 roundId);

    uint8 public immutable decimals;
    string public description;
    uint256 public constant version = 1;
    address public immutable poster;
    uint80 public latestRound;
    mapping(uint80 => Round) internal _rounds;

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        poster = msg.sender;
        _post(initialAnswer);
    }

    /// @notice Posts a new round with `answer`, timestamped now.
    function postAnswer(int256 answer) external {
        if (msg.sender != poster) revert OnlyPoster();
        _post(answer);
    }

    function getRoundData(uint80 roundId) public view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory round = _rounds[roundId];
        if (round.updatedAt == 0) revert NoSuchRound(roundId);
        return (roundId, round.answer, round.startedAt, round.updatedAt, roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return getRoundData(latestRound);
    }

    function _post(int256 answer) internal {
        uint80 roundId = ++latestRound;
        _rounds[roundId] = Round(answer, uint64(block.timestamp), uint64(block.timestamp));
    }
}
