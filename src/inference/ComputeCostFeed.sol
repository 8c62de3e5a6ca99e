// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {CostKind, CostRound, IComputeCostFeed, IUsageSource} from "./interfaces/IComputeCostFeed.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title ComputeCostFeed
/// @notice Rounds of the attested cost of cognition per (source, model). See IComputeCostFeed.
contract ComputeCostFeed is IComputeCostFeed {
    /* CONSTANTS */

    /// @inheritdoc IComputeCostFeed
    uint256 public constant MIN_ROUND_INTERVAL = 1 hours;
    /// @inheritdoc IComputeCostFeed
    uint8 public constant ANSWER_DECIMALS = 18;
    uint256 internal constant MAX_ANSWER = type(uint112).max;

    /* IMMUTABLES */

    /// @inheritdoc IComputeCostFeed
    uint8 public immutable costDecimals;
    /// @dev 10^(18 - costDecimals): stablecoin units to 18-decimal answers.
    uint256 internal immutable _scale;

    /* STORAGE */

    /// @dev Cumulative totals at the latest round, and the round counter. Two slots.
    struct Feed {
        uint64 requests;
        uint40 updatedAt;
        uint80 latestRound;
        uint128 tokens;
        uint128 cost;
    }

    mapping(address source => mapping(uint256 modelId => Feed)) internal _feeds;
    mapping(address source => mapping(uint256 modelId => mapping(uint80 roundId => CostRound))) internal _rounds;
    mapping(address source => mapping(uint256 modelId => mapping(CostKind kind => address))) internal _aggregators;

    /* CONSTRUCTOR */

    /// @param costDecimals_ Decimals of the stablecoin costs are reported in (at most 18).
    constructor(uint8 costDecimals_) {
        if (costDecimals_ > 18) revert UnsupportedDecimals(costDecimals_);
        costDecimals = costDecimals_;
        _scale = 10 ** (18 - uint256(costDecimals_));
    }

    /* VIEWS */

    /// @inheritdoc IComputeCostFeed
    function latestRound(address source, uint256 modelId) external view returns (uint80) {
        return _feeds[source][modelId].latestRound;
    }

    /// @inheritdoc IComputeCostFeed
    function getRound(address source, uint256 modelId, uint80 roundId) public view returns (CostRound memory round) {
        round = _rounds[source][modelId][roundId];
        if (round.updatedAt == 0) revert NoSuchRound(roundId);
    }

    /// @inheritdoc IComputeCostFeed
    function getRoundData(address source, uint256 modelId, CostKind kind, uint80 roundId)
        public
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80)
    {
        CostRound memory round = getRound(source, modelId, roundId);
        answer = int256(uint256(kind == CostKind.PerRequest ? round.costPerRequest : round.costPerMTok));
        updatedAt = round.updatedAt;
        // The window a round averages starts at the previous round; the first round's window is its own time.
        startedAt = roundId > 1 ? _rounds[source][modelId][roundId - 1].updatedAt : updatedAt;
        return (roundId, answer, startedAt, updatedAt, roundId);
    }

    /// @inheritdoc IComputeCostFeed
    function latestRoundData(address source, uint256 modelId, CostKind kind)
        external
        view
        returns (uint80, int256, uint256, uint256, uint80)
    {
        return getRoundData(source, modelId, kind, _feeds[source][modelId].latestRound);
    }

    /// @inheritdoc IComputeCostFeed
    function aggregatorOf(address source, uint256 modelId, CostKind kind) external view returns (address) {
        return _aggregators[source][modelId][kind];
    }

    /* ACTIONS */

    /// @inheritdoc IComputeCostFeed
    function record(uint256 modelId, uint256 requests, uint256 tokens, uint256 cost) external returns (bool) {
        return _record(msg.sender, modelId, requests, tokens, cost);
    }

    /// @inheritdoc IComputeCostFeed
    function poke(address source, uint256 modelId) external returns (bool) {
        (uint256 requests, uint256 tokens, uint256 cost) = IUsageSource(source).usageTotals(modelId);
        return _record(source, modelId, requests, tokens, cost);
    }

    /// @inheritdoc IComputeCostFeed
    function createAggregator(address source, uint256 modelId, CostKind kind) external returns (address aggregator) {
        aggregator = _aggregators[source][modelId][kind];
        if (aggregator != address(0)) return aggregator;
        aggregator = address(
            new ComputeCostAggregator{salt: keccak256(abi.encode(source, modelId, kind))}(
                IComputeCostFeed(address(this)), source, modelId, kind
            )
        );
        _aggregators[source][modelId][kind] = aggregator;
        emit AggregatorCreated(source, modelId, kind, aggregator);
    }

    /* INTERNAL */

    /// @dev Records a round over the usage since the previous one when there is new usage and the interval has
    /// passed. Never reverts on the values: totals that did not grow simply record nothing.
    function _record(address source, uint256 modelId, uint256 requests, uint256 tokens, uint256 cost)
        internal
        returns (bool)
    {
        Feed memory feed = _feeds[source][modelId];
        if (requests <= feed.requests || requests > type(uint64).max) return false;
        if (feed.latestRound != 0 && block.timestamp < uint256(feed.updatedAt) + MIN_ROUND_INTERVAL) return false;
        if (tokens > type(uint128).max || cost > type(uint128).max) return false;

        uint80 roundId = feed.latestRound + 1;
        uint256 startedAt = feed.latestRound == 0 ? block.timestamp : feed.updatedAt;
        CostRound memory round = _average(requests - feed.requests, tokens, feed.tokens, cost, feed.cost);
        _rounds[source][modelId][roundId] = round;
        _feeds[source][modelId] =
            Feed(uint64(requests), uint40(block.timestamp), roundId, uint128(tokens), uint128(cost));
        emit RoundRecorded(
            source, modelId, roundId, round.costPerRequest, round.costPerMTok, requests - feed.requests, startedAt
        );
        return true;
    }

    /// @dev The round over `newRequests` requests between the previous and the new token and cost totals:
    /// 18-decimal averages, rounded down and saturated.
    function _average(uint256 newRequests, uint256 tokens, uint256 prevTokens, uint256 cost, uint256 prevCost)
        internal
        view
        returns (CostRound memory round)
    {
        uint256 newTokens = tokens > prevTokens ? tokens - prevTokens : 0;
        uint256 newCost = cost > prevCost ? cost - prevCost : 0;
        // newCost < 2^128 and the scale is at most 1e18: no overflow.
        round.costPerRequest = uint112(_saturate(newCost * _scale / newRequests));
        round.costPerMTok = newTokens == 0 ? 0 : uint112(_saturate(newCost * _scale * 1e6 / newTokens));
        round.updatedAt = uint32(block.timestamp);
    }

    function _saturate(uint256 value) internal pure returns (uint256) {
        return value > MAX_ANSWER ? MAX_ANSWER : value;
    }
}

/// @title ComputeCostAggregator
/// @notice Chainlink `AggregatorV3Interface` view of one ComputeCostFeed feed: (source, model, kind).
contract ComputeCostAggregator is AggregatorV3Interface {
    /// @notice The hub holding the rounds.
    IComputeCostFeed public immutable feed;
    /// @notice The usage source (the InferenceLedger) the feed is namespaced by.
    address public immutable source;
    /// @notice The model priced.
    uint256 public immutable modelId;
    /// @notice Per request or per million tokens.
    CostKind public immutable kind;

    constructor(IComputeCostFeed feed_, address source_, uint256 modelId_, CostKind kind_) {
        feed = feed_;
        source = source_;
        modelId = modelId_;
        kind = kind_;
    }

    function decimals() external view returns (uint8) {
        return feed.ANSWER_DECIMALS();
    }

    function description() external view returns (string memory) {
        return string.concat(
            "CogFi model ",
            Strings.toString(modelId),
            kind == CostKind.PerRequest ? " cost per request" : " cost per million tokens"
        );
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        return feed.getRoundData(source, modelId, kind, roundId);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return feed.latestRoundData(source, modelId, kind);
    }
}
