// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {MarketId} from "../../types/Ids.sol";

/// @notice What defines an isolated market. Laid out as Morpho Blue's `MarketParams`.
struct MarketParams {
    /// @dev Token lent and borrowed.
    address loanToken;
    /// @dev ModelShare posted as collateral; its revenue is passed on to the borrowers who posted it.
    address collateralToken;
    /// @dev IOracle: collateral price in loan-token units, 1e36-scaled.
    address oracle;
    /// @dev IIrm, enabled by the owner.
    address irm;
    /// @dev Liquidation loan-to-value, WAD, enabled by the owner.
    uint256 lltv;
}

/// @notice A market's totals. Laid out as Morpho Blue's `Market` (so an IRM reads both alike).
struct Market {
    uint128 totalSupplyAssets;
    uint128 totalSupplyShares;
    uint128 totalBorrowAssets;
    uint128 totalBorrowShares;
    /// @dev Timestamp of the last interest accrual; zero for a market that does not exist.
    uint128 lastUpdate;
    /// @dev Share of interest paid to the fee recipient, WAD.
    uint128 fee;
}

/// @notice A market's owner-set limits and the revenue route of its collateral.
struct MarketConfig {
    /// @dev Largest `totalSupplyAssets` a supply may leave (interest may exceed it).
    uint128 supplyCap;
    /// @dev Largest `totalBorrowAssets` a borrow may leave (interest may exceed it).
    uint120 borrowCap;
    /// @dev Whether the collateral share pays its revenue in the loan token, so that revenue repays debt.
    bool selfRepaying;
}

/// @title ILendingMarket
/// @notice One contract holding isolated lending markets {loan token, collateral ModelShare, oracle, IRM, LLTV}.
/// Accounting is Morpho Blue's: supply and borrow are shares with 1e6 virtual shares and 1 virtual asset, interest
/// compounds by a three-term Taylor expansion of e^(rate * elapsed), the fee on interest is minted as supply shares,
/// a position is healthy while `collateral * price / 1e36 * lltv >= debt` (debt rounded up), the liquidation
/// incentive factor is `min(1.15, 1 / (1 - 0.3 * (1 - lltv)))`, and bad debt is realized (taken from the suppliers)
/// when a liquidation leaves a position with no collateral. Every rounding favours the market.
/// @dev Self-repaying loans: the market indexes the revenue of the posted shares (ShareRevenueLib, stake = the
/// position's collateral) and credits each position; it claims the tokens from the share only when it pays them out:
/// a credit paid to its holder, or, for revenue that repaid debt (`revenueReceivable`), the next withdraw or borrow of
/// that market. When the share pays in the loan token, the credit repays the
/// position's debt first whenever the market harvests for it (withdrawCollateral, liquidate, claimCollateralRevenue,
/// or anyone's `settleRevenue`); what is
/// left is claimable with `claimCollateralRevenue`. Revenue unlocks as the share streams it (linearly over its
/// `REVENUE_STREAM_PERIOD`), and a stake only earns what is released while it is posted, so collateral posted
/// around a revenue deposit earns that moment's slice, not the deposit.
/// Bad debt and lenders: as in Morpho Blue, a loss is taken from the suppliers present when it is realized; a lender
/// who withdraws before (while liquidity allows) escapes it. See the README ("Lending") for why this is kept.
interface ILendingMarket {
    /* ERRORS */

    /// @notice Thrown when a caller other than the owner calls an owner function.
    error NotOwner();
    /// @notice Thrown when the caller may not act for `onBehalf`.
    error Unauthorized();
    /// @notice Thrown when a market with these params already exists.
    error MarketAlreadyCreated();
    /// @notice Thrown when a market does not exist.
    error MarketNotCreated();
    /// @notice Thrown when creating a market with an IRM the owner has not enabled.
    error IrmNotEnabled();
    /// @notice Thrown when creating a market with an LLTV the owner has not enabled.
    error LltvNotEnabled();
    /// @notice Thrown when enabling an LLTV of 1 or more.
    error InvalidLltv();
    /// @notice Thrown when a fee above `MAX_FEE` is set.
    error FeeTooHigh();
    /// @notice Thrown when a setter would not change anything.
    error AlreadySet();
    /// @notice Thrown when both or neither of an (assets, shares) pair are zero.
    error InconsistentInput();
    /// @notice Thrown when an amount is zero.
    error ZeroAmount();
    /// @notice Thrown when a receiver or `onBehalf` is the zero address.
    error ZeroAddress();
    /// @notice Thrown when a supply would take `totalSupplyAssets` above the market's cap.
    error SupplyCapExceeded();
    /// @notice Thrown when a borrow would take `totalBorrowAssets` above the market's cap.
    error BorrowCapExceeded();
    /// @notice Thrown when a borrow or a collateral withdrawal would leave the position unhealthy.
    error InsufficientCollateral();
    /// @notice Thrown when a withdrawal or a borrow would take more than the market's idle liquidity.
    error InsufficientLiquidity();
    /// @notice Thrown when liquidating a healthy position.
    error HealthyPosition();
    /// @notice Thrown when the oracle answers zero: no borrow or liquidation happens on it.
    error ZeroPrice();
    /// @notice Thrown when the collateral token is not a ModelShare (its `stablecoin()` does not answer).
    error NotAModelShare();
    /// @notice Thrown when an amount does not fit in 128 bits.
    error Overflow();

    /* EVENTS */

    /// @notice Emitted when the owner changes.
    event SetOwner(address indexed newOwner);
    /// @notice Emitted when the fee recipient changes.
    event SetFeeRecipient(address indexed newFeeRecipient);
    /// @notice Emitted when an IRM is enabled for new markets.
    event EnableIrm(address indexed irm);
    /// @notice Emitted when an LLTV is enabled for new markets.
    event EnableLltv(uint256 lltv);
    /// @notice Emitted when a market's fee changes.
    event SetFee(MarketId indexed id, uint256 newFee);
    /// @notice Emitted when a market's caps change.
    event SetCaps(MarketId indexed id, uint256 supplyCap, uint256 borrowCap);
    /// @notice Emitted when a market is created.
    /// @param selfRepaying Whether the collateral's revenue is in the loan token (and so repays debt).
    event CreateMarket(MarketId indexed id, MarketParams marketParams, bool selfRepaying);
    /// @notice Emitted on a supply.
    event Supply(MarketId indexed id, address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares);
    /// @notice Emitted on a withdrawal of supplied assets.
    event Withdraw(
        MarketId indexed id,
        address caller,
        address indexed onBehalf,
        address indexed receiver,
        uint256 assets,
        uint256 shares
    );
    /// @notice Emitted on a borrow.
    event Borrow(
        MarketId indexed id,
        address caller,
        address indexed onBehalf,
        address indexed receiver,
        uint256 assets,
        uint256 shares
    );
    /// @notice Emitted on a repayment (`assets` may exceed `totalBorrowAssets` by 1 through rounding).
    event Repay(MarketId indexed id, address indexed caller, address indexed onBehalf, uint256 assets, uint256 shares);
    /// @notice Emitted when collateral is posted.
    event SupplyCollateral(MarketId indexed id, address indexed caller, address indexed onBehalf, uint256 assets);
    /// @notice Emitted when collateral is withdrawn.
    event WithdrawCollateral(
        MarketId indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 assets
    );
    /// @notice Emitted on a liquidation; `badDebtAssets` / `badDebtShares` are nonzero when it realized bad debt.
    event Liquidate(
        MarketId indexed id,
        address indexed caller,
        address indexed borrower,
        uint256 repaidAssets,
        uint256 repaidShares,
        uint256 seizedAssets,
        uint256 badDebtAssets,
        uint256 badDebtShares
    );
    /// @notice Emitted when interest accrues.
    event AccrueInterest(MarketId indexed id, uint256 prevBorrowRate, uint256 interest, uint256 feeShares);
    /// @notice Emitted when an authorization changes.
    event SetAuthorization(address indexed authorizer, address indexed authorized, bool newIsAuthorized);
    /// @notice Emitted on a flash loan.
    event FlashLoan(address indexed caller, address indexed token, uint256 assets);
    /// @notice Emitted when `amount` of revenue accrued to the market by the collateral share `share` is indexed (credited
    /// to the positions posting it). The tokens are claimed from the share when paid out or used to repay debt.
    event HarvestRevenue(address indexed share, uint256 amount);
    /// @notice Emitted when a borrower's credited revenue repays its debt.
    event RepayWithRevenue(MarketId indexed id, address indexed borrower, uint256 assets, uint256 shares);
    /// @notice Emitted when a borrower's credited revenue is paid out.
    event ClaimCollateralRevenue(
        MarketId indexed id, address caller, address indexed onBehalf, address indexed receiver, uint256 amount
    );

    /* VIEWS */

    /// @notice Largest fee on interest, WAD (25%).
    function MAX_FEE() external view returns (uint256);
    /// @notice The owner (enables IRMs and LLTVs, sets fees and caps).
    function owner() external view returns (address);
    /// @notice Receiver of fee shares in every market.
    function feeRecipient() external view returns (address);
    /// @notice Whether `irm` may be used by new markets.
    function isIrmEnabled(address irm) external view returns (bool);
    /// @notice Whether `lltv` may be used by new markets.
    function isLltvEnabled(uint256 lltv) external view returns (bool);
    /// @notice Whether `authorized` may act for `authorizer` (withdraw, borrow, withdraw collateral, claim revenue).
    function isAuthorized(address authorizer, address authorized) external view returns (bool);
    /// @notice A market's totals (stored values: interest is accrued up to `lastUpdate`).
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
        );
    /// @notice A market's caps and revenue route.
    function config(MarketId id) external view returns (uint128 supplyCap, uint120 borrowCap, bool selfRepaying);
    /// @notice The params of market `id`.
    function idToMarketParams(MarketId id)
        external
        view
        returns (address loanToken, address collateralToken, address oracle, address irm, uint256 lltv);
    /// @notice A position: supply shares, borrow shares and collateral (stored values, as Morpho Blue's `position`).
    function position(MarketId id, address user)
        external
        view
        returns (uint256 supplyShares, uint128 borrowShares, uint128 collateral);
    /// @notice Revenue credited to `borrower`'s collateral in market `id` and not yet repaid or paid out, as of the
    /// last harvest of the share (rounded down).
    function collateralRevenue(MarketId id, address borrower) external view returns (uint256);
    /// @notice Revenue `share` has accrued to this market and the market has indexed so far, claimed or still waiting
    /// at the share (what borrowers can ever be credited).
    function revenueHarvested(address share) external view returns (uint256);
    /// @notice Revenue that repaid market `id`'s debt since the market last claimed its collateral share: liquidity
    /// that may still wait at the share (the market's loan-token balance covers supply - borrow less this). The next
    /// withdraw or borrow of the market claims the share before paying out, and clears it.
    function revenueReceivable(MarketId id) external view returns (uint256);

    /* OWNER */

    /// @notice Hands the contract to `newOwner`.
    function setOwner(address newOwner) external;
    /// @notice Enables `irm` for new markets (cannot be undone).
    function enableIrm(address irm) external;
    /// @notice Enables `lltv` (below 1) for new markets (cannot be undone).
    function enableLltv(uint256 lltv) external;
    /// @notice Sets a market's fee on interest (at most `MAX_FEE`), accruing interest first.
    function setFee(MarketParams memory marketParams, uint256 newFee) external;
    /// @notice Sets the receiver of fee shares, accruing nothing: unaccrued fees go to the new recipient.
    function setFeeRecipient(address newFeeRecipient) external;
    /// @notice Sets a market's supply and borrow caps (they bind new supplies and borrows only).
    function setCaps(MarketParams memory marketParams, uint128 supplyCap, uint120 borrowCap) external;

    /* MARKETS */

    /// @notice Creates a market with an enabled IRM and LLTV and a ModelShare as collateral; caps start unlimited.
    function createMarket(MarketParams memory marketParams) external;

    /// @notice Supplies `assets` (or the assets worth `shares`, rounded up) for `onBehalf`, pulled from the caller.
    /// @return assetsSupplied Assets pulled.
    /// @return sharesSupplied Shares minted (rounded down from assets).
    function supply(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf)
        external
        returns (uint256 assetsSupplied, uint256 sharesSupplied);

    /// @notice Withdraws `assets` (or the assets of `shares`, rounded down) of `onBehalf`'s supply to `receiver`.
    /// @return assetsWithdrawn Assets sent.
    /// @return sharesWithdrawn Shares burned (rounded up from assets).
    function withdraw(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256 assetsWithdrawn, uint256 sharesWithdrawn);

    /// @notice Borrows `assets` (or the assets of `shares`, rounded down) for `onBehalf` to `receiver`; the position
    /// must stay healthy at `oracle.borrowPrice()`.
    /// @return assetsBorrowed Assets sent.
    /// @return sharesBorrowed Borrow shares minted (rounded up from assets).
    function borrow(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256 assetsBorrowed, uint256 sharesBorrowed);

    /// @notice Repays `assets` (or the debt of `shares`, rounded up) of `onBehalf`'s debt, pulled from the caller.
    /// Credited revenue is not applied here (so `shares` read before the call still match); more than the debt
    /// reverts (underflow).
    /// @return assetsRepaid Assets pulled.
    /// @return sharesRepaid Borrow shares burned (rounded down from assets).
    function repay(MarketParams memory marketParams, uint256 assets, uint256 shares, address onBehalf)
        external
        returns (uint256 assetsRepaid, uint256 sharesRepaid);

    /// @notice Posts `assets` of collateral for `onBehalf`, pulled from the caller.
    function supplyCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf) external;

    /// @notice Withdraws `assets` of `onBehalf`'s collateral to `receiver`; the position must stay healthy at
    /// `oracle.borrowPrice()` (not read when the position has no debt).
    function withdrawCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, address receiver)
        external;

    /// @notice Liquidates an unhealthy position at `oracle.price()`: seizes `seizedAssets` of collateral, or repays
    /// `repaidShares` of debt, with the LLTV's incentive. Credited revenue repays the borrower's debt first. A
    /// liquidation that leaves no collateral realizes the remaining debt as bad debt. With `data`, calls
    /// `onLendingLiquidate` on the caller after sending the collateral and before pulling the loan token.
    /// @return seized Collateral sent to the caller.
    /// @return repaidAssets Loan token pulled from the caller.
    function liquidate(
        MarketParams memory marketParams,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        bytes calldata data
    ) external returns (uint256 seized, uint256 repaidAssets);

    /// @notice Lends `assets` of any token the contract holds for the length of `onLendingFlashLoan`; free. Revenue
    /// still waiting at a share (`revenueReceivable`) is not held, so not lent.
    function flashLoan(address token, uint256 assets, bytes calldata data) external;

    /// @notice Lets `authorized` act for the caller, or stops it.
    function setAuthorization(address authorized, bool newIsAuthorized) external;

    /// @notice Accrues a market's interest up to now.
    function accrueInterest(MarketParams memory marketParams) external;

    /// @notice Indexes the collateral share's revenue and applies `borrower`'s credit to its debt (when the market is
    /// self-repaying). Anyone may call it: it only ever lowers the borrower's debt.
    function settleRevenue(MarketParams memory marketParams, address borrower) external;

    /// @notice Pays `onBehalf`'s credited revenue to `receiver`, after it has repaid the position's debt (when the
    /// market is self-repaying).
    /// @return amount Revenue-token units paid.
    function claimCollateralRevenue(MarketParams memory marketParams, address onBehalf, address receiver)
        external
        returns (uint256 amount);
}
