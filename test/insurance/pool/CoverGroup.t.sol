// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {Cover, IInsurancePool, PolicyTerms} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {ModelId, SessionId} from "../../../src/types/Ids.sol";
import {Batch} from "../../ledger/LedgerBaseTest.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice `coverGroup`, through `settle`: the insured excess of each request is paid by the pool in the settlement.
contract CoverGroupTest is InsuranceBaseTest {
    /// @dev A request of 500 output + 5,500 reasoning tokens: 5,000 above the strike, 4,000 insured, at $1.50/MTok
    /// (the lower of output and reasoning) x 80% = 4,800 units; it costs 11,800 units.
    uint256 internal constant HEAVY_COVERED = 4800;
    uint256 internal constant HEAVY_COST = 11_800;

    function setUp() public override {
        super.setUp();
        _seedHistory(derivative);
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
    }

    function test_coverGroup_paysCoinsuredExcessAtSettlement() public {
        (uint256 policyId,) = _buyDefault(buyer, 500);
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC);
        uint256 assetsBefore = pool.totalAssets();
        uint256 sharePriceBefore = pool.convertToAssets(1e18);
        Batch memory batch = _heavy(sessionId, 1, 1, 500, 5500);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageCovered(sessionId, HEAVY_COVERED);
        uint256 charged = _settle(batch);
        assertEq(charged, HEAVY_COST, "the whole cost is charged");
        assertEq(lens.getSession(sessionId).spent, HEAVY_COST - HEAVY_COVERED, "the session pays the rest");
        assertEq(pool.totalAssets(), assetsBefore - HEAVY_COVERED, "the pool pays the insured excess");
        assertLt(pool.convertToAssets(1e18), sharePriceBefore, "a claim lowers the share price");
        (, uint256 claims) = pool.totals();
        assertEq(claims, HEAVY_COVERED, "claims total");
        Cover memory cover = pool.sessionCover(sessionId);
        assertEq(cover.requestsLeft, 499, "one request used");
    }

    function test_coverGroup_paysNothingAtOrBelowStrike() public {
        (uint256 policyId,) = _buyDefault(buyer, 500);
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC);
        uint256 assetsBefore = pool.totalAssets();
        _settle(_heavy(sessionId, 1, 3, 400, 600)); // exactly 1,000 generated: at the strike
        assertEq(pool.totalAssets(), assetsBefore, "nothing above the strike");
        assertEq(pool.sessionCover(sessionId).requestsLeft, 497, "requests still counted");
    }

    function test_coverGroup_capsAtAggregateLimit() public {
        (uint256 policyId,) = _buyDefault(buyer, 10);
        uint256 limit = pool.getPolicy(policyId).aggregateLimit;
        assertLt(limit, 10 * HEAVY_COVERED, "scenario: ten heavy requests exceed the limit");
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC);
        uint256 assetsBefore = pool.totalAssets();
        _settle(_heavy(sessionId, 1, 10, 500, 5500));
        assertEq(assetsBefore - pool.totalAssets(), limit, "paid exactly the aggregate limit");
        assertEq(pool.sessionCover(sessionId).limitLeft, 0, "limit exhausted");
        _settle(_heavy(sessionId, 11, 1, 500, 5500));
        assertEq(assetsBefore - pool.totalAssets(), limit, "nothing beyond it");
    }

    function test_coverGroup_coversOnlyTheFirstRequests() public {
        (uint256 policyId,) = _buyDefault(buyer, 2);
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC);
        uint256 assetsBefore = pool.totalAssets();
        // 1,200 generated: 200 insured tokens x $1.50/MTok x 80% = 240 units each.
        _settle(_heavy(sessionId, 1, 3, 200, 1000));
        assertEq(assetsBefore - pool.totalAssets(), 480, "two requests insured, the third not");
        assertEq(pool.sessionCover(sessionId).requestsLeft, 0, "cap used");
    }

    function test_coverGroup_appliesPerRequestLimitAndCoinsurance() public {
        PolicyTerms memory terms = _terms(500, 1);
        terms.limitTokens = 100;
        terms.coinsuranceBps = 5000;
        terms.aggregateLimit = _creditLimit(buyer, terms);
        (uint256 policyId,) = _buy(buyer, terms);
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC);
        uint256 assetsBefore = pool.totalAssets();
        _settle(_heavy(sessionId, 1, 4, 500, 5500));
        // 4 x 100 tokens x $1.50/MTok x 50%, rounded down once for the group: 300 units.
        assertEq(assetsBefore - pool.totalAssets(), 300, "per-request limit and co-insurance");
    }

    function test_coverGroup_paysNothingAfterThePeriodAndGrace() public {
        PolicyTerms memory terms = _terms(500, 1);
        terms.period = 1 days;
        terms.aggregateLimit = _creditLimit(buyer, terms);
        (uint256 policyId,) = _buy(buyer, terms);
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC); // expires in 2 days, past the period
        _warp(1 days + 1 hours);
        _reattest();
        uint256 assetsBefore = pool.totalAssets();
        _settle(_heavy(sessionId, 1, 1, 500, 5500));
        assertEq(pool.totalAssets(), assetsBefore, "no claim after the period's end + grace");
        assertEq(lens.getSession(sessionId).spent, HEAVY_COST, "the session pays all");
    }

    /// @dev Any count and mix of receipts (no excess, excess within the per-request limit, above it): the pool pays
    /// exactly floor(sum of min(max(generated - strike, 0), limit) x rate x co-insurance), capped by the aggregate
    /// limit. Counts 1 to 11 run the excess loop's four-receipt iterations and its one-by-one rest.
    function testFuzz_coverGroup_paysExactlyTheFormula(uint256 seed, uint256 count) public {
        uint256 n = bound(count, 1, 11);
        (uint256 policyId,) = _buyDefault(buyer, 500);
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC);
        uint256[] memory outputs = new uint256[](n);
        uint256[] memory reasonings = new uint256[](n);
        uint256 excessTokens;
        for (uint256 i; i < n; ++i) {
            uint256 draw = uint256(keccak256(abi.encode(seed, i)));
            // Generated tokens in [0, 6,800): below, at and above the strike (1,000) and above strike + limit (5,000).
            outputs[i] = draw % 800;
            reasonings[i] = (draw >> 64) % 6000;
            uint256 generated = outputs[i] + reasonings[i];
            uint256 excess = generated > 1000 ? generated - 1000 : 0;
            excessTokens += excess < 4000 ? excess : 4000;
        }
        // $1.50/MTok (the lower of output and reasoning) x 80%.
        uint256 expected = excessTokens * 1_500_000 * 8000 / (1e6 * 1e4);
        uint256 limit = pool.getPolicy(policyId).aggregateLimit;
        if (expected > limit) expected = limit;
        uint256 assetsBefore = pool.totalAssets();
        _settle(_batchOf(sessionId, 1, outputs, reasonings));
        assertEq(assetsBefore - pool.totalAssets(), expected, "paid exactly the formula");
        assertEq(pool.sessionCover(sessionId).requestsLeft, 500 - n, "every receipt counted");
    }

    function test_coverGroup_revertsForAnyoneButTheLedger() public {
        vm.prank(attacker);
        vm.expectRevert(IInsurancePool.NotLedger.selector);
        pool.coverGroup(ModelId.wrap(derivative), SessionId.wrap(1), 0, new uint256[](0), 0);
    }
}
