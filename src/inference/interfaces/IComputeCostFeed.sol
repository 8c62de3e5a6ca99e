// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @notice Which average a feed answers.
enum CostKind {
    /// @dev Average stablecoin cost of one request.
    PerRequest,
    /// @dev Average stablecoin cost of one million tokens (input + output + reasoning).
    PerMillionTokens
}

/// @notice One round of a model's cost feed: the averages over the usage recorded since the previous round.
/// One slot.
struct CostRound {
    /// @dev Average cost per request, 18 decimals of the stablecoin, rounded down, saturated at 2^112 - 1.
    uint112 costPerRequest;
    /// @dev Average cost per million tokens, 18 decimals of the stablecoin, rounded down, saturated.
    uint112 costPerMTok;
    /// @dev When the round was recorded.
    uint32 updatedAt;
}

/// @notice Cumulative usage a source reports, which rounds are the differences of.
interface IUsageSource {
    /// @notice Cumulative requests, tokens and attested cost (stablecoin units) of `modelId`.
    function usageTotals(uint256 modelId) external view returns (uint256 requests, uint256 tokens, uint256 cost);
}

/// @title IComputeCostFeed
/// @notice The attested price of cognition: per (source, model), rounds of the average stablecoin cost per
/// request and per million tokens over the usage settled since the previous round. A source (the
/// InferenceLedger) pushes its cumulative totals with `record`; anyone can `poke` a source to pull them. A new
/// round starts at most every `MIN_ROUND_INTERVAL` seconds and only when there is new usage. Each
/// (source, model, kind) is also served as a Chainlink `AggregatorV3Interface` by a `ComputeCostAggregator`.
/// @dev Feeds are namespaced by source, so an arbitrary caller can only write its own namespace: consumers pick
/// the official ledger as source.
interface IComputeCostFeed {
    /* ERRORS */

    /// @notice Thrown when a round does not exist.
    error NoSuchRound(uint80 roundId);
    /// @notice Thrown when the stablecoin has more than 18 decimals.
    error UnsupportedDecimals(uint8 decimals);

    /* EVENTS */

    /// @notice Emitted when a round is recorded.
    /// @param startedAt Start of the window the round averages (the previous round's time).
    event RoundRecorded(
        address indexed source,
        uint256 indexed modelId,
        uint80 indexed roundId,
        uint256 costPerRequest,
        uint256 costPerMTok,
        uint256 requests,
        uint256 startedAt
    );
    /// @notice Emitted when the Chainlink-compatible aggregator of a feed is deployed.
    event AggregatorCreated(address indexed source, uint256 indexed modelId, CostKind indexed kind, address aggregator);

    /* CONSTANTS */

    /// @notice Minimum seconds between two rounds of one feed.
    function MIN_ROUND_INTERVAL() external view returns (uint256);
    /// @notice Decimals of every answer (18).
    function ANSWER_DECIMALS() external view returns (uint8);
    /// @notice Decimals of the cost totals sources report (the stablecoin's).
    function costDecimals() external view returns (uint8);

    /* VIEWS */

    /// @notice Latest round id of the feed (0 when none).
    function latestRound(address source, uint256 modelId) external view returns (uint80);
    /// @notice Round `roundId` of the feed. Reverts with `NoSuchRound` when it does not exist.
    function getRound(address source, uint256 modelId, uint80 roundId) external view returns (CostRound memory);
    /// @notice Chainlink-shaped round data of `kind`: startedAt is the window start (the previous round's time).
    function getRoundData(address source, uint256 modelId, CostKind kind, uint80 roundId)
        external
        view
        returns (uint80 roundId_, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
    /// @notice Chainlink-shaped data of the latest round of `kind`. Reverts with `NoSuchRound(0)` before the first.
    function latestRoundData(address source, uint256 modelId, CostKind kind)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
    /// @notice The aggregator deployed for (source, model, kind), zero before `createAggregator`.
    function aggregatorOf(address source, uint256 modelId, CostKind kind) external view returns (address);

    /* ACTIONS */

    /// @notice Records the caller's cumulative totals for `modelId`; starts a round when one is due.
    /// @return recorded Whether a round was recorded.
    function record(uint256 modelId, uint256 requests, uint256 tokens, uint256 cost) external returns (bool recorded);

    /// @notice Pulls `source`'s totals for `modelId` and starts a round when one is due.
    function poke(address source, uint256 modelId) external returns (bool recorded);

    /// @notice Deploys (once) the `AggregatorV3Interface` serving (source, model, kind) and returns it.
    function createAggregator(address source, uint256 modelId, CostKind kind) external returns (address aggregator);
}
