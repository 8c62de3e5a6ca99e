// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ComputeCostAggregator, ComputeCostFeed} from "../../../src/inference/ComputeCostFeed.sol";
import {CostKind, CostRound, IComputeCostFeed} from "../../../src/inference/interfaces/IComputeCostFeed.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @notice `record`, `poke`, rounds and the Chainlink aggregators of the ComputeCostFeed.
contract ComputeCostFeedTest is LedgerBaseTest {
    address internal source = makeAddr("source");
    uint256 internal interval;

    function setUp() public override {
        super.setUp();
        interval = feed.MIN_ROUND_INTERVAL();
    }

    function _record(uint256 requests, uint256 tokens, uint256 cost) internal returns (bool) {
        vm.prank(source);
        return feed.record(1, requests, tokens, cost);
    }

    function test_record_firstRound() public {
        vm.expectEmit(address(feed));
        emit IComputeCostFeed.RoundRecorded(source, 1, 1, 2.5e18, 0.5e18, 4, block.timestamp);
        assertTrue(_record(4, 20e6, 10 * USDC), "recorded");
        CostRound memory round = feed.getRound(source, 1, 1);
        assertEq(round.costPerRequest, 2.5e18, "$2.50 per request");
        assertEq(round.costPerMTok, 0.5e18, "$0.50 per million tokens");
        assertEq(round.updatedAt, block.timestamp, "time");
        assertEq(feed.latestRound(source, 1), 1, "latest");
    }

    function test_record_secondRoundAveragesTheWindow() public {
        _record(4, 20e6, 10 * USDC);
        uint256 firstAt = block.timestamp;
        _warp(interval);
        assertTrue(_record(6, 21e6, 11 * USDC), "recorded");
        CostRound memory round = feed.getRound(source, 1, 2);
        assertEq(round.costPerRequest, 0.5e18, "$1 over 2 requests");
        assertEq(round.costPerMTok, 1e18, "$1 over 1M tokens");
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) =
            feed.latestRoundData(source, 1, CostKind.PerMillionTokens);
        assertEq(id, 2, "round id");
        assertEq(answer, 1e18, "answer");
        assertEq(startedAt, firstAt, "window starts at the previous round");
        assertEq(updatedAt, block.timestamp, "updated");
        assertEq(answeredIn, 2, "answered in round");
    }

    function test_record_skipsInsideInterval() public {
        _record(4, 20e6, 10 * USDC);
        _warp(interval - 20);
        assertFalse(_record(6, 21e6, 11 * USDC), "too soon");
        assertEq(feed.latestRound(source, 1), 1, "still one round");
    }

    function test_record_skipsWithoutNewRequests() public {
        _record(4, 20e6, 10 * USDC);
        _warp(interval);
        assertFalse(_record(4, 25e6, 12 * USDC), "no new requests");
        assertFalse(_record(3, 25e6, 12 * USDC), "totals went down");
    }

    function test_record_saturatesHugeAnswers() public {
        assertTrue(_record(1, 1, type(uint128).max), "recorded");
        CostRound memory round = feed.getRound(source, 1, 1);
        assertEq(round.costPerRequest, type(uint112).max, "saturated");
        assertEq(round.costPerMTok, type(uint112).max, "saturated");
    }

    function test_record_namespacedBySource() public {
        _record(4, 20e6, 10 * USDC);
        assertEq(feed.latestRound(attacker, 1), 0, "other sources unaffected");
        assertEq(feed.latestRound(address(ledger), 1), 0, "ledger feed unaffected");
    }

    function test_poke_pullsFromSource() public {
        uint256 sessionId = _openSession(buyer, baseModel, 100 * USDC);
        _settle(_single(baseModel, sessionId, 1, ENCLAVE_PK));
        _warp(interval);
        _settle(_single(baseModel, sessionId, 2, ENCLAVE_PK));
        // The ledger pushed at the second settle too (interval passed); poke again later to see nothing new.
        assertEq(feed.latestRound(address(ledger), baseModel), 2, "pushed");
        _warp(interval);
        assertFalse(feed.poke(address(ledger), baseModel), "no new usage");
        // Usage settled while the ledger's own push is not due: a poke after the interval records it.
        _settle(_single(baseModel, sessionId, 3, ENCLAVE_PK));
        assertEq(feed.latestRound(address(ledger), baseModel), 3, "due again: pushed by the ledger");
        _settle(_single(baseModel, sessionId, 4, ENCLAVE_PK));
        _warp(interval);
        assertTrue(feed.poke(address(ledger), baseModel), "poke recorded");
        assertEq(feed.getRound(address(ledger), baseModel, 4).costPerRequest, 5250e12, "one receipt's cost");
    }

    function test_getRound_revertsWhen_missing() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeCostFeed.NoSuchRound.selector, 0));
        feed.latestRoundData(source, 1, CostKind.PerRequest);
        vm.expectRevert(abi.encodeWithSelector(IComputeCostFeed.NoSuchRound.selector, 3));
        feed.getRoundData(source, 1, CostKind.PerRequest, 3);
    }

    function test_createAggregator_servesChainlinkInterface() public {
        _record(4, 20e6, 10 * USDC);
        address deployed = feed.createAggregator(source, 1, CostKind.PerRequest);
        assertEq(feed.aggregatorOf(source, 1, CostKind.PerRequest), deployed, "registered");
        assertEq(feed.createAggregator(source, 1, CostKind.PerRequest), deployed, "idempotent");
        AggregatorV3Interface aggregator = AggregatorV3Interface(deployed);
        assertEq(aggregator.decimals(), 18, "decimals");
        assertEq(aggregator.version(), 1, "version");
        assertEq(aggregator.description(), "CogFi model 1 cost per request", "description");
        (uint80 id, int256 answer,,,) = aggregator.latestRoundData();
        assertEq(id, 1, "round");
        assertEq(answer, 2.5e18, "answer");
        (, answer,,,) = aggregator.getRoundData(1);
        assertEq(answer, 2.5e18, "round data");
        ComputeCostAggregator perTok =
            ComputeCostAggregator(feed.createAggregator(source, 1, CostKind.PerMillionTokens));
        assertEq(perTok.description(), "CogFi model 1 cost per million tokens", "per-token description");
        (, answer,,,) = perTok.latestRoundData();
        assertEq(answer, 0.5e18, "per-token answer");
    }

    function test_constructor_revertsWhen_tooManyDecimals() public {
        vm.expectRevert(abi.encodeWithSelector(IComputeCostFeed.UnsupportedDecimals.selector, 19));
        new ComputeCostFeed(19);
    }

    function testFuzz_record_averagesRoundDown(uint64 requests, uint128 tokens, uint128 cost) public {
        requests = uint64(bound(requests, 1, type(uint64).max));
        vm.prank(source);
        feed.record(1, requests, tokens, cost);
        CostRound memory round = feed.getRound(source, 1, 1);
        uint256 perRequest = uint256(cost) * 1e12 / requests;
        assertEq(round.costPerRequest, perRequest > type(uint112).max ? type(uint112).max : perRequest, "per request");
        if (tokens == 0) assertEq(round.costPerMTok, 0, "no tokens");
    }
}
