// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @notice A Chainlink-shaped feed whose every field a test sets: incomplete rounds, future timestamps, and decimals
/// that change under a proxy (what `MockAggregator` cannot express).
contract ControlledFeed is AggregatorV3Interface {
    uint8 public decimals;
    uint80 internal _roundId;
    int256 internal _answer;
    uint256 internal _updatedAt;
    uint80 internal _answeredInRound;

    constructor(uint8 decimals_, int256 answer) {
        decimals = decimals_;
        setRound(1, answer, block.timestamp, 1);
    }

    function setRound(uint80 roundId, int256 answer, uint256 updatedAt, uint80 answeredInRound) public {
        (_roundId, _answer, _updatedAt, _answeredInRound) = (roundId, answer, updatedAt, answeredInRound);
    }

    function setDecimals(uint8 decimals_) external {
        decimals = decimals_;
    }

    function description() external pure returns (string memory) {
        return "controlled";
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(uint80) external view returns (uint80, int256, uint256, uint256, uint80) {
        return latestRoundData();
    }

    function latestRoundData() public view returns (uint80, int256, uint256, uint256, uint80) {
        return (_roundId, _answer, _updatedAt, _updatedAt, _answeredInRound);
    }
}
