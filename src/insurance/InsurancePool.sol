// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IInferenceLedger, Session, UsageStats} from "../inference/interfaces/IInferenceLedger.sol";
import {ISettlementCoverage} from "../inference/interfaces/ISettlementCoverage.sol";
import {InferenceLedgerLib} from "../inference/libraries/InferenceLedgerLib.sol";
import {FullMath} from "../libraries/FullMath.sol";
import {IModelRegistry, Pricing} from "../registry/interfaces/IModelRegistry.sol";
import {ModelId, PolicyId, SessionId} from "../types/Ids.sol";
import {Cover, Experience, IInsurancePool, Policy, PolicyTerms, WithdrawRequest} from "./interfaces/IInsurancePool.sol";
import {PremiumLib} from "./libraries/PremiumLib.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @title InsurancePool
/// @notice Inference-time compute insurance: an ERC-4626 underwriting vault on the stablecoin that sells policies
/// on one model's compute per request and pays their insured excess inside InferenceLedger settlement. See
/// IInsurancePool and docs/insurance.md.
/// @dev Assets are accounted, not read from the balance: `totalAssets` = deposits + premiums - claims -
/// withdrawals, so a donation changes no share price. Shares carry `DECIMALS_OFFSET` more decimals than the asset,
/// with as many virtual shares and one virtual asset (first-depositor inflation costs the attacker ~1e6 times what
/// it could take). Every external function follows the same order: checks, accounting, events, external calls.
/// Compiled with 1,000 optimizer runs, as the ledger (foundry.toml): 18.3 KB instead of 21.9 KB.
contract InsurancePool is IInsurancePool, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /* CONSTANTS */

    uint256 internal constant BPS = 10_000;
    uint256 internal constant MTOK = 1e6;
    uint256 internal constant MASK_16 = 0xffff;
    uint256 internal constant MASK_32 = 0xffffffff;
    uint256 internal constant MASK_48 = 0xffffffffffff;
    uint256 internal constant MASK_64 = 0xffffffffffffffff;
    uint256 internal constant MASK_80 = 0xffffffffffffffffffff;
    uint256 internal constant MASK_128 = 0xffffffffffffffffffffffffffffffff;
    /// @dev Bit offsets of the `Cover` fields in its slot (`strikeTokens` at 0), and of `Book.claims`.
    uint256 internal constant LIMIT_TOKENS_SHIFT = 32;
    uint256 internal constant COINSURANCE_SHIFT = 64;
    uint256 internal constant RATE_SHIFT = 80;
    uint256 internal constant REQUESTS_LEFT_SHIFT = 128;
    uint256 internal constant LIMIT_LEFT_SHIFT = 160;
    uint256 internal constant CLAIMS_UNTIL_SHIFT = 224;
    uint256 internal constant BOOK_CLAIMS_SHIFT = 176;
    /// @dev Shares have this many more decimals than the asset; `VIRTUAL_SHARES` = 10^offset.
    uint8 internal constant DECIMALS_OFFSET = 6;
    uint256 internal constant VIRTUAL_SHARES = 10 ** DECIMALS_OFFSET;
    /// @inheritdoc IInsurancePool
    uint256 public constant MAX_POLICY_PERIOD = 30 days;
    /// @inheritdoc IInsurancePool
    uint256 public constant MIN_OBSERVATIONS = 1000;
    /// @inheritdoc IInsurancePool
    uint256 public constant MAX_COINSURANCE_BPS = 9000;
    /// @inheritdoc IInsurancePool
    uint256 public constant MAX_LIMIT_MULTIPLE_BPS = 40_000;
    /// @dev Bounds of the pricing parameters: loading <= 500%, capital charge <= 100% a year, leverage <= 10x.
    uint256 internal constant MAX_LOADING_BPS = 50_000;
    uint256 internal constant MAX_CAPITAL_CHARGE_BPS = 10_000;
    uint256 internal constant MAX_LEVERAGE_BPS = 100_000;
    string internal constant NAME = "CogFi Compute Insurance";
    string internal constant SYMBOL = "cogINS";

    /* IMMUTABLES */

    /// @inheritdoc IInsurancePool
    address public immutable ledger;
    /// @inheritdoc IInsurancePool
    address public immutable modelRegistry;
    /// @inheritdoc IInsurancePool
    uint256 public immutable WITHDRAW_COOLDOWN;
    /// @inheritdoc IInsurancePool
    uint256 public immutable loadingBps;
    /// @inheritdoc IInsurancePool
    uint256 public immutable capitalChargeBps;
    /// @inheritdoc IInsurancePool
    uint256 public immutable maxLeverageBps;
    /// @inheritdoc IInsurancePool
    uint256 public immutable maxModelExposureBps;
    IERC20 internal immutable _asset;
    uint8 internal immutable _decimals;
    /// @dev The ledger's settlement grace: the last claims of a policy settle before `end + grace`.
    uint256 internal immutable _grace;

    /* STORAGE */

    /// @dev Total assets and total shares, in one slot (a deposit reads and writes it once).
    struct Vault {
        uint128 assets;
        uint128 supply;
    }

    /// @dev Outstanding limits and the premium and claim totals, in one slot.
    struct Book {
        uint96 exposure;
        uint80 premiums;
        uint80 claims;
    }

    Vault internal _vault;
    Book internal _book;
    /// @inheritdoc IInsurancePool
    uint256 public policyCount;
    mapping(address owner => uint256) internal _balances;
    mapping(address owner => mapping(address spender => uint256)) internal _allowances;
    mapping(address owner => WithdrawRequest) internal _requests;
    mapping(uint256 policyId => Policy) internal _policies;
    /// @dev The cover of a policy that has no session yet; moved to `_covers` when its first session opens.
    mapping(uint256 policyId => Cover) internal _pendingCovers;
    mapping(uint256 sessionId => Cover) internal _covers;
    mapping(uint256 modelId => uint256) internal _modelExposure;
    mapping(address buyer => mapping(uint256 modelId => Experience)) internal _experience;

    /* CONSTRUCTOR */

    /// @param ledger_ The InferenceLedger (its stablecoin is the vault's asset; its registry prices the models).
    /// @param loadingBps_ Premium loading over expected claims.
    /// @param capitalChargeBps_ Capital charge per year on aggregate limits.
    /// @param maxLeverageBps_ Outstanding limits may reach capital x this.
    /// @param maxModelExposureBps_ One model's outstanding limits may reach capital x this.
    constructor(
        address ledger_,
        uint256 loadingBps_,
        uint256 capitalChargeBps_,
        uint256 maxLeverageBps_,
        uint256 maxModelExposureBps_
    ) {
        if (ledger_ == address(0)) revert ZeroAddress();
        if (
            loadingBps_ > MAX_LOADING_BPS || capitalChargeBps_ > MAX_CAPITAL_CHARGE_BPS || maxLeverageBps_ == 0
                || maxLeverageBps_ > MAX_LEVERAGE_BPS || maxModelExposureBps_ == 0
                || maxModelExposureBps_ > maxLeverageBps_
        ) revert InvalidParameter();
        ledger = ledger_;
        modelRegistry = IInferenceLedger(ledger_).modelRegistry();
        _asset = IERC20(IInferenceLedger(ledger_).stablecoin());
        _decimals = IERC20Metadata(address(_asset)).decimals() + DECIMALS_OFFSET;
        _grace = IInferenceLedger(ledger_).SETTLEMENT_GRACE();
        WITHDRAW_COOLDOWN = MAX_POLICY_PERIOD + _grace;
        loadingBps = loadingBps_;
        capitalChargeBps = capitalChargeBps_;
        maxLeverageBps = maxLeverageBps_;
        maxModelExposureBps = maxModelExposureBps_;
        // The ledger pulls the covered total of each batch.
        _asset.forceApprove(ledger_, type(uint256).max);
    }

    /* ERC-20 */

    /// @inheritdoc IERC20Metadata
    function name() external pure returns (string memory) {
        return NAME;
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external pure returns (string memory) {
        return SYMBOL;
    }

    /// @inheritdoc IERC20Metadata
    function decimals() external view returns (uint8) {
        return _decimals;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _vault.supply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address owner) external view returns (uint256) {
        return _balances[owner];
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        _spendAllowance(from, msg.sender, value);
        _transfer(from, to, value);
        return true;
    }

    /* ERC-4626 VIEWS */

    /// @inheritdoc IERC4626
    function asset() external view returns (address) {
        return address(_asset);
    }

    /// @inheritdoc IERC4626
    function totalAssets() external view returns (uint256) {
        return _vault.assets;
    }

    /// @inheritdoc IERC4626
    function convertToShares(uint256 assets) external view returns (uint256) {
        return _toSharesDown(assets, _vault);
    }

    /// @inheritdoc IERC4626
    function convertToAssets(uint256 shares) external view returns (uint256) {
        return _toAssetsDown(shares, _vault);
    }

    /// @inheritdoc IERC4626
    /// @dev The most that keeps both 128-bit totals in range.
    function maxDeposit(address) public view returns (uint256) {
        Vault memory vault = _vault;
        uint256 assetRoom = type(uint128).max - uint256(vault.assets);
        uint256 shareRoom = type(uint128).max - uint256(vault.supply);
        // floor(a * (S + v) / (A + 1)) <= shareRoom for a = floor(shareRoom * (A + 1) / (S + v)).
        uint256 bySupply = FullMath.mulDiv(shareRoom, uint256(vault.assets) + 1, uint256(vault.supply) + VIRTUAL_SHARES);
        return assetRoom < bySupply ? assetRoom : bySupply;
    }

    /// @inheritdoc IERC4626
    function maxMint(address) public view returns (uint256) {
        Vault memory vault = _vault;
        uint256 assetRoom = type(uint128).max - uint256(vault.assets);
        uint256 shareRoom = type(uint128).max - uint256(vault.supply);
        // ceil(s * (A + 1) / (S + v)) <= assetRoom for s = floor(assetRoom * (S + v) / (A + 1)).
        uint256 byAssets = FullMath.mulDiv(assetRoom, uint256(vault.supply) + VIRTUAL_SHARES, uint256(vault.assets) + 1);
        return shareRoom < byAssets ? shareRoom : byAssets;
    }

    /// @inheritdoc IERC4626
    /// @dev Only matured queued shares, up to the assets above the required capital.
    function maxWithdraw(address owner) public view returns (uint256) {
        Vault memory vault = _vault;
        uint256 queued = _maturedShares(owner);
        if (queued == 0) return 0;
        uint256 assets = _toAssetsDown(queued, vault);
        uint256 free = _freeAssets(vault);
        return assets < free ? assets : free;
    }

    /// @inheritdoc IERC4626
    /// @dev Only matured queued shares, up to the shares of the assets above the required capital.
    function maxRedeem(address owner) public view returns (uint256) {
        Vault memory vault = _vault;
        uint256 queued = _maturedShares(owner);
        if (queued == 0) return 0;
        uint256 freeShares = _toSharesDown(_freeAssets(vault), vault);
        return queued < freeShares ? queued : freeShares;
    }

    /// @inheritdoc IERC4626
    function previewDeposit(uint256 assets) external view returns (uint256) {
        return _toSharesDown(assets, _vault);
    }

    /// @inheritdoc IERC4626
    function previewMint(uint256 shares) external view returns (uint256) {
        return _toAssetsUp(shares, _vault);
    }

    /// @inheritdoc IERC4626
    function previewWithdraw(uint256 assets) external view returns (uint256) {
        return _toSharesUp(assets, _vault);
    }

    /// @inheritdoc IERC4626
    function previewRedeem(uint256 shares) external view returns (uint256) {
        return _toAssetsDown(shares, _vault);
    }

    /* ERC-4626 ACTIONS */

    /// @inheritdoc IERC4626
    /// @dev No reentrancy lock: the assets are pulled before anything is written (as OpenZeppelin's ERC4626 does) and
    /// the vault is re-read to mint, so a token hook sees the vault as before the deposit and a nested deposit counts.
    function deposit(uint256 assets, address receiver) external returns (uint256 shares) {
        shares = _toSharesDown(assets, _vault);
        _asset.safeTransferFrom(msg.sender, address(this), assets);
        _mint(receiver, assets, shares);
    }

    /// @inheritdoc IERC4626
    function mint(uint256 shares, address receiver) external returns (uint256 assets) {
        assets = _toAssetsUp(shares, _vault);
        _asset.safeTransferFrom(msg.sender, address(this), assets);
        _mint(receiver, assets, shares);
    }

    /// @inheritdoc IERC4626
    function withdraw(uint256 assets, address receiver, address owner) external nonReentrant returns (uint256 shares) {
        uint256 max = maxWithdraw(owner);
        if (assets > max) revert ERC4626ExceededMaxWithdraw(owner, assets, max);
        shares = _toSharesUp(assets, _vault);
        _exit(owner, receiver, assets, shares);
    }

    /// @inheritdoc IERC4626
    function redeem(uint256 shares, address receiver, address owner) external nonReentrant returns (uint256 assets) {
        uint256 max = maxRedeem(owner);
        if (shares > max) revert ERC4626ExceededMaxRedeem(owner, shares, max);
        assets = _toAssetsDown(shares, _vault);
        _exit(owner, receiver, assets, shares);
    }

    /* WITHDRAWAL QUEUE */

    /// @inheritdoc IInsurancePool
    function requestWithdraw(uint256 shares) external nonReentrant returns (uint256 unlockAt) {
        if (shares == 0) revert ZeroAmount();
        WithdrawRequest memory request = _requests[msg.sender];
        uint256 total = uint256(request.shares) + shares;
        unlockAt = block.timestamp + WITHDRAW_COOLDOWN;
        _transfer(msg.sender, address(this), shares);
        // Shares are at most 2^128 - 1 in total, so `total` fits.
        _requests[msg.sender] = WithdrawRequest(uint128(total), uint40(unlockAt));
        emit WithdrawRequested(msg.sender, shares, total, unlockAt);
    }

    /// @inheritdoc IInsurancePool
    function cancelWithdraw() external nonReentrant returns (uint256 shares) {
        shares = _requests[msg.sender].shares;
        if (shares == 0) revert NoWithdrawRequest(msg.sender);
        delete _requests[msg.sender];
        _transfer(address(this), msg.sender, shares);
        emit WithdrawCancelled(msg.sender, shares);
    }

    /// @inheritdoc IInsurancePool
    function completeWithdraw(address receiver) external nonReentrant returns (uint256 shares, uint256 assets) {
        if (_requests[msg.sender].shares == 0) revert NoWithdrawRequest(msg.sender);
        shares = maxRedeem(msg.sender);
        assets = _toAssetsDown(shares, _vault);
        // Free capital worth less than one unit to these shares: burning them would pay nothing.
        if (assets == 0) revert ERC4626ExceededMaxRedeem(msg.sender, 1, 0);
        _exit(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc IInsurancePool
    function completeWithdrawFor(address owner) external nonReentrant returns (uint256 shares, uint256 assets) {
        WithdrawRequest memory request = _requests[owner];
        if (request.shares == 0) revert NoWithdrawRequest(owner);
        if (block.timestamp < request.unlockAt) revert WithdrawNotMatured(owner, request.unlockAt);
        shares = maxRedeem(owner);
        assets = _toAssetsDown(shares, _vault);
        // As in `completeWithdraw`: never burn the owner's shares for nothing (a caller could repeat it at will).
        if (assets == 0) revert ERC4626ExceededMaxRedeem(owner, 1, 0);
        // The receiver is the owner: the caller takes nothing, so no allowance is spent.
        _burnQueued(owner, owner, assets, shares);
        emit WithdrawCompletedFor(owner, msg.sender, shares, assets);
    }

    /* POLICIES */

    /// @inheritdoc IInsurancePool
    function quotePremium(address buyer, PolicyTerms calldata terms)
        external
        view
        returns (uint256 premium, uint256 expectedClaims)
    {
        (premium, expectedClaims,,) = _quote(buyer, terms);
    }

    /// @inheritdoc IInsurancePool
    function fixedPriceStrike(uint256 modelId) external view returns (uint256 strikeTokens) {
        UsageStats memory stats = InferenceLedgerLib.usageStats(IInferenceLedger(ledger), modelId);
        if (stats.requests < MIN_OBSERVATIONS) {
            revert InsufficientHistory(modelId, stats.requests, MIN_OBSERVATIONS);
        }
        uint256 generated = uint256(stats.outputTokens) + stats.reasoningTokens;
        strikeTokens = (generated + stats.requests - 1) / stats.requests;
    }

    /// @inheritdoc IInsurancePool
    function buyPolicy(PolicyTerms calldata terms, uint256 maxPremium)
        external
        nonReentrant
        returns (uint256 policyId, uint256 premium)
    {
        uint256 expected;
        uint256 ratePerMTok;
        Experience memory experience;
        (premium, expected, ratePerMTok, experience) = _quote(msg.sender, terms);
        if (premium > maxPremium) revert PremiumAboveMax(premium, maxPremium);
        uint256 limit = terms.aggregateLimit;
        {
            // Credit: a limit up to the premium (the pool cannot lose on the policy), up to 4x for a buyer whose past
            // policies on the model claimed no more than they were priced to (a loss ratio over 1 keeps 1x).
            bool proven = experience.expectedClaims != 0 && experience.claims <= experience.expectedClaims;
            uint256 maxLimit = proven ? premium * MAX_LIMIT_MULTIPLE_BPS / BPS : premium;
            if (limit > maxLimit) revert LimitAboveCredit(limit, maxLimit);
        }

        _reserve(terms.modelId, limit, premium);

        policyId = ++policyCount;
        uint256 end = block.timestamp + terms.period;
        _policies[policyId] = Policy({
            holder: msg.sender,
            modelId: uint48(terms.modelId),
            end: uint40(end),
            sessionId: 0,
            aggregateLimit: uint80(limit),
            expectedClaims: uint80(expected),
            released: false
        });
        _pendingCovers[policyId] = Cover({
            strikeTokens: uint32(terms.strikeTokens),
            limitTokens: uint32(terms.limitTokens),
            coinsuranceBps: uint16(terms.coinsuranceBps),
            ratePerMTok: uint48(ratePerMTok),
            requestsLeft: uint32(terms.requests),
            limitLeft: uint64(limit),
            claimsUntil: uint32(end + _grace)
        });
        experience.lastPolicyId = uint48(policyId);
        _experience[msg.sender][terms.modelId] = experience;

        emit PolicyBought(policyId, msg.sender, terms.modelId, end, premium, limit, expected);
        if (premium != 0) _asset.safeTransferFrom(msg.sender, address(this), premium);
    }

    /// @inheritdoc IInsurancePool
    function releasePolicy(uint256 policyId) external nonReentrant returns (uint256 unusedLimit) {
        Policy storage policy = _policies[policyId];
        Cover memory cover = _liveCover(policyId, policy.sessionId);
        if (policy.holder == address(0) || policy.released || block.timestamp < cover.claimsUntil) {
            revert PolicyNotReleasable(policyId);
        }
        unusedLimit = cover.limitLeft;
        policy.released = true;
        _book.exposure -= uint96(unusedLimit);
        _modelExposure[policy.modelId] -= policy.aggregateLimit;
        emit PolicyReleased(policyId, unusedLimit);
    }

    /* COVERAGE (LEDGER ONLY) */

    /// @inheritdoc ISettlementCoverage
    /// @dev The policy covers one session at a time: a new session takes over its cover once the previous one can
    /// no longer be settled (from its `expiry + SETTLEMENT_GRACE`), so two sessions never draw on one limit at once.
    function onSessionOpened(SessionId sessionId, address buyer, ModelId modelId, PolicyId policyId)
        external
        nonReentrant
    {
        if (msg.sender != ledger) revert NotLedger();
        uint256 id = PolicyId.unwrap(policyId);
        Policy storage policy = _policies[id];
        if (policy.holder != buyer) revert NotPolicyHolder(id, buyer);
        if (policy.modelId != ModelId.unwrap(modelId)) revert PolicyModelMismatch(id, ModelId.unwrap(modelId));
        if (block.timestamp >= policy.end) revert PolicyNotInPeriod(id);
        uint256 previous = policy.sessionId;
        Cover memory cover;
        if (previous == 0) {
            cover = _pendingCovers[id];
            delete _pendingCovers[id];
        } else {
            Session memory session = InferenceLedgerLib.getSession(IInferenceLedger(ledger), previous);
            if (block.timestamp < uint256(session.expiry) + _grace) revert PolicySessionActive(id, previous);
            cover = _covers[previous];
            delete _covers[previous];
        }
        uint256 sid = SessionId.unwrap(sessionId);
        _covers[sid] = cover;
        policy.sessionId = uint64(sid);
        emit PolicyAttached(id, sid);
    }

    /// @inheritdoc ISettlementCoverage
    /// @dev Per receipt: generated tokens (output + reasoning) above the strike, at most the per-request limit, for
    /// the policy's first `requests` requests; paid at the lower of the policy's rate and the charged output and
    /// reasoning prices, times the co-insurance share, rounded down once per group; capped by the aggregate limit
    /// left and by the vault's assets. One read and one write of the session's cover; the vault and book slots are
    /// warm after a batch's first claim. No lock: only the ledger calls it and it calls nothing, and every pool
    /// function that calls out does so after its writes.
    function coverGroup(ModelId, SessionId sessionId, uint256 pricing, uint256[] calldata receipts, uint256)
        external
        returns (uint256 covered)
    {
        if (msg.sender != ledger) revert NotLedger();
        Cover storage coverSlot = _covers[SessionId.unwrap(sessionId)];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(coverSlot.slot)
        }
        uint256 requestsLeft = (word >> REQUESTS_LEFT_SHIFT) & MASK_32;
        if (requestsLeft == 0 || block.timestamp >= word >> CLAIMS_UNTIL_SHIFT) return 0;
        uint256 n = receipts.length < requestsLeft ? receipts.length : requestsLeft;
        uint256 rate = (word >> RATE_SHIFT) & MASK_48;
        {
            uint256 outputRate = (pricing >> 80) & MASK_80;
            uint256 reasoningRate = pricing & MASK_80;
            if (outputRate < rate) rate = outputRate;
            if (reasoningRate < rate) rate = reasoningRate;
        }
        uint256 limitLeft = (word >> LIMIT_LEFT_SHIFT) & MASK_64;
        unchecked {
            // excessSum < 2^32 * 2^16 receipts, rate < 2^48, co-insurance < 2^14: no overflow.
            covered = _excessSum(receipts, n, word & MASK_32, (word >> LIMIT_TOKENS_SHIFT) & MASK_32) * rate
                * ((word >> COINSURANCE_SHIFT) & MASK_16) / (MTOK * BPS);
            if (covered > limitLeft) covered = limitLeft;
            if (covered != 0) covered = _payClaim(covered);
            word = word & ~(MASK_32 << REQUESTS_LEFT_SHIFT | MASK_64 << LIMIT_LEFT_SHIFT) | (requestsLeft - n)
                << REQUESTS_LEFT_SHIFT | (limitLeft - covered) << LIMIT_LEFT_SHIFT;
        }
        assembly ("memory-safe") {
            sstore(coverSlot.slot, word)
        }
    }

    /* VIEWS */

    /// @inheritdoc IInsurancePool
    function exposure() external view returns (uint256) {
        return _book.exposure;
    }

    /// @inheritdoc IInsurancePool
    function modelExposure(uint256 modelId) external view returns (uint256) {
        return _modelExposure[modelId];
    }

    /// @inheritdoc IInsurancePool
    function requiredCapital() public view returns (uint256) {
        return FullMath.mulDivUp(_book.exposure, BPS, maxLeverageBps);
    }

    /// @inheritdoc IInsurancePool
    function totals() external view returns (uint256 premiums, uint256 claims) {
        Book memory book = _book;
        return (book.premiums, book.claims);
    }

    /// @inheritdoc IInsurancePool
    function getPolicy(uint256 policyId) external view returns (Policy memory) {
        return _policies[policyId];
    }

    /// @inheritdoc IInsurancePool
    function policyCover(uint256 policyId) external view returns (Cover memory) {
        return _liveCover(policyId, _policies[policyId].sessionId);
    }

    /// @inheritdoc IInsurancePool
    function sessionCover(uint256 sessionId) external view returns (Cover memory) {
        return _covers[sessionId];
    }

    /// @inheritdoc IInsurancePool
    function experienceOf(address buyer, uint256 modelId) external view returns (Experience memory) {
        return _experience[buyer][modelId];
    }

    /// @inheritdoc IInsurancePool
    function withdrawRequestOf(address owner) external view returns (WithdrawRequest memory) {
        return _requests[owner];
    }

    /* INTERNAL */

    /// @dev The premium, expected claims and rate for `buyer` and `terms`, and the buyer's experience with its
    /// latest policy on the model folded in. Checks the terms and the history.
    function _quote(address buyer, PolicyTerms calldata terms)
        internal
        view
        returns (uint256 premium, uint256 expected, uint256 ratePerMTok, Experience memory experience)
    {
        if (terms.period == 0 || terms.period > MAX_POLICY_PERIOD) revert InvalidTerms(0);
        if (terms.strikeTokens > type(uint32).max) revert InvalidTerms(1);
        if (terms.limitTokens == 0 || terms.limitTokens > type(uint32).max) revert InvalidTerms(2);
        if (terms.coinsuranceBps == 0 || terms.coinsuranceBps > MAX_COINSURANCE_BPS) revert InvalidTerms(3);
        if (terms.requests == 0 || terms.requests > type(uint32).max) revert InvalidTerms(4);
        if (terms.aggregateLimit == 0 || terms.aggregateLimit > type(uint64).max) revert InvalidTerms(5);
        if (terms.modelId > type(uint48).max) revert InvalidTerms(0);
        {
            Pricing memory pricing = IModelRegistry(modelRegistry).pricingOf(terms.modelId);
            ratePerMTok =
                pricing.outputPerMTok < pricing.reasoningPerMTok ? pricing.outputPerMTok : pricing.reasoningPerMTok;
            if (ratePerMTok > type(uint48).max) revert InvalidTerms(6);
        }
        uint64[32] memory histogram = InferenceLedgerLib.usageHistogram(IInferenceLedger(ledger), terms.modelId);
        (uint256 excessSum, uint256 observations) =
            PremiumLib.excessTokens(histogram, terms.strikeTokens, terms.limitTokens);
        if (observations < MIN_OBSERVATIONS) revert InsufficientHistory(terms.modelId, observations, MIN_OBSERVATIONS);
        expected = PremiumLib.expectedClaims(excessSum, observations, terms.requests, ratePerMTok, terms.coinsuranceBps);
        if (expected > type(uint80).max) revert InvalidTerms(5);

        experience = _experience[buyer][terms.modelId];
        uint256 last = experience.lastPolicyId;
        if (last != 0) {
            Policy memory policy = _policies[last];
            Cover memory cover = _liveCover(last, policy.sessionId);
            // Fold the latest policy in only once it can pay no more claims, so its record is final.
            if (block.timestamp < cover.claimsUntil) revert PolicyActive(last);
            experience.claims += uint96(policy.aggregateLimit - cover.limitLeft);
            experience.expectedClaims += policy.expectedClaims;
        }
        premium = PremiumLib.premium(
            expected,
            PremiumLib.experienceBps(experience.claims, experience.expectedClaims),
            loadingBps,
            terms.aggregateLimit,
            capitalChargeBps,
            terms.period
        );
        if (premium > type(uint80).max) revert VaultOverflow();
    }

    /// @dev Adds `premium` to the vault and `limit` to the exposure, refusing beyond capital x leverage and the
    /// model's cap (capital counted with the premium).
    function _reserve(uint256 modelId, uint256 limit, uint256 premium) internal {
        Vault memory vault = _vault;
        Book memory book = _book;
        uint256 capital = uint256(vault.assets) + premium;
        uint256 newExposure = uint256(book.exposure) + limit;
        uint256 capacity = capital * maxLeverageBps / BPS;
        if (newExposure > capacity) revert InsufficientCapacity(newExposure, capacity);
        uint256 newModelExposure = _modelExposure[modelId] + limit;
        uint256 modelCap = capital * maxModelExposureBps / BPS;
        if (newModelExposure > modelCap) revert ModelExposureCap(modelId, newModelExposure, modelCap);
        if (
            capital > type(uint128).max || newExposure > type(uint96).max
                || uint256(book.premiums) + premium > type(uint80).max
        ) revert VaultOverflow();
        _modelExposure[modelId] = newModelExposure;
        book.exposure = uint96(newExposure);
        book.premiums += uint80(premium);
        vault.assets = uint128(capital);
        _vault = vault;
        _book = book;
    }

    /// @dev Where a policy's cover lives: pending before its first session, then under its current session.
    function _liveCover(uint256 policyId, uint256 sessionId) internal view returns (Cover memory) {
        return sessionId == 0 ? _pendingCovers[policyId] : _covers[sessionId];
    }

    /// @dev Pays a claim of `amount` (capped by the vault's assets) out of the vault and the exposure. Returns what
    /// is paid. One read and one write of each slot. The model's exposure stays gross (limits sold, released with
    /// the policy): one slot fewer per claim, and its cap only errs on the pool's side.
    function _payClaim(uint256 amount) internal returns (uint256 paid) {
        Vault storage vaultSlot = _vault;
        Book storage bookSlot = _book;
        uint256 vault;
        uint256 book;
        assembly ("memory-safe") {
            vault := sload(vaultSlot.slot)
            book := sload(bookSlot.slot)
        }
        uint256 assets = vault & MASK_128;
        paid = amount < assets ? amount : assets;
        unchecked {
            // paid <= limit left of one policy <= exposure (and of its model); claims + paid <= premiums + deposits.
            vault -= paid;
            book = book - paid + (paid << BOOK_CLAIMS_SHIFT);
        }
        assembly ("memory-safe") {
            sstore(vaultSlot.slot, vault)
            sstore(bookSlot.slot, book)
        }
    }

    /// @dev Sum over the first `n` receipts of their generated tokens above `strike`, each at most `limit`: each
    /// receipt's generated tokens clamped to [strike, strike + limit], summed, less `n * strike` (the same sum, with
    /// one subtraction fewer per receipt). Four receipts per iteration, then the rest one by one: the loop's own
    /// jumps and counter cost about as much as a receipt. Generated tokens < 2^33 per receipt and n < 2^32: no
    /// overflow.
    function _excessSum(uint256[] calldata receipts, uint256 n, uint256 strike, uint256 limit)
        internal
        pure
        returns (uint256 sum)
    {
        assembly ("memory-safe") {
            let cap := add(strike, limit)
            let p := receipts.offset
            let end := add(p, shl(5, n))
            for { let end4 := sub(end, shl(5, and(n, 3))) } lt(p, end4) { p := add(p, 0x80) } {
                {
                    let word := calldataload(p)
                    let generated := add(and(shr(32, word), 0xffffffff), and(word, 0xffffffff))
                    if lt(generated, strike) { generated := strike }
                    if gt(generated, cap) { generated := cap }
                    sum := add(sum, generated)
                }
                {
                    let word := calldataload(add(p, 0x20))
                    let generated := add(and(shr(32, word), 0xffffffff), and(word, 0xffffffff))
                    if lt(generated, strike) { generated := strike }
                    if gt(generated, cap) { generated := cap }
                    sum := add(sum, generated)
                }
                {
                    let word := calldataload(add(p, 0x40))
                    let generated := add(and(shr(32, word), 0xffffffff), and(word, 0xffffffff))
                    if lt(generated, strike) { generated := strike }
                    if gt(generated, cap) { generated := cap }
                    sum := add(sum, generated)
                }
                {
                    let word := calldataload(add(p, 0x60))
                    let generated := add(and(shr(32, word), 0xffffffff), and(word, 0xffffffff))
                    if lt(generated, strike) { generated := strike }
                    if gt(generated, cap) { generated := cap }
                    sum := add(sum, generated)
                }
            }
            for {} lt(p, end) { p := add(p, 0x20) } {
                let word := calldataload(p)
                let generated := add(and(shr(32, word), 0xffffffff), and(word, 0xffffffff))
                if lt(generated, strike) { generated := strike }
                if gt(generated, cap) { generated := cap }
                sum := add(sum, generated)
            }
            sum := sub(sum, mul(n, strike))
        }
    }

    /// @dev Assets above the capital that running policies require.
    function _freeAssets(Vault memory vault) internal view returns (uint256) {
        uint256 required = requiredCapital();
        return vault.assets > required ? vault.assets - required : 0;
    }

    function _maturedShares(address owner) internal view returns (uint256) {
        WithdrawRequest memory request = _requests[owner];
        return block.timestamp >= request.unlockAt ? request.shares : 0;
    }

    /// @dev floor(assets * (S + v) / (A + 1)).
    function _toSharesDown(uint256 assets, Vault memory vault) internal pure returns (uint256) {
        return FullMath.mulDiv(assets, uint256(vault.supply) + VIRTUAL_SHARES, uint256(vault.assets) + 1);
    }

    /// @dev ceil(assets * (S + v) / (A + 1)).
    function _toSharesUp(uint256 assets, Vault memory vault) internal pure returns (uint256) {
        return FullMath.mulDivUp(assets, uint256(vault.supply) + VIRTUAL_SHARES, uint256(vault.assets) + 1);
    }

    /// @dev floor(shares * (A + 1) / (S + v)).
    function _toAssetsDown(uint256 shares, Vault memory vault) internal pure returns (uint256) {
        return FullMath.mulDiv(shares, uint256(vault.assets) + 1, uint256(vault.supply) + VIRTUAL_SHARES);
    }

    /// @dev ceil(shares * (A + 1) / (S + v)).
    function _toAssetsUp(uint256 shares, Vault memory vault) internal pure returns (uint256) {
        return FullMath.mulDivUp(shares, uint256(vault.assets) + 1, uint256(vault.supply) + VIRTUAL_SHARES);
    }

    /// @dev Adds `assets` and `shares` to the vault (reverting beyond 128 bits) and credits `receiver`. Re-reads the
    /// vault: the assets were pulled first, and a token hook may have re-entered a deposit meanwhile (its totals
    /// must not be overwritten; both minted at the price before either).
    function _mint(address receiver, uint256 assets, uint256 shares) internal {
        Vault memory vault = _vault;
        uint256 newAssets = uint256(vault.assets) + assets;
        uint256 newSupply = uint256(vault.supply) + shares;
        if ((newAssets | newSupply) > type(uint128).max) revert VaultOverflow();
        _vault = Vault(uint128(newAssets), uint128(newSupply));
        unchecked {
            // Balances sum to the supply, which fits 128 bits.
            _balances[receiver] += shares;
        }
        emit Transfer(address(0), receiver, shares);
        emit Deposit(msg.sender, receiver, assets, shares);
    }

    /// @dev Burns `shares` of `owner`'s queue (spending the caller's allowance when it is not the owner) and pays
    /// `assets` to `receiver`. The caller checked both against `maxWithdraw` / `maxRedeem`.
    function _exit(address owner, address receiver, uint256 assets, uint256 shares) internal {
        if (msg.sender != owner) _spendAllowance(owner, msg.sender, shares);
        _burnQueued(owner, receiver, assets, shares);
    }

    /// @dev Burns `shares` of `owner`'s queue and pays `assets` to `receiver`, without any allowance check (the
    /// callers did it, or pay the owner itself). Both were checked against `maxWithdraw` / `maxRedeem`.
    function _burnQueued(address owner, address receiver, uint256 assets, uint256 shares) internal {
        Vault memory vault = _vault;
        unchecked {
            // shares <= queued <= escrow balance <= supply; assets <= free assets <= vault assets.
            _requests[owner].shares -= uint128(shares);
            _balances[address(this)] -= shares;
            vault.supply -= uint128(shares);
            vault.assets -= uint128(assets);
        }
        _vault = vault;
        emit Transfer(address(this), address(0), shares);
        emit Withdraw(msg.sender, receiver, owner, assets, shares);
        _asset.safeTransfer(receiver, assets);
    }

    function _transfer(address from, address to, uint256 value) internal {
        uint256 balance = _balances[from];
        if (balance < value) revert InsufficientShares(from, value, balance);
        unchecked {
            _balances[from] = balance - value;
            _balances[to] += value;
        }
        emit Transfer(from, to, value);
    }

    function _spendAllowance(address owner, address spender, uint256 value) internal {
        uint256 allowed = _allowances[owner][spender];
        if (allowed == type(uint256).max) return;
        if (allowed < value) revert InsufficientAllowance(spender, value, allowed);
        unchecked {
            _allowances[owner][spender] = allowed - value;
        }
    }
}
