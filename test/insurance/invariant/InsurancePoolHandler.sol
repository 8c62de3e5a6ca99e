// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InsurancePool} from "../../../src/insurance/InsurancePool.sol";
import {Cover, PolicyTerms} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @notice What the handler needs of the test: opening insured sessions and settling signed batches of them.
interface IInsuranceDriver {
    function creditLimitFor(address who, PolicyTerms memory terms) external view returns (uint256);
    function openInsuredFor(address who, uint256 policyId, uint256 budget) external returns (uint256 sessionId);
    function settleFor(uint256 sessionId, uint256 firstSequence, uint256[] memory outputs, uint256[] memory reasonings)
        external;
    function reattestNow() external;
}

/// @notice Drives the pool with underwriters (deposit, mint, queue, cancel, withdraw, redeem) and buyers (buy, use
/// through settlement), time and releases, and keeps the ghosts the invariants compare to.
contract InsurancePoolHandler is CommonBase, StdCheats, StdUtils {
    uint256 internal constant USDC = 1e6;
    uint256 internal constant PRICE_RATE = 1_500_000;

    InsurancePool public immutable pool;
    MockStablecoin public immutable stablecoin;
    IInsuranceDriver public immutable driver;
    uint256 public immutable modelId;

    address[3] internal _underwriters;
    address[3] internal _buyers;

    /* GHOSTS */

    uint256 public ghostDeposits;
    uint256 public ghostPremiums;
    uint256 public ghostClaims;
    uint256 public ghostWithdrawals;
    /// @dev Counts of breaches found inside actions (each must stay 0).
    uint256 public priceMovedWithoutPremiumOrClaim;
    uint256 public previewMismatches;
    uint256 public maxReverted;
    uint256 public roundTripProfits;
    uint256 public requiredCapitalTaken;
    uint256 public payoutsBeyondTerms;
    uint256 public claimsBeyondLimit;

    uint256[] public policyIds;
    mapping(uint256 policyId => uint256) public claimsOf;
    mapping(address buyer => uint256) internal _nextSequence;

    constructor(InsurancePool pool_, MockStablecoin stablecoin_, IInsuranceDriver driver_, uint256 modelId_) {
        pool = pool_;
        stablecoin = stablecoin_;
        driver = driver_;
        modelId = modelId_;
        for (uint256 i; i < 3; ++i) {
            _underwriters[i] = makeAddr(string.concat("handlerUnderwriter", vm.toString(i)));
            _buyers[i] = makeAddr(string.concat("handlerBuyer", vm.toString(i)));
            vm.prank(_underwriters[i]);
            stablecoin.approve(address(pool_), type(uint256).max);
            vm.prank(_buyers[i]);
            stablecoin.approve(address(pool_), type(uint256).max);
        }
    }

    function underwriterAt(uint256 i) external view returns (address) {
        return _underwriters[i];
    }

    function policyCount() external view returns (uint256) {
        return policyIds.length;
    }

    /* UNDERWRITERS */

    function deposit(uint256 seed, uint256 assets) external {
        address who = _underwriters[seed % 3];
        assets = bound(assets, 0, 100_000 * USDC);
        (uint256 a0, uint256 s0) = _state();
        uint256 preview = pool.previewDeposit(assets);
        stablecoin.mint(who, assets);
        vm.prank(who);
        uint256 shares = pool.deposit(assets, who);
        ghostDeposits += assets;
        if (shares != preview) ++previewMismatches;
        if (pool.convertToAssets(shares) > assets) ++roundTripProfits;
        _checkPriceNotDown(a0, s0);
    }

    function mint(uint256 seed, uint256 shares) external {
        address who = _underwriters[seed % 3];
        shares = bound(shares, 0, 100_000 * USDC * 1e6);
        (uint256 a0, uint256 s0) = _state();
        uint256 preview = pool.previewMint(shares);
        stablecoin.mint(who, preview);
        vm.prank(who);
        uint256 assets = pool.mint(shares, who);
        ghostDeposits += assets;
        if (assets != preview) ++previewMismatches;
        if (pool.convertToAssets(shares) > assets) ++roundTripProfits;
        _checkPriceNotDown(a0, s0);
    }

    function requestWithdraw(uint256 seed, uint256 shares) external {
        address who = _underwriters[seed % 3];
        uint256 balance = pool.balanceOf(who);
        if (balance == 0) return;
        shares = bound(shares, 1, balance);
        vm.prank(who);
        pool.requestWithdraw(shares);
    }

    function cancelWithdraw(uint256 seed) external {
        address who = _underwriters[seed % 3];
        if (pool.withdrawRequestOf(who).shares == 0) return;
        vm.prank(who);
        pool.cancelWithdraw();
    }

    /// @dev Redeems `maxRedeem` (or a part): it must not revert, and pays `previewRedeem`.
    function redeem(uint256 seed, uint256 fraction) external {
        address who = _underwriters[seed % 3];
        uint256 max = pool.maxRedeem(who);
        if (max == 0) return;
        uint256 shares = fraction % 2 == 0 ? max : bound(fraction, 1, max);
        (uint256 a0, uint256 s0) = _state();
        uint256 preview = pool.previewRedeem(shares);
        vm.prank(who);
        try pool.redeem(shares, who, who) returns (uint256 assets) {
            ghostWithdrawals += assets;
            if (assets != preview) ++previewMismatches;
        } catch {
            ++maxReverted;
        }
        _checkExit(a0, s0);
    }

    /// @dev Withdraws `maxWithdraw` (or a part): it must not revert, and burns `previewWithdraw`.
    function withdraw(uint256 seed, uint256 fraction) external {
        address who = _underwriters[seed % 3];
        uint256 max = pool.maxWithdraw(who);
        if (max == 0) return;
        uint256 assets = fraction % 2 == 0 ? max : bound(fraction, 1, max);
        (uint256 a0, uint256 s0) = _state();
        uint256 preview = pool.previewWithdraw(assets);
        vm.prank(who);
        try pool.withdraw(assets, who, who) returns (uint256 shares) {
            ghostWithdrawals += assets;
            if (shares != preview) ++previewMismatches;
        } catch {
            ++maxReverted;
        }
        _checkExit(a0, s0);
    }

    /* BUYERS */

    /// @dev Buys a policy at the buyer's credit limit, opens a session under it and settles `n` requests of which
    /// every `heavyEvery`-th thinks long; checks each payout against the policy's terms.
    function buyAndUse(uint256 seed, uint256 requests, uint256 n, uint256 heavyEvery, uint256 coinsuranceBps) external {
        address who = _buyers[seed % 3];
        uint256 last = pool.experienceOf(who, modelId).lastPolicyId;
        if (last != 0 && block.timestamp < pool.policyCover(last).claimsUntil) return;
        PolicyTerms memory terms = PolicyTerms({
            modelId: modelId,
            period: 7 days,
            strikeTokens: 1000,
            limitTokens: 4000,
            coinsuranceBps: bound(coinsuranceBps, 1, 9000),
            requests: bound(requests, 1, 5000),
            aggregateLimit: 1
        });
        terms.aggregateLimit = driver.creditLimitFor(who, terms);
        uint256 policyId = _buy(who, terms);
        if (policyId != 0) _use(who, policyId, bound(n, 1, 40), bound(heavyEvery, 1, 5));
    }

    function warp(uint256 seconds_) external {
        seconds_ = bound(seconds_, 1, 10 days);
        vm.warp(block.timestamp + seconds_);
        vm.roll(block.number + seconds_ / 12 + 1);
        driver.reattestNow();
    }

    function release(uint256 index) external {
        if (policyIds.length == 0) return;
        uint256 policyId = policyIds[index % policyIds.length];
        if (pool.getPolicy(policyId).released || block.timestamp < pool.policyCover(policyId).claimsUntil) return;
        pool.releasePolicy(policyId);
    }

    /* INTERNAL */

    /// @dev Buys `terms` for `who`; 0 when refused (capacity), which must change nothing.
    function _buy(address who, PolicyTerms memory terms) internal returns (uint256 policyId) {
        (uint256 premium,) = pool.quotePremium(who, terms);
        (uint256 a0, uint256 s0) = _state();
        stablecoin.mint(who, premium);
        vm.prank(who);
        try pool.buyPolicy(terms, premium) returns (uint256 id, uint256 paid) {
            policyId = id;
            ghostPremiums += paid;
            policyIds.push(id);
            (uint256 a1, uint256 s1) = _state();
            if (s1 != s0 || a1 != a0 + paid) ++priceMovedWithoutPremiumOrClaim;
        } catch {
            (uint256 a1, uint256 s1) = _state();
            if (a1 != a0 || s1 != s0) ++priceMovedWithoutPremiumOrClaim;
        }
    }

    function _use(address who, uint256 policyId, uint256 n, uint256 heavyEvery) internal {
        uint256 sessionId = driver.openInsuredFor(who, policyId, 1000 * USDC);
        uint256[] memory outputs = new uint256[](n);
        uint256[] memory reasonings = new uint256[](n);
        Cover memory cover = pool.sessionCover(sessionId);
        uint256 excess;
        for (uint256 i; i < n; ++i) {
            outputs[i] = 300;
            reasonings[i] = i % heavyEvery == 0 ? 3000 + 997 * i : 200;
            uint256 generated = outputs[i] + reasonings[i];
            if (i < cover.requestsLeft && generated > cover.strikeTokens) {
                uint256 e = generated - cover.strikeTokens;
                excess += e < cover.limitTokens ? e : cover.limitTokens;
            }
        }
        uint256 bound_ = excess * PRICE_RATE * cover.coinsuranceBps / 1e10;
        uint256 assetsBefore = pool.totalAssets();
        driver.settleFor(sessionId, 1, outputs, reasonings);
        uint256 claims = assetsBefore - pool.totalAssets();
        ghostClaims += claims;
        claimsOf[policyId] += claims;
        if (claims > bound_) ++payoutsBeyondTerms;
        if (claimsOf[policyId] > pool.getPolicy(policyId).aggregateLimit) ++claimsBeyondLimit;
    }

    function _state() internal view returns (uint256 assets, uint256 supply) {
        return (pool.totalAssets(), pool.totalSupply());
    }

    /// @dev Assets per share, (A + 1) / (S + 1e6), must not fall (only a claim lowers it).
    function _checkPriceNotDown(uint256 a0, uint256 s0) internal {
        (uint256 a1, uint256 s1) = _state();
        if ((a1 + 1) * (s0 + 1e6) < (a0 + 1) * (s1 + 1e6)) ++priceMovedWithoutPremiumOrClaim;
    }

    function _checkExit(uint256 a0, uint256 s0) internal {
        _checkPriceNotDown(a0, s0);
        if (pool.totalAssets() < pool.requiredCapital()) ++requiredCapitalTaken;
    }
}
