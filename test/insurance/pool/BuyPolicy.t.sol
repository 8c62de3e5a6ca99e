// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {
    Cover,
    Experience,
    IInsurancePool,
    Policy,
    PolicyTerms
} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {PremiumLib} from "../../../src/insurance/libraries/PremiumLib.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice `buyPolicy` / `quotePremium`: the premium formula, history, credit, capacity, experience.
contract BuyPolicyTest is InsuranceBaseTest {
    function setUp() public override {
        super.setUp();
        _seedHistory(derivative);
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
    }

    function test_buyPolicy_premiumIsTheLibraryFormula() public {
        PolicyTerms memory terms = _terms(500, 1);
        terms.aggregateLimit = _creditLimit(buyer, terms);
        (uint256 excessSum, uint256 observations) =
            PremiumLib.excessTokens(lens.usageHistogram(derivative), terms.strikeTokens, terms.limitTokens);
        assertEq(observations, HISTORY_REQUESTS, "every settled request observed");
        // Rate: the lower of the output ($1.50) and reasoning ($2.00) prices.
        uint256 expected = PremiumLib.expectedClaims(excessSum, observations, 500, PRICE_OUT, 8000);
        uint256 premium =
            PremiumLib.premium(expected, 10_000, LOADING_BPS, terms.aggregateLimit, CAPITAL_CHARGE_BPS, 7 days);
        (uint256 quoted, uint256 quotedExpected) = pool.quotePremium(buyer, terms);
        assertEq(quotedExpected, expected, "expected claims");
        assertEq(quoted, premium, "quote");
        (uint256 policyId, uint256 paid) = _buy(buyer, terms);
        assertEq(paid, premium, "paid the quote");
        Policy memory policy = pool.getPolicy(policyId);
        assertEq(policy.holder, buyer, "holder");
        assertEq(policy.end, block.timestamp + 7 days, "period");
        assertEq(policy.expectedClaims, expected, "expected claims stored");
        Cover memory cover = pool.policyCover(policyId);
        assertEq(cover.requestsLeft, 500, "requests");
        assertEq(cover.limitLeft, terms.aggregateLimit, "limit");
        assertEq(cover.ratePerMTok, PRICE_OUT, "rate fixed at purchase");
    }

    function test_buyPolicy_premiumRaisesSharePrice() public {
        uint256 assetsPerShareBefore = pool.convertToAssets(1e18);
        (, uint256 premium) = _buyDefault(buyer, 500);
        assertEq(pool.totalAssets(), UNDERWRITER_DEPOSIT + premium, "premium in the vault");
        assertGt(pool.convertToAssets(1e18), assetsPerShareBefore, "share price up");
        (uint256 premiums,) = pool.totals();
        assertEq(premiums, premium, "premium total");
    }

    function test_buyPolicy_revertsWithoutHistory() public {
        PolicyTerms memory terms = _terms(500, 1000);
        terms.modelId = baseModel;
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InsufficientHistory.selector, baseModel, 0, 1000));
        pool.quotePremium(buyer, terms);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InsufficientHistory.selector, baseModel, 0, 1000));
        pool.buyPolicy(terms, type(uint256).max);
    }

    function test_buyPolicy_revertsAboveCredit() public {
        PolicyTerms memory terms = _terms(500, 1);
        uint256 limit = _creditLimit(buyer, terms);
        terms.aggregateLimit = limit * 2;
        (uint256 premium,) = pool.quotePremium(buyer, terms);
        stablecoin.mint(buyer, premium);
        vm.startPrank(buyer);
        stablecoin.approve(address(pool), premium);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.LimitAboveCredit.selector, limit * 2, premium));
        pool.buyPolicy(terms, premium);
        vm.stopPrank();
    }

    function test_buyPolicy_revertsAbovePremiumBound() public {
        PolicyTerms memory terms = _terms(500, 1);
        terms.aggregateLimit = _creditLimit(buyer, terms);
        (uint256 premium,) = pool.quotePremium(buyer, terms);
        vm.prank(buyer);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PremiumAboveMax.selector, premium, premium - 1));
        pool.buyPolicy(terms, premium - 1);
    }

    /// @dev A new buyer's limit is at most its premium, so it always fits (capacity counts the premium); a buyer
    /// with history may take 4x, which capacity and the model cap bound.
    function test_buyPolicy_revertsAboveCapacity() public {
        PolicyTerms memory terms = _experiencedTerms(2); // premium ~2x the pool's capital, limit 4x the premium
        (uint256 premium,) = pool.quotePremium(buyer, terms);
        uint256 capacity = (pool.totalAssets() + premium) * LEVERAGE_BPS / 10_000;
        uint256 exposure = pool.exposure() + terms.aggregateLimit;
        assertGt(exposure, capacity, "scenario: limit above capacity");
        _expectBuyRevert(
            terms, premium, abi.encodeWithSelector(IInsurancePool.InsufficientCapacity.selector, exposure, capacity)
        );
    }

    function test_buyPolicy_revertsAboveModelCap() public {
        PolicyTerms memory terms = _experiencedTerms(0); // premium ~0.8x the pool's capital, limit 4x the premium
        (uint256 premium,) = pool.quotePremium(buyer, terms);
        uint256 capital = pool.totalAssets() + premium;
        uint256 modelExposure = pool.modelExposure(derivative) + terms.aggregateLimit;
        uint256 modelCap = capital * MODEL_EXPOSURE_BPS / 10_000;
        assertGt(modelExposure, modelCap, "scenario: above the model cap");
        assertLe(pool.exposure() + terms.aggregateLimit, capital * LEVERAGE_BPS / 10_000, "scenario: within leverage");
        _expectBuyRevert(
            terms,
            premium,
            abi.encodeWithSelector(IInsurancePool.ModelExposureCap.selector, derivative, modelExposure, modelCap)
        );
    }

    /// @dev Gives the buyer a finished policy, drains the pool to 10 USDC and returns terms whose premium is about
    /// `multiple` (0: 0.8) times the capital, at four times the buyer's credit limit.
    function _experiencedTerms(uint256 multiple) internal returns (PolicyTerms memory terms) {
        _buyDefault(buyer, 500);
        _warp(7 days + 1 hours);
        _drainTo(10 * USDC);
        terms = _terms(100_000, 1);
        terms.aggregateLimit = _creditLimit(buyer, terms);
        (uint256 premium,) = pool.quotePremium(buyer, terms);
        uint256 target = multiple == 0 ? 8 * USDC : multiple * 10 * USDC;
        terms.requests = 100_000 * target / premium;
        terms.aggregateLimit = 4 * _creditLimit(buyer, terms);
        (premium,) = pool.quotePremium(buyer, terms);
        assertLe(terms.aggregateLimit, premium * 4, "scenario: within the 4x credit");
    }

    function _expectBuyRevert(PolicyTerms memory terms, uint256 premium, bytes memory revertData) internal {
        stablecoin.mint(buyer, premium);
        vm.startPrank(buyer);
        stablecoin.approve(address(pool), premium);
        vm.expectRevert(revertData);
        pool.buyPolicy(terms, premium);
        vm.stopPrank();
    }

    function test_buyPolicy_revertsWhileLatestPolicyCanClaim() public {
        (uint256 first,) = _buyDefault(buyer, 500);
        PolicyTerms memory terms = _terms(500, 1);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PolicyActive.selector, first));
        pool.quotePremium(buyer, terms);
        _warp(7 days + 1 hours);
        (uint256 premium,) = pool.quotePremium(buyer, _terms(500, 1000));
        assertGt(premium, 0, "quotable once the first can claim no more");
    }

    function test_buyPolicy_foldsHistoryAndExtendsCredit() public {
        (uint256 first,) = _buyDefault(buyer, 500);
        _warp(7 days + 1 hours);
        PolicyTerms memory terms = _terms(500, 1);
        uint256 limit = _creditLimit(buyer, terms);
        terms.aggregateLimit = limit * 3;
        (uint256 premium,) = pool.quotePremium(buyer, terms);
        assertLe(terms.aggregateLimit, premium * 4, "scenario: within 4x");
        (uint256 second,) = _buy(buyer, terms);
        Experience memory experience = pool.experienceOf(buyer, derivative);
        assertEq(experience.lastPolicyId, second, "latest policy");
        assertEq(experience.expectedClaims, pool.getPolicy(first).expectedClaims, "first policy folded in");
        assertEq(experience.claims, 0, "no claims on it");
    }

    function test_buyPolicy_revertsOnInvalidTerms() public {
        PolicyTerms memory terms = _terms(500, 1000);
        terms.period = 31 days;
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InvalidTerms.selector, 0));
        pool.quotePremium(buyer, terms);
        terms = _terms(500, 1000);
        terms.coinsuranceBps = 9001;
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InvalidTerms.selector, 3));
        pool.quotePremium(buyer, terms);
        terms = _terms(0, 1000);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InvalidTerms.selector, 4));
        pool.quotePremium(buyer, terms);
    }

    /// @dev Redeems the underwriter down to `assets` of capital.
    function _drainTo(uint256 assets) internal {
        uint256 shares = pool.balanceOf(underwriter);
        vm.prank(underwriter);
        pool.requestWithdraw(shares);
        _warp(pool.WITHDRAW_COOLDOWN());
        uint256 amount = pool.totalAssets() - assets;
        vm.prank(underwriter);
        pool.withdraw(amount, underwriter, underwriter);
        assertApproxEqAbs(pool.totalAssets(), assets, 1, "drained");
    }
}

