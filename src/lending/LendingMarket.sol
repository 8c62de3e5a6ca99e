// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {PackedRevenueAccount, PackedRevenueIndex, PackedRevenueLib} from "../libraries/PackedRevenueLib.sol";
import {ShareRevenueLib} from "../libraries/ShareRevenueLib.sol";
import {IModelShare} from "../registry/interfaces/IModelShare.sol";
import {IIrm} from "./interfaces/IIrm.sol";
import {IFlashLoanCallback, ILiquidateCallback} from "./interfaces/ILendingCallbacks.sol";
import {ILendingMarket, Market, MarketConfig, MarketId, MarketParams} from "./interfaces/ILendingMarket.sol";
import {IOracle} from "./interfaces/IOracle.sol";
import {MarketIdLib} from "./libraries/MarketIdLib.sol";
import {SharesLib} from "./libraries/SharesLib.sol";
import {WAD, WadMathLib} from "./libraries/WadMathLib.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @notice A user's position in one market, packed as Morpho Blue packs it: borrow shares and collateral share a
/// slot, so a borrow, a repayment and a health check touch one slot, and so does a collateral change.
struct Position {
    uint256 supplyShares;
    uint128 borrowShares;
    /// @dev Also the position's stake in its collateral share's `PackedRevenueIndex`.
    uint128 collateral;
}

/// @notice A market's totals as stored: Morpho Blue's `Market` (returned as such by `market(id)` and passed as such
/// to the IRM) with the timestamp and the fee in 64 bits each, which leaves room in the word every operation reads
/// for copies of the `MarketConfig` facts the hot paths need: a supply or a borrow reads its cap, and a revenue credit
/// its route, only when the flag says so.
struct MarketState {
    uint128 totalSupplyAssets;
    uint128 totalSupplyShares;
    uint128 totalBorrowAssets;
    uint128 totalBorrowShares;
    /// @dev Timestamp of the last interest accrual; zero for a market that does not exist.
    uint64 lastUpdate;
    /// @dev WAD, at most `MAX_FEE`.
    uint64 fee;
    /// @dev `config.supplyCap` is below the maximum.
    bool supplyCapped;
    /// @dev `config.borrowCap` is below the maximum.
    bool borrowCapped;
    /// @dev `config.selfRepaying`.
    bool selfRepaying;
    /// @dev Revenue (loan-token units) that repaid this market's debt since this market last claimed its collateral
    /// share: liquidity that may still wait at the share. A withdraw or a borrow claims the share before paying out
    /// while it is non-zero, and clears it.
    uint96 revenueReceivable;
}

/// @title LendingMarket
/// @notice Isolated lending markets on ModelShare collateral, in one contract, with self-repaying loans.
/// @dev Storage: positions are packed as Morpho Blue packs them (borrow shares and collateral in one slot); a
/// position's collateral is its stake in the collateral share's `PackedRevenueIndex` (one number, so the revenue
/// credit and the collateral cannot disagree), and its revenue record (checkpoint and owed) is one more slot. External functions
/// follow one order: checks, harvest and accrue, accounting, event, callback, transfers.
contract LendingMarket is ILendingMarket {
    using MarketIdLib for MarketParams;
    using SharesLib for uint256;
    using WadMathLib for uint256;
    using SafeERC20 for IERC20;
    using PackedRevenueLib for PackedRevenueIndex;
    using PackedRevenueLib for PackedRevenueAccount;

    /* CONSTANTS */

    /// @inheritdoc ILendingMarket
    uint256 public constant MAX_FEE = 0.25e18;
    /// @notice Scale of oracle prices.
    uint256 public constant ORACLE_PRICE_SCALE = 1e36;
    /// @notice Largest liquidation incentive factor, WAD (15% bonus).
    uint256 public constant MAX_LIQUIDATION_INCENTIVE_FACTOR = 1.15e18;
    /// @notice Cursor of the incentive formula `1 / (1 - cursor * (1 - lltv))`, WAD.
    uint256 public constant LIQUIDATION_CURSOR = 0.3e18;

    /* STORAGE */

    /// @inheritdoc ILendingMarket
    address public owner;
    /// @inheritdoc ILendingMarket
    address public feeRecipient;
    /// @inheritdoc ILendingMarket
    mapping(address irm => bool) public isIrmEnabled;
    /// @inheritdoc ILendingMarket
    mapping(uint256 lltv => bool) public isLltvEnabled;
    /// @inheritdoc ILendingMarket
    mapping(address authorizer => mapping(address authorized => bool)) public isAuthorized;
    mapping(MarketId id => MarketState) internal _markets;
    /// @inheritdoc ILendingMarket
    mapping(MarketId id => MarketConfig) public config;
    /// @inheritdoc ILendingMarket
    mapping(MarketId id => MarketParams) public idToMarketParams;
    mapping(MarketId id => mapping(address user => Position)) internal _positions;
    /// @dev Per position: the revenue credited to its collateral (the stake is `Position.collateral`).
    mapping(MarketId id => mapping(address user => PackedRevenueAccount)) internal _revenue;
    /// @dev Per collateral share, over every market that takes it: the share's revenue indexed by collateral, with
    /// the revenue-token units claimed from the share so far (`claimed`: `indexedTotal - claimed` waits at the share
    /// when positive; when negative, it was claimed before it was indexed and is offered to the index at the next
    /// indexing) and the last indexing time (`indexedAt`) in the index's second word.
    mapping(address share => PackedRevenueIndex) internal _revenueIndex;

    /* CONSTRUCTOR */

    /// @param owner_ Owner and first fee recipient.
    constructor(address owner_) {
        if (owner_ == address(0)) revert ZeroAddress();
        owner = owner_;
        feeRecipient = owner_;
        emit SetOwner(owner_);
        emit SetFeeRecipient(owner_);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /* OWNER */

    /// @inheritdoc ILendingMarket
    function setOwner(address newOwner) external onlyOwner {
        if (newOwner == owner) revert AlreadySet();
        owner = newOwner;
        emit SetOwner(newOwner);
    }

    /// @inheritdoc ILendingMarket
    function enableIrm(address irm) external onlyOwner {
        if (isIrmEnabled[irm]) revert AlreadySet();
        isIrmEnabled[irm] = true;
        emit EnableIrm(irm);
    }

    /// @inheritdoc ILendingMarket
    function enableLltv(uint256 lltv) external onlyOwner {
        if (isLltvEnabled[lltv]) revert AlreadySet();
        if (lltv >= WAD) revert InvalidLltv();
        isLltvEnabled[lltv] = true;
        emit EnableLltv(lltv);
    }

    /// @inheritdoc ILendingMarket
    function setFee(MarketParams memory marketParams, uint256 newFee) external onlyOwner {
        MarketId id = marketParams.id();
        MarketState storage m = _existing(id);
        if (newFee == m.fee) revert AlreadySet();
        if (newFee > MAX_FEE) revert FeeTooHigh();
        _accrueInterest(marketParams, id);
        m.fee = uint64(newFee);
        emit SetFee(id, newFee);
    }

    /// @inheritdoc ILendingMarket
    function setFeeRecipient(address newFeeRecipient) external onlyOwner {
        if (newFeeRecipient == feeRecipient) revert AlreadySet();
        feeRecipient = newFeeRecipient;
        emit SetFeeRecipient(newFeeRecipient);
    }

    /// @inheritdoc ILendingMarket
    function setCaps(MarketParams memory marketParams, uint128 supplyCap, uint120 borrowCap) external onlyOwner {
        MarketId id = marketParams.id();
        _existing(id);
        MarketConfig storage c = config[id];
        c.supplyCap = supplyCap;
        c.borrowCap = borrowCap;
        MarketState storage m = _markets[id];
        m.supplyCapped = supplyCap != type(uint128).max;
        m.borrowCapped = borrowCap != type(uint120).max;
        emit SetCaps(id, supplyCap, borrowCap);
    }

    /* MARKETS */

    /// @inheritdoc ILendingMarket
    function createMarket(MarketParams memory marketParams) external {
        MarketId id = marketParams.id();
        if (!isIrmEnabled[marketParams.irm]) revert IrmNotEnabled();
        if (!isLltvEnabled[marketParams.lltv]) revert LltvNotEnabled();
        if (_markets[id].lastUpdate != 0) revert MarketAlreadyCreated();
        if (marketParams.collateralToken.code.length == 0) revert NotAModelShare();
        address revenueToken;
        try IModelShare(marketParams.collateralToken).stablecoin() returns (address token) {
            revenueToken = token;
        } catch {
            revert NotAModelShare();
        }
        bool selfRepaying = revenueToken == marketParams.loanToken;

        MarketState storage m = _markets[id];
        m.lastUpdate = uint64(block.timestamp);
        m.selfRepaying = selfRepaying;
        config[id] =
            MarketConfig({supplyCap: type(uint128).max, borrowCap: type(uint120).max, selfRepaying: selfRepaying});
        idToMarketParams[id] = marketParams;
        emit CreateMarket(id, marketParams, selfRepaying);

        // Lets a stateful IRM start its state.
        if (marketParams.irm != address(0)) IIrm(marketParams.irm).borrowRate(marketParams, _toMarket(m));
    }

    /// @inheritdoc ILendingMarket
    function supply(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf)
        external
        returns (uint256, uint256)
    {
        MarketId id = marketParams.id();
        MarketState storage m = _existing(id);
        _checkExactlyOneZero(assets, shares);
        if (onBehalf == address(0)) revert ZeroAddress();

        _accrueInterest(marketParams, id);

        if (assets > 0) shares = assets.toSharesDown(m.totalSupplyAssets, m.totalSupplyShares);
        else assets = shares.toAssetsUp(m.totalSupplyAssets, m.totalSupplyShares);

        uint256 totalSupplyAssets = m.totalSupplyAssets + assets;
        if (m.supplyCapped && totalSupplyAssets > config[id].supplyCap) revert SupplyCapExceeded();
        _positions[id][onBehalf].supplyShares += _toUint128(shares);
        m.totalSupplyShares += uint128(shares);
        m.totalSupplyAssets = uint128(totalSupplyAssets);

        emit Supply(id, msg.sender, onBehalf, assets, shares);

        IERC20(marketParams.loanToken).safeTransferFrom(msg.sender, address(this), assets);
        return (assets, shares);
    }

    /// @inheritdoc ILendingMarket
    function withdraw(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256, uint256) {
        MarketId id = marketParams.id();
        MarketState storage m = _existing(id);
        _checkExactlyOneZero(assets, shares);
        if (receiver == address(0)) revert ZeroAddress();
        _checkAuthorized(onBehalf);

        _accrueInterest(marketParams, id);

        if (assets > 0) shares = assets.toSharesUp(m.totalSupplyAssets, m.totalSupplyShares);
        else assets = shares.toAssetsDown(m.totalSupplyAssets, m.totalSupplyShares);

        _positions[id][onBehalf].supplyShares -= _toUint128(shares);
        m.totalSupplyShares -= uint128(shares);
        m.totalSupplyAssets -= _toUint128(assets);
        if (m.totalBorrowAssets > m.totalSupplyAssets) revert InsufficientLiquidity();

        emit Withdraw(id, msg.sender, onBehalf, receiver, assets, shares);

        if (m.revenueReceivable != 0) _collectRevenue(m, marketParams.collateralToken);
        IERC20(marketParams.loanToken).safeTransfer(receiver, assets);
        return (assets, shares);
    }

    /// @inheritdoc ILendingMarket
    function borrow(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256, uint256) {
        MarketId id = marketParams.id();
        MarketState storage m = _existing(id);
        _checkExactlyOneZero(assets, shares);
        if (receiver == address(0)) revert ZeroAddress();
        _checkAuthorized(onBehalf);

        _accrueInterest(marketParams, id);

        if (assets > 0) shares = assets.toSharesUp(m.totalBorrowAssets, m.totalBorrowShares);
        else assets = shares.toAssetsDown(m.totalBorrowAssets, m.totalBorrowShares);

        _positions[id][onBehalf].borrowShares += _toUint128(shares);
        m.totalBorrowShares += uint128(shares);
        uint256 totalBorrowAssets = m.totalBorrowAssets + assets;
        m.totalBorrowAssets = _toUint128(totalBorrowAssets);

        if (m.borrowCapped && totalBorrowAssets > config[id].borrowCap) revert BorrowCapExceeded();
        if (totalBorrowAssets > m.totalSupplyAssets) revert InsufficientLiquidity();
        if (!_isHealthy(marketParams, id, onBehalf, _borrowPrice(marketParams))) revert InsufficientCollateral();

        emit Borrow(id, msg.sender, onBehalf, receiver, assets, shares);

        if (m.revenueReceivable != 0) _collectRevenue(m, marketParams.collateralToken);
        IERC20(marketParams.loanToken).safeTransfer(receiver, assets);
        return (assets, shares);
    }

    /// @inheritdoc ILendingMarket
    function repay(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf)
        external
        returns (uint256, uint256)
    {
        MarketId id = marketParams.id();
        MarketState storage m = _existing(id);
        _checkExactlyOneZero(assets, shares);
        if (onBehalf == address(0)) revert ZeroAddress();

        _accrueInterest(marketParams, id);

        if (assets > 0) shares = assets.toSharesDown(m.totalBorrowAssets, m.totalBorrowShares);
        else assets = shares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);

        _positions[id][onBehalf].borrowShares -= _toUint128(shares);
        m.totalBorrowShares -= uint128(shares);
        // The rounded-up assets of the last shares may exceed the total by one.
        m.totalBorrowAssets = uint128(uint256(m.totalBorrowAssets).zeroFloorSub(assets));

        emit Repay(id, msg.sender, onBehalf, assets, shares);

        IERC20(marketParams.loanToken).safeTransferFrom(msg.sender, address(this), assets);
        return (assets, shares);
    }

    /// @inheritdoc ILendingMarket
    function supplyCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf) external {
        MarketId id = marketParams.id();
        _existing(id);
        if (assets == 0) revert ZeroAmount();
        if (onBehalf == address(0)) revert ZeroAddress();

        PackedRevenueIndex storage revenueIndex = _indexRevenue(marketParams.collateralToken);
        Position storage p = _positions[id][onBehalf];
        uint256 oldCollateral = p.collateral;
        uint256 collateral = oldCollateral + assets;
        if (collateral > type(uint128).max) revert Overflow();
        revenueIndex.setStake(_revenue[id][onBehalf], oldCollateral, collateral);
        p.collateral = uint128(collateral);

        emit SupplyCollateral(id, msg.sender, onBehalf, assets);

        IERC20(marketParams.collateralToken).safeTransferFrom(msg.sender, address(this), assets);
    }

    /// @inheritdoc ILendingMarket
    function withdrawCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, address receiver)
        external
    {
        MarketId id = marketParams.id();
        _existing(id);
        if (assets == 0) revert ZeroAmount();
        if (receiver == address(0)) revert ZeroAddress();
        _checkAuthorized(onBehalf);

        PackedRevenueIndex storage revenueIndex = _indexRevenue(marketParams.collateralToken);
        _accrueInterest(marketParams, id);
        Position storage p = _positions[id][onBehalf];
        PackedRevenueAccount storage account = _revenue[id][onBehalf];
        _repayWithRevenue(revenueIndex, account, id, onBehalf);

        uint256 oldCollateral = p.collateral;
        uint256 collateral = oldCollateral - assets;
        revenueIndex.setStake(account, oldCollateral, collateral);
        p.collateral = uint128(collateral);
        if (p.borrowShares != 0 && !_isHealthy(marketParams, id, onBehalf, _borrowPrice(marketParams))) {
            revert InsufficientCollateral();
        }

        emit WithdrawCollateral(id, msg.sender, onBehalf, receiver, assets);

        IERC20(marketParams.collateralToken).safeTransfer(receiver, assets);
    }

    /// @inheritdoc ILendingMarket
    function liquidate(
        MarketParams memory marketParams,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        bytes calldata data
    ) external returns (uint256, uint256) {
        MarketId id = marketParams.id();
        _existing(id);
        _checkExactlyOneZero(seizedAssets, repaidShares);

        PackedRevenueIndex storage revenueIndex = _indexRevenue(marketParams.collateralToken);
        _accrueInterest(marketParams, id);
        _repayWithRevenue(revenueIndex, _revenue[id][borrower], id, borrower);

        (seizedAssets, repaidShares) = _liquidationAmounts(marketParams, id, borrower, seizedAssets, repaidShares);
        uint256 repaidAssets = _liquidateAccounting(revenueIndex, id, borrower, seizedAssets, repaidShares);

        IERC20(marketParams.collateralToken).safeTransfer(msg.sender, seizedAssets);
        if (data.length > 0) ILiquidateCallback(msg.sender).onLendingLiquidate(repaidAssets, data);
        IERC20(marketParams.loanToken).safeTransferFrom(msg.sender, address(this), repaidAssets);
        return (seizedAssets, repaidAssets);
    }

    /// @inheritdoc ILendingMarket
    function flashLoan(address token, uint256 assets, bytes calldata data) external {
        if (assets == 0) revert ZeroAmount();
        emit FlashLoan(msg.sender, token, assets);
        IERC20(token).safeTransfer(msg.sender, assets);
        IFlashLoanCallback(msg.sender).onLendingFlashLoan(assets, data);
        IERC20(token).safeTransferFrom(msg.sender, address(this), assets);
    }

    /// @inheritdoc ILendingMarket
    function setAuthorization(address authorized, bool newIsAuthorized) external {
        if (isAuthorized[msg.sender][authorized] == newIsAuthorized) revert AlreadySet();
        isAuthorized[msg.sender][authorized] = newIsAuthorized;
        emit SetAuthorization(msg.sender, authorized, newIsAuthorized);
    }

    /// @inheritdoc ILendingMarket
    function accrueInterest(MarketParams memory marketParams) external {
        MarketId id = marketParams.id();
        _existing(id);
        _accrueInterest(marketParams, id);
    }

    /// @inheritdoc ILendingMarket
    function settleRevenue(MarketParams memory marketParams, address borrower) external {
        MarketId id = marketParams.id();
        _existing(id);
        PackedRevenueIndex storage revenueIndex = _indexRevenue(marketParams.collateralToken);
        _accrueInterest(marketParams, id);
        _repayWithRevenue(revenueIndex, _revenue[id][borrower], id, borrower);
    }

    /// @inheritdoc ILendingMarket
    function claimCollateralRevenue(MarketParams memory marketParams, address onBehalf, address receiver)
        external
        returns (uint256 amount)
    {
        MarketId id = marketParams.id();
        _existing(id);
        if (receiver == address(0)) revert ZeroAddress();
        _checkAuthorized(onBehalf);

        PackedRevenueIndex storage revenueIndex = _indexRevenue(marketParams.collateralToken);
        _accrueInterest(marketParams, id);
        PackedRevenueAccount storage account = _revenue[id][onBehalf];
        _repayWithRevenue(revenueIndex, account, id, onBehalf);
        amount = revenueIndex.take(account, _positions[id][onBehalf].collateral);

        emit ClaimCollateralRevenue(id, msg.sender, onBehalf, receiver, amount);

        if (amount > 0) {
            _claimRevenue(marketParams.collateralToken);
            IERC20(IModelShare(marketParams.collateralToken).stablecoin()).safeTransfer(receiver, amount);
        }
    }

    /* VIEWS */

    /// @inheritdoc ILendingMarket
    function market(MarketId id)
        external
        view
        returns (
            uint128 totalSupplyAssets,
            uint128 totalSupplyShares,
            uint128 totalBorrowAssets,
            uint128 totalBorrowShares,
            uint128 lastUpdate,
            uint128 fee
        )
    {
        MarketState storage m = _markets[id];
        return (m.totalSupplyAssets, m.totalSupplyShares, m.totalBorrowAssets, m.totalBorrowShares, m.lastUpdate, m.fee);
    }

    /// @inheritdoc ILendingMarket
    function position(MarketId id, address user)
        external
        view
        returns (uint256 supplyShares, uint128 borrowShares, uint128 collateral)
    {
        Position memory p = _positions[id][user];
        return (p.supplyShares, p.borrowShares, p.collateral);
    }

    /// @inheritdoc ILendingMarket
    function collateralRevenue(MarketId id, address borrower) external view returns (uint256) {
        return _revenueIndex[idToMarketParams[id].collateralToken].owedOf(
            _revenue[id][borrower], _positions[id][borrower].collateral
        );
    }

    /// @inheritdoc ILendingMarket
    function revenueHarvested(address share) external view returns (uint256) {
        return _revenueIndex[share].indexedTotal;
    }

    /// @inheritdoc ILendingMarket
    function revenueReceivable(MarketId id) external view returns (uint256) {
        return _markets[id].revenueReceivable;
    }

    /* INTERNAL */

    /// @dev Morpho Blue's `Market` of a stored market, for the IRM.
    function _toMarket(MarketState storage m) internal view returns (Market memory) {
        return Market({
            totalSupplyAssets: m.totalSupplyAssets,
            totalSupplyShares: m.totalSupplyShares,
            totalBorrowAssets: m.totalBorrowAssets,
            totalBorrowShares: m.totalBorrowShares,
            lastUpdate: m.lastUpdate,
            fee: m.fee
        });
    }

    /// @dev The market `id`, reverting when it was never created.
    function _existing(MarketId id) internal view returns (MarketState storage m) {
        m = _markets[id];
        if (m.lastUpdate == 0) revert MarketNotCreated();
    }

    function _checkExactlyOneZero(uint256 x, uint256 y) internal pure {
        if ((x == 0) == (y == 0)) revert InconsistentInput();
    }

    function _checkAuthorized(address onBehalf) internal view {
        if (msg.sender != onBehalf && !isAuthorized[onBehalf][msg.sender]) revert Unauthorized();
    }

    function _toUint128(uint256 x) internal pure returns (uint128) {
        if (x > type(uint128).max) revert Overflow();
        return uint128(x);
    }

    /// @dev The oracle's price for calls that add risk; zero is refused.
    function _borrowPrice(MarketParams memory marketParams) internal view returns (uint256 collateralPrice) {
        collateralPrice = IOracle(marketParams.oracle).borrowPrice();
        if (collateralPrice == 0) revert ZeroPrice();
    }

    /// @dev Indexes the revenue the share has accrued to the market since the last indexing (at most once a second:
    /// nothing more is released within one) over the collateral posted in every market that takes the share. Reads
    /// the share's `claimable` rather than claiming: the tokens move only when the market pays them out
    /// (`_claimRevenue`), which saves the share's stream update and a token transfer on every collateral change and
    /// liquidation. What is new is what the market can claim plus what it claimed, less what it indexed; with no
    /// collateral posted it stays unindexed (offered again next time). Returns the share's index.
    function _indexRevenue(address share) internal returns (PackedRevenueIndex storage revenueIndex) {
        revenueIndex = _revenueIndex[share];
        // The index's second word also holds its last indexing time (uint32: until 2106, as the share's own stream)
        // and what the market claimed from the share.
        if (revenueIndex.indexedAt == block.timestamp) return revenueIndex;
        uint256 amount =
            (ShareRevenueLib.claimableOf(share) + revenueIndex.claimed).zeroFloorSub(revenueIndex.indexedTotal);
        revenueIndex.indexedAt = uint32(block.timestamp);
        if (amount > 0 && revenueIndex.index(amount)) emit HarvestRevenue(share, amount);
    }

    /// @dev Claims from the share what was indexed and not yet claimed.
    function _claimRevenue(address share) internal {
        PackedRevenueIndex storage revenueIndex = _revenueIndex[share];
        uint256 claimed = revenueIndex.claimed;
        if (revenueIndex.indexedTotal <= claimed) return;
        // Whatever the share pays beyond the indexed part is offered to the index at the next indexing. Everything
        // the market ever claims from a share is at most what the share ever received: below 2^96.
        revenueIndex.claimed = uint96(claimed + ShareRevenueLib.claimAll(share));
    }

    /// @dev Brings in the revenue that repaid market `m`'s debt (claims `share`, which pays everything it holds for
    /// this contract), before the market pays out loan tokens.
    function _collectRevenue(MarketState storage m, address share) internal {
        m.revenueReceivable = 0;
        _claimRevenue(share);
    }

    /// @dev Credits `borrower`'s revenue and, in a self-repaying market, repays its debt with it (debt rounded up,
    /// a partial repayment burns shares rounded down), leaving the tokens at the share (`revenueReceivable`).
    /// Interest must be accrued first.
    function _repayWithRevenue(
        PackedRevenueIndex storage revenueIndex,
        PackedRevenueAccount storage account,
        MarketId id,
        address borrower
    ) internal {
        Position storage p = _positions[id][borrower];
        uint256 owed = revenueIndex.credit(account, p.collateral);
        if (owed == 0) return;
        uint256 shares = p.borrowShares;
        MarketState storage m = _markets[id];
        if (shares == 0 || !m.selfRepaying) return;

        uint256 assets = shares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        if (owed < assets) {
            assets = owed;
            shares = owed.toSharesDown(m.totalBorrowAssets, m.totalBorrowShares);
            if (shares == 0) return;
        }
        p.borrowShares -= uint128(shares);
        m.totalBorrowShares -= uint128(shares);
        m.totalBorrowAssets = uint128(uint256(m.totalBorrowAssets).zeroFloorSub(assets));
        account.setOwed(owed - assets);
        // The repaid assets become the market's liquidity, still at the share: claimed when cash is needed.
        m.revenueReceivable += uint96(assets);

        emit RepayWithRevenue(id, borrower, assets, shares);
    }

    /// @dev Accrues interest since the last update: compounded with the Taylor expansion, the fee minted to the fee
    /// recipient as supply shares priced as if the fee were not yet part of the supply.
    function _accrueInterest(MarketParams memory marketParams, MarketId id) internal {
        MarketState storage m = _markets[id];
        uint256 elapsed = block.timestamp - m.lastUpdate;
        if (elapsed == 0) return;

        if (marketParams.irm != address(0)) {
            uint256 borrowRate = IIrm(marketParams.irm).borrowRate(marketParams, _toMarket(m));
            uint256 interest = uint256(m.totalBorrowAssets).wMulDown(borrowRate.wTaylorCompounded(elapsed));
            m.totalBorrowAssets = _toUint128(m.totalBorrowAssets + interest);
            m.totalSupplyAssets = _toUint128(m.totalSupplyAssets + interest);

            uint256 feeShares;
            uint256 fee = m.fee;
            if (fee != 0) {
                uint256 feeAmount = interest.wMulDown(fee);
                feeShares = feeAmount.toSharesDown(m.totalSupplyAssets - feeAmount, m.totalSupplyShares);
                _positions[id][feeRecipient].supplyShares += _toUint128(feeShares);
                m.totalSupplyShares += uint128(feeShares);
            }
            emit AccrueInterest(id, borrowRate, interest, feeShares);
        }
        m.lastUpdate = uint64(block.timestamp);
    }

    /// @dev Checks that `borrower` is liquidatable at `oracle.price()` and completes the (seized collateral, repaid
    /// shares) pair: repaid shares rounded up from seized collateral, or seized collateral rounded down from shares.
    function _liquidationAmounts(
        MarketParams memory marketParams,
        MarketId id,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares
    ) internal view returns (uint256, uint256) {
        uint256 collateralPrice = IOracle(marketParams.oracle).price();
        if (collateralPrice == 0) revert ZeroPrice();
        if (_isHealthy(marketParams, id, borrower, collateralPrice)) revert HealthyPosition();

        uint256 incentiveFactor = WadMathLib.min(
            MAX_LIQUIDATION_INCENTIVE_FACTOR, WAD.wDivDown(WAD - LIQUIDATION_CURSOR.wMulDown(WAD - marketParams.lltv))
        );
        MarketState storage m = _markets[id];
        if (seizedAssets > 0) {
            repaidShares = seizedAssets.mulDivUp(collateralPrice, ORACLE_PRICE_SCALE).wDivUp(incentiveFactor)
                .toSharesUp(m.totalBorrowAssets, m.totalBorrowShares);
        } else {
            seizedAssets = repaidShares.toAssetsDown(m.totalBorrowAssets, m.totalBorrowShares).wMulDown(incentiveFactor)
                .mulDivDown(ORACLE_PRICE_SCALE, collateralPrice);
        }
        return (seizedAssets, repaidShares);
    }

    /// @dev A liquidation's accounting: burns the repaid shares, takes the seized collateral (crediting its revenue
    /// first) and realizes bad debt when none is left; emits `Liquidate`. Returns the repaid assets (rounded up).
    function _liquidateAccounting(
        PackedRevenueIndex storage revenueIndex,
        MarketId id,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares
    ) internal returns (uint256 repaidAssets) {
        MarketState storage m = _markets[id];
        repaidAssets = repaidShares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        Position storage p = _positions[id][borrower];
        p.borrowShares -= _toUint128(repaidShares);
        m.totalBorrowShares -= uint128(repaidShares);
        m.totalBorrowAssets = uint128(uint256(m.totalBorrowAssets).zeroFloorSub(repaidAssets));

        uint256 oldCollateral = p.collateral;
        uint256 collateral = oldCollateral - seizedAssets;
        revenueIndex.setStake(_revenue[id][borrower], oldCollateral, collateral);
        p.collateral = uint128(collateral);
        (uint256 badDebtAssets, uint256 badDebtShares) = collateral == 0 ? _realizeBadDebt(m, p) : (0, 0);

        emit Liquidate(id, msg.sender, borrower, repaidAssets, repaidShares, seizedAssets, badDebtAssets, badDebtShares);
    }

    /// @dev Takes the rest of a collateral-less position's debt (rounded up, capped by the total) from the
    /// suppliers and burns its borrow shares.
    function _realizeBadDebt(MarketState storage m, Position storage p)
        internal
        returns (uint256 badDebtAssets, uint256 badDebtShares)
    {
        badDebtShares = p.borrowShares;
        if (badDebtShares == 0) return (0, 0);
        badDebtAssets =
            WadMathLib.min(m.totalBorrowAssets, badDebtShares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares));
        m.totalBorrowAssets -= uint128(badDebtAssets);
        m.totalSupplyAssets -= uint128(badDebtAssets);
        m.totalBorrowShares -= uint128(badDebtShares);
        p.borrowShares = 0;
    }

    /// @dev Whether `borrower`'s debt (rounded up) is at most its collateral's value times the LLTV (rounded down).
    function _isHealthy(MarketParams memory marketParams, MarketId id, address borrower, uint256 collateralPrice)
        internal
        view
        returns (bool)
    {
        Position storage p = _positions[id][borrower];
        uint256 borrowShares = p.borrowShares;
        if (borrowShares == 0) return true;
        MarketState storage m = _markets[id];
        uint256 borrowed = borrowShares.toAssetsUp(m.totalBorrowAssets, m.totalBorrowShares);
        uint256 maxBorrow =
            uint256(p.collateral).mulDivDown(collateralPrice, ORACLE_PRICE_SCALE).wMulDown(marketParams.lltv);
        return maxBorrow >= borrowed;
    }
}
