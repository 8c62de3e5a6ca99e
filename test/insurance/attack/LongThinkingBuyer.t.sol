// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReceiptLib} from "../../../src/inference/libraries/ReceiptLib.sol";
import {Experience, IInsurancePool, PolicyTerms} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {Batch} from "../../ledger/LedgerBaseTest.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Attack: a buyer whose requests think far longer than the population insures them at the population's
/// price. Defences: a buyer's limit is at most its premium until its own history shows a loss ratio <= 1, and the
/// next premium is experience-rated (x claims / expected claims).
contract LongThinkingBuyerAttackTest is InsuranceBaseTest {
    function setUp() public override {
        super.setUp();
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
        _seedShortHistory();
    }

    function test_attack_longThinkerOnShortHistoryLosesEachPolicy() public {
        int256 pnl;
        uint256 previousPremium;
        for (uint256 round; round < 3; ++round) {
            PolicyTerms memory terms = _baseTerms(1000);
            // As much limit as the pool sells this buyer.
            terms.aggregateLimit = _creditLimitFor(terms);
            (uint256 policyId, uint256 premium) = _buy(attacker, terms);
            if (round > 0) assertGt(premium, previousPremium, "experience raises the premium");
            previousPremium = premium;
            uint256 sessionId = _openBase(policyId);
            uint256 assetsBefore = pool.totalAssets();
            _settle(_heavyBase(sessionId, 200));
            uint256 claims = assetsBefore - pool.totalAssets();
            pnl += int256(claims) - int256(premium);
            emit log_named_int("attacker PnL so far", pnl);
            assertLe(int256(claims), int256(premium), "claims never exceed the premium paid");
            _warp(7 days + 1 hours);
            _reattest();
        }
        assertLe(pnl, 0, "attacker PnL <= 0");
        Experience memory experience = pool.experienceOf(attacker, baseModel);
        assertGt(experience.claims, experience.expectedClaims, "the history shows the long thinking");
    }

    function test_attack_longThinkerCannotBuyMoreThanItsPremium() public {
        _buyDefaultBase();
        PolicyTerms memory terms = _baseTerms(1000);
        terms.aggregateLimit = _creditLimitFor(terms) * 2;
        (uint256 premium,) = pool.quotePremium(attacker, terms);
        stablecoin.mint(attacker, premium);
        vm.startPrank(attacker);
        stablecoin.approve(address(pool), premium);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.LimitAboveCredit.selector, terms.aggregateLimit, premium));
        pool.buyPolicy(terms, premium);
        vm.stopPrank();
    }

    function _buyDefaultBase() internal {
        PolicyTerms memory terms = _baseTerms(1000);
        terms.aggregateLimit = _creditLimitFor(terms);
        (uint256 policyId,) = _buy(attacker, terms);
        _settle(_heavyBase(_openBase(policyId), 200));
        _warp(7 days + 1 hours);
        _reattest();
    }

    function _baseTerms(uint256 requests) internal view returns (PolicyTerms memory terms) {
        terms = _terms(requests, 1);
        terms.modelId = baseModel;
    }

    function _creditLimitFor(PolicyTerms memory terms) internal view returns (uint256) {
        return _creditLimit(attacker, terms);
    }

    function _openBase(uint256 policyId) internal returns (uint256 sessionId) {
        _fund(attacker, 100 * USDC);
        vm.prank(attacker);
        sessionId = ledger.openSession(baseModel, baseGateway, 100 * USDC, block.timestamp + 2 days, policyId);
    }

    /// @dev `n` requests of 500 output + 5,500 reasoning tokens on the base model.
    function _heavyBase(uint256 sessionId, uint256 n) internal returns (Batch memory batch) {
        batch.modelId = baseModel;
        batch.sessionIds = _ids(sessionId);
        batch.receipts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            batch.receipts[i] = ReceiptLib.pack(0, i + 1, 100, 500, 5500);
        }
        batch.requestsCommitment = keccak256(abi.encode("heavy", sessionId));
        return _sign(batch, ENCLAVE_PK);
    }

    /// @dev 1,024 short requests on the base model: 50..300 output and 0..300 reasoning tokens.
    function _seedShortHistory() internal {
        uint256[] memory ids = new uint256[](4);
        for (uint256 i; i < 4; ++i) {
            ids[i] = _openSession(makeAddr(string.concat("shortBuyer", vm.toString(i))), baseModel, 100 * USDC);
        }
        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = ids;
        batch.receipts = new uint256[](1024);
        for (uint256 k; k < 1024; ++k) {
            uint256 h = uint256(keccak256(abi.encode("short", k)));
            batch.receipts[k] = ReceiptLib.pack(k / 256, 1 + k % 256, 200, 50 + h % 251, (h >> 32) % 301);
        }
        batch.requestsCommitment = keccak256("short history");
        _settle(_sign(batch, ENCLAVE_PK));
    }
}
