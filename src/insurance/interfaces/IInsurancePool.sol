// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {ISettlementCoverage} from "../../inference/interfaces/ISettlementCoverage.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @notice What a buyer asks for when buying a policy (docs/insurance.md §2).
/// @param modelId The one model the policy covers.
/// @param period Seconds from purchase during which sessions may be opened under the policy.
/// @param strikeTokens Generated tokens (output + reasoning) per request the buyer pays in full.
/// @param limitTokens Per-request limit: at most this many generated tokens above the strike are insured.
/// @param coinsuranceBps Share of the insured excess the pool pays (the buyer pays the rest).
/// @param requests Cap on insured requests: the policy's first `requests` settled requests are insured.
/// @param aggregateLimit The most the policy pays in total, in stablecoin units.
struct PolicyTerms {
    uint256 modelId;
    uint256 period;
    uint256 strikeTokens;
    uint256 limitTokens;
    uint256 coinsuranceBps;
    uint256 requests;
    uint256 aggregateLimit;
}

/// @notice What settlement reads of an insured session, in one slot: the policy's terms and what is left of its
/// limits. Packed low to high in declaration order.
/// @param strikeTokens Generated tokens per request the buyer pays in full.
/// @param limitTokens Most insured excess tokens per request.
/// @param coinsuranceBps Share of the excess the pool pays.
/// @param ratePerMTok Stablecoin units per million excess tokens, fixed at purchase (the lower of the output and
/// reasoning prices then); settlement pays at the lower of it and the charged prices.
/// @param requestsLeft Insured requests left.
/// @param limitLeft Aggregate limit left, in stablecoin units.
/// @param claimsUntil Settlements from this timestamp on are not covered (the period's end plus the ledger's
/// settlement grace).
struct Cover {
    uint32 strikeTokens;
    uint32 limitTokens;
    uint16 coinsuranceBps;
    uint48 ratePerMTok;
    uint32 requestsLeft;
    uint64 limitLeft;
    uint32 claimsUntil;
}

/// @notice A policy as stored.
/// @param holder The buyer: the only address whose sessions the policy covers.
/// @param modelId The covered model.
/// @param end Sessions may be opened under the policy until this timestamp (excluded).
/// @param sessionId The session the policy currently covers (0 before the first).
/// @param aggregateLimit The aggregate limit bought.
/// @param expectedClaims The expected claims the premium was priced on (before loading and experience rating).
/// @param released Whether its unused limit has been released from the pool's exposure.
struct Policy {
    address holder;
    uint48 modelId;
    uint40 end;
    uint64 sessionId;
    uint80 aggregateLimit;
    uint80 expectedClaims;
    bool released;
}

/// @notice A buyer's insured history on one model, which experience-rates its next policies.
/// @param lastPolicyId Its latest policy on the model (folded into the sums when the next one is bought).
/// @param claims Claims paid on its earlier policies.
/// @param expectedClaims What those policies were priced to pay (population rate).
struct Experience {
    uint48 lastPolicyId;
    uint96 claims;
    uint96 expectedClaims;
}

/// @notice A queued withdrawal: escrowed shares and when they may be redeemed.
struct WithdrawRequest {
    uint128 shares;
    uint40 unlockAt;
}

/// @title IInsurancePool
/// @notice Inference-time compute insurance (docs/insurance.md). Underwriters hold an ERC-4626 vault on the
/// stablecoin; buyers buy policies on one model's compute per request, priced on chain from the model's attested
/// usage histogram; the ledger calls the pool at settlement (ISettlementCoverage) and the pool pays the insured
/// excess in the same transaction. Withdrawals go through a queue whose cooldown outlasts every policy, and never
/// take the capital that running policies require.
interface IInsurancePool is IERC4626, ISettlementCoverage {
    /* ERRORS */

    /// @notice Thrown when a ledger-only entry point is called by anyone else.
    error NotLedger();
    /// @notice Thrown when a constructor address is zero.
    error ZeroAddress();
    /// @notice Thrown when an amount that must be positive is zero.
    error ZeroAmount();
    /// @notice Thrown when a constructor parameter is out of its documented range.
    error InvalidParameter();
    /// @notice Thrown when policy terms are out of range (`field`: 0 period, 1 strike, 2 limit, 3 co-insurance,
    /// 4 requests, 5 aggregate limit, 6 rate).
    error InvalidTerms(uint256 field);
    /// @notice Thrown when the model has fewer settled requests than the pool prices from.
    error InsufficientHistory(uint256 modelId, uint256 observations, uint256 minimum);
    /// @notice Thrown when the premium is above the buyer's bound.
    error PremiumAboveMax(uint256 premium, uint256 maxPremium);
    /// @notice Thrown when the aggregate limit is above what the buyer's history allows (docs/insurance.md §4).
    error LimitAboveCredit(uint256 aggregateLimit, uint256 maxLimit);
    /// @notice Thrown when the buyer's latest policy on the model is still in its period.
    error PolicyActive(uint256 policyId);
    /// @notice Thrown when a policy would take outstanding limits above capital x leverage.
    error InsufficientCapacity(uint256 exposure, uint256 capacity);
    /// @notice Thrown when a policy would take the model's exposure above its cap.
    error ModelExposureCap(uint256 modelId, uint256 exposure, uint256 cap);
    /// @notice Thrown when a session is opened under a policy of another holder.
    error NotPolicyHolder(uint256 policyId, address buyer);
    /// @notice Thrown when a session is opened under a policy of another model.
    error PolicyModelMismatch(uint256 policyId, uint256 modelId);
    /// @notice Thrown when a session is opened under a policy outside its period (or unknown).
    error PolicyNotInPeriod(uint256 policyId);
    /// @notice Thrown when a session is opened under a policy whose current session can still be settled.
    error PolicySessionActive(uint256 policyId, uint256 sessionId);
    /// @notice Thrown when releasing a policy that can still pay claims, or already released.
    error PolicyNotReleasable(uint256 policyId);
    /// @notice Thrown when there is no queued withdrawal to act on.
    error NoWithdrawRequest(address owner);
    /// @notice Thrown by `completeWithdrawFor` when `owner`'s queued shares unlock only at `unlockAt`.
    error WithdrawNotMatured(address owner, uint256 unlockAt);
    /// @notice Thrown by `withdraw` / `redeem` above `maxWithdraw` / `maxRedeem` (OpenZeppelin's ERC-4626 names).
    error ERC4626ExceededMaxWithdraw(address owner, uint256 assets, uint256 max);
    /// @notice See `ERC4626ExceededMaxWithdraw`.
    error ERC4626ExceededMaxRedeem(address owner, uint256 shares, uint256 max);
    /// @notice Thrown when a share transfer or allowance is insufficient.
    error InsufficientShares(address owner, uint256 needed, uint256 available);
    /// @notice See `InsufficientShares`.
    error InsufficientAllowance(address spender, uint256 needed, uint256 available);
    /// @notice Thrown when an amount overflows the vault's 128-bit accounting.
    error VaultOverflow();

    /* EVENTS */

    /// @notice Emitted when `holder` buys policy `policyId`.
    event PolicyBought(
        uint256 indexed policyId,
        address indexed holder,
        uint256 indexed modelId,
        uint256 end,
        uint256 premium,
        uint256 aggregateLimit,
        uint256 expectedClaims
    );
    /// @notice Emitted when session `sessionId` is insured under `policyId`.
    event PolicyAttached(uint256 indexed policyId, uint256 indexed sessionId);
    /// @notice Emitted when a policy's unused limit leaves the pool's exposure.
    event PolicyReleased(uint256 indexed policyId, uint256 unusedLimit);
    /// @notice Emitted when `owner` queues `shares` for withdrawal (total queued `totalShares`, from `unlockAt`).
    event WithdrawRequested(address indexed owner, uint256 shares, uint256 totalShares, uint256 unlockAt);
    /// @notice Emitted when `owner` takes its queued shares back.
    event WithdrawCancelled(address indexed owner, uint256 shares);
    /// @notice Emitted when `caller` completes `owner`'s matured withdrawal: `shares` burned, `assets` paid to
    /// `owner` (the ERC-4626 `Withdraw` event is emitted too).
    event WithdrawCompletedFor(address indexed owner, address indexed caller, uint256 shares, uint256 assets);

    /* VIEWS */

    /// @notice The InferenceLedger whose settlement the pool covers.
    function ledger() external view returns (address);
    /// @notice The model registry (prices).
    function modelRegistry() external view returns (address);
    /// @notice The longest policy period, in seconds.
    function MAX_POLICY_PERIOD() external view returns (uint256);
    /// @notice The withdrawal cooldown: the longest policy period plus the ledger's settlement grace.
    function WITHDRAW_COOLDOWN() external view returns (uint256);
    /// @notice The fewest settled requests of a model the pool quotes from.
    function MIN_OBSERVATIONS() external view returns (uint256);
    /// @notice The largest co-insurance share, in bps (the buyer always keeps a share of the excess).
    function MAX_COINSURANCE_BPS() external view returns (uint256);
    /// @notice Aggregate limit per premium for a buyer whose past policies on the model claimed at most what they
    /// were priced to, in bps (1x for any other buyer).
    function MAX_LIMIT_MULTIPLE_BPS() external view returns (uint256);
    /// @notice Premium loading over the expected claims, in bps.
    function loadingBps() external view returns (uint256);
    /// @notice Capital charge per year on the aggregate limit, in bps.
    function capitalChargeBps() external view returns (uint256);
    /// @notice Outstanding limits may reach capital times this, in bps.
    function maxLeverageBps() external view returns (uint256);
    /// @notice One model's outstanding limits may reach capital times this, in bps.
    function maxModelExposureBps() external view returns (uint256);
    /// @notice Outstanding aggregate limits of unreleased policies, net of claims paid.
    function exposure() external view returns (uint256);
    /// @notice Aggregate limits sold on one model by policies not yet released (gross of claims: the per-model cap
    /// errs on the pool's side).
    function modelExposure(uint256 modelId) external view returns (uint256);
    /// @notice Capital that running policies require: `exposure / maxLeverage`, rounded up. Never withdrawn.
    function requiredCapital() external view returns (uint256);
    /// @notice Premiums received and claims paid since deployment.
    function totals() external view returns (uint256 premiums, uint256 claims);
    /// @notice Number of policies sold (ids run from 1).
    function policyCount() external view returns (uint256);
    /// @notice A policy.
    function getPolicy(uint256 policyId) external view returns (Policy memory);
    /// @notice What is left of a policy's cover (limits left, terms).
    function policyCover(uint256 policyId) external view returns (Cover memory);
    /// @notice The cover settlement reads for a session (all zero when not insured by the pool).
    function sessionCover(uint256 sessionId) external view returns (Cover memory);
    /// @notice A buyer's insured history on a model.
    function experienceOf(address buyer, uint256 modelId) external view returns (Experience memory);
    /// @notice `owner`'s queued withdrawal.
    function withdrawRequestOf(address owner) external view returns (WithdrawRequest memory);
    /// @notice The premium `buyer` would pay now for `terms`, and the expected claims it is priced on. Reverts
    /// as `buyPolicy` would on the terms and history (not on capacity).
    function quotePremium(address buyer, PolicyTerms calldata terms)
        external
        view
        returns (uint256 premium, uint256 expectedClaims);
    /// @notice The strike of a fixed-price plan: the model's mean generated tokens per request, rounded up.
    function fixedPriceStrike(uint256 modelId) external view returns (uint256 strikeTokens);

    /* BUYERS */

    /// @notice Buys a policy for `terms`, paying the premium (at most `maxPremium`) from the caller.
    function buyPolicy(PolicyTerms calldata terms, uint256 maxPremium)
        external
        returns (uint256 policyId, uint256 premium);

    /// @notice Releases a policy's unused limit from the exposure once it can pay no more claims. Anyone may call.
    function releasePolicy(uint256 policyId) external returns (uint256 unusedLimit);

    /* UNDERWRITERS */

    /// @notice Moves `shares` of the caller into the withdrawal queue; they may be redeemed `WITHDRAW_COOLDOWN`
    /// after the latest request (each request restarts the cooldown). Queued shares keep bearing premiums and
    /// claims.
    function requestWithdraw(uint256 shares) external returns (uint256 unlockAt);

    /// @notice Takes the caller's queued shares back.
    function cancelWithdraw() external returns (uint256 shares);

    /// @notice Redeems as many of the caller's matured queued shares as free capital allows (`maxRedeem`), to
    /// `receiver`. Returns the shares burned and the assets paid. Reverts with `ERC4626ExceededMaxRedeem(caller, 1, 0)`
    /// when those shares would be worth no asset (no free capital, or too little to pay one unit for them):
    /// shares are never burned for nothing.
    function completeWithdraw(address receiver) external returns (uint256 shares, uint256 assets);

    /// @notice Redeems as many of `owner`'s matured queued shares as free capital allows (`maxRedeem(owner)`), paying
    /// the assets to `owner` itself, never to anyone else. Anyone may call (a keeper processing the queue); no
    /// allowance is needed since the caller receives nothing. Same rules as `completeWithdraw`: reverts with
    /// `NoWithdrawRequest` when nothing is queued, `WithdrawNotMatured` before the cooldown ends, and
    /// `ERC4626ExceededMaxRedeem(owner, 1, 0)` when no free capital is left for the queued shares or what is left
    /// would pay 0 assets for them (a caller cannot burn an owner's shares for nothing, however often it calls).
    function completeWithdrawFor(address owner) external returns (uint256 shares, uint256 assets);
}
