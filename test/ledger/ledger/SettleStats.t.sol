// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CostKind, CostRound} from "../../../src/inference/interfaces/IComputeCostFeed.sol";
import {UsageStats} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";

/// @notice Usage statistics, histogram and cost-feed updates of `settle`.
contract SettleStatsTest is LedgerBaseTest {
    uint256 internal sessionId;

    function setUp() public override {
        super.setUp();
        sessionId = _openSession(buyer, baseModel, 1000 * USDC);
    }

    function _batchOf(uint256[] memory receipts) internal returns (Batch memory batch) {
        batch.modelId = baseModel;
        batch.sessionIds = _ids(sessionId);
        batch.receipts = receipts;
        return _sign(batch, ENCLAVE_PK);
    }

    function test_settle_accumulatesStats() public {
        uint256 small = _openSession(otherBuyer, baseModel, 100);
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(sessionId, small);
        batch.receipts = _words(_receipt(0, 1, 10, 20, 30), _receipt(0, 2, 1, 2, 3), _receipt(1, 1, 1000, 500, 2000));
        _settle(_sign(batch, ENCLAVE_PK));

        UsageStats memory stats = lens.usageStats(baseModel);
        assertEq(stats.requests, 3, "requests");
        assertEq(stats.inputTokens, 1011, "input");
        assertEq(stats.outputTokens, 522, "output");
        assertEq(stats.reasoningTokens, 2033, "reasoning");
        uint256 cost1 = _costOf(batch.receipts, 0, 2);
        assertEq(stats.cost, cost1 + 5250, "attested cost, before budget caps");
        assertEq(stats.charged, cost1 + 100, "charged, after caps");
        (uint256 requests, uint256 tokens, uint256 cost) = ledger.usageTotals(baseModel);
        assertEq(requests, 3, "totals requests");
        assertEq(tokens, 1011 + 522 + 2033, "totals tokens");
        assertEq(cost, stats.cost, "totals cost");
    }

    function test_settle_histogramBuckets() public {
        uint256 max = type(uint32).max;
        uint256[] memory receipts = new uint256[](10);
        // generated tokens (output + reasoning) -> bucket
        receipts[0] = _receipt(0, 1, 999, 0, 0); // 0 -> 0 (input tokens do not count)
        receipts[1] = _receipt(0, 2, 0, 1, 0); // 1 -> 1
        receipts[2] = _receipt(0, 3, 0, 1, 1); // 2 -> 2
        receipts[3] = _receipt(0, 4, 0, 0, 3); // 3 -> 2
        receipts[4] = _receipt(0, 5, 0, 2, 2); // 4 -> 3
        receipts[5] = _receipt(0, 6, 0, 23, 1000); // 1023 -> 10
        receipts[6] = _receipt(0, 7, 0, 24, 1000); // 1024 -> 11
        receipts[7] = _receipt(0, 8, 0, 0, 1 << 29); // 2^29 -> 30
        receipts[8] = _receipt(0, 9, 0, 0, 1 << 30); // 2^30 -> 31
        receipts[9] = _receipt(0, 10, 0, max, max); // 2^33 - 2 -> 31
        _settle(_batchOf(receipts));

        uint64[32] memory buckets = lens.usageHistogram(baseModel);
        uint256[32] memory expected;
        expected[0] = 1;
        expected[1] = 1;
        expected[2] = 2;
        expected[3] = 1;
        expected[10] = 1;
        expected[11] = 1;
        expected[30] = 1;
        expected[31] = 2;
        for (uint256 b; b < 32; ++b) {
            assertEq(buckets[b], expected[b], string.concat("bucket ", vm.toString(b)));
        }
        assertEq(ledger.HISTOGRAM_BUCKETS(), 32, "bucket count");
    }

    function test_settle_histogramAccumulatesAcrossBatches() public {
        _settle(_batchOf(_words(_receipt(0, 1, 0, 5, 0))));
        _settle(_batchOf(_words(_receipt(0, 2, 0, 6, 0), _receipt(0, 3, 0, 0, 7))));
        assertEq(lens.usageHistogram(baseModel)[3], 3, "three requests with 4-7 generated tokens");
    }

    function test_settle_pushesFirstFeedRound() public {
        Batch memory batch = _batchOf(_words(_receipt(0, 1, 1000, 500, 2000), _receipt(0, 2, 3000, 500, 0)));
        _settle(batch);
        assertEq(feed.latestRound(address(ledger), baseModel), 1, "first round");
        CostRound memory round = feed.getRound(address(ledger), baseModel, 1);
        uint256 cost = _costOf(batch.receipts, 0, 2);
        assertEq(round.costPerRequest, cost * 1e12 / 2, "average per request, 18 decimals");
        assertEq(round.costPerMTok, cost * 1e12 * 1e6 / 7000, "average per million tokens");
        assertEq(lens.usageStats(baseModel).lastFeedAt, block.timestamp, "ledger remembers the push");
        (, int256 answer,,,) = feed.latestRoundData(address(ledger), baseModel, CostKind.PerRequest);
        assertEq(uint256(answer), cost * 1e12 / 2, "chainlink-shaped answer");
    }

    function test_settle_feedRoundAtMostOncePerInterval() public {
        _settle(_batchOf(_words(_receipt(0, 1, 1000, 500, 2000))));
        _warp(feed.MIN_ROUND_INTERVAL() - 100);
        _settle(_batchOf(_words(_receipt(0, 2, 1000, 500, 2000))));
        assertEq(feed.latestRound(address(ledger), baseModel), 1, "no second round inside the interval");
        _warp(100);
        _settle(_batchOf(_words(_receipt(0, 3, 2000, 1000, 4000))));
        assertEq(feed.latestRound(address(ledger), baseModel), 2, "second round after the interval");
        CostRound memory round = feed.getRound(address(ledger), baseModel, 2);
        // Round 2 averages the two receipts settled since round 1: 5250 + 10500 over 2 requests.
        assertEq(round.costPerRequest, uint256(5250 + 10_500) * 1e12 / 2, "window average");
    }
}
