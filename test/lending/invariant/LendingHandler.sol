// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingMarket} from "../../../src/lending/LendingMarket.sol";
import {ILendingMarket, MarketId, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {SharesLib} from "../../../src/lending/libraries/SharesLib.sol";
import {WadMathLib} from "../../../src/lending/libraries/WadMathLib.sol";
import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {MockOracle} from "../mocks/MockOracle.sol";
import {CommonBase} from "forge-std/Base.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdUtils} from "forge-std/StdUtils.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice Drives every entry point of one self-repaying market with a few actors (each both lender and borrower),
/// a liquidator, time warps, price moves and revenue deposits, and keeps ghost values of what the market should hold.
contract LendingHandler is CommonBase, StdCheats, StdUtils {
    using WadMathLib for uint256;

    LendingMarket internal immutable lending;
    MockStablecoin internal immutable stablecoin;
    ModelShare internal immutable share;
    MockOracle internal immutable oracle;
    MarketParams internal params;
    MarketId internal immutable id;
    address internal immutable payer;
    address internal immutable liquidator;

    address[] public actors;

    /* GHOSTS */

    /// @dev Collateral each actor posted minus what it withdrew minus what liquidations seized.
    mapping(address => uint256) public ghostCollateral;
    /// @dev Revenue that repaid debt, from `RepayWithRevenue` events.
    uint256 public ghostRevenueRepaid;
    /// @dev Revenue paid out by `claimCollateralRevenue`.
    uint256 public ghostRevenueClaimed;
    /// @dev Set when someone moved an actor's collateral without its authorization.
    bool public ghostUnauthorizedMove;
    /// @dev Set when a call by a borrower left its position unhealthy at the borrow price.
    bool public ghostUnhealthyAfterOwnCall;
    /// @dev Calls that went through, per entry point (to see that the run exercised them).
    mapping(bytes32 => uint256) public calls;

    bytes32 internal constant REPAY_WITH_REVENUE = keccak256("RepayWithRevenue(bytes32,address,uint256,uint256)");

    constructor(
        LendingMarket lending_,
        MockStablecoin stablecoin_,
        ModelShare share_,
        MockOracle oracle_,
        MarketParams memory params_,
        address[] memory actors_,
        address payer_,
        address liquidator_
    ) {
        lending = lending_;
        stablecoin = stablecoin_;
        share = share_;
        oracle = oracle_;
        params = params_;
        id = MarketId.wrap(keccak256(abi.encode(params_)));
        actors = actors_;
        payer = payer_;
        liquidator = liquidator_;
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    /* ENTRY POINTS */

    function supply(uint256 actorSeed, uint256 assets) external {
        address actor = _actor(actorSeed);
        assets = bound(assets, 1, 1e12);
        stablecoin.mint(actor, assets);
        vm.prank(actor);
        lending.supply(params, assets, 0, actor);
        ++calls["supply"];
    }

    function withdraw(uint256 actorSeed, uint256 shares) external {
        address actor = _actor(actorSeed);
        (uint256 supplyShares,,) = lending.position(id, actor);
        if (supplyShares == 0) return;
        shares = bound(shares, 1, supplyShares);
        vm.prank(actor);
        lending.withdraw(params, 0, shares, actor, actor);
        ++calls["withdraw"];
    }

    function supplyCollateral(uint256 actorSeed, uint256 assets) external {
        address actor = _actor(actorSeed);
        uint256 balance = share.balanceOf(actor);
        if (balance == 0) return;
        assets = bound(assets, 1, balance);
        vm.prank(actor);
        lending.supplyCollateral(params, assets, actor);
        ghostCollateral[actor] += assets;
        ++calls["supplyCollateral"];
    }

    function withdrawCollateral(uint256 actorSeed, uint256 assets) external {
        address actor = _actor(actorSeed);
        (,, uint256 collateral) = lending.position(id, actor);
        if (collateral == 0) return;
        assets = bound(assets, 1, collateral);
        vm.recordLogs();
        vm.prank(actor);
        lending.withdrawCollateral(params, assets, actor, actor);
        _collectRevenueRepaid();
        ghostCollateral[actor] -= assets;
        _checkHealthAfterOwnCall(actor);
        ++calls["withdrawCollateral"];
    }

    function borrow(uint256 actorSeed, uint256 assets) external {
        address actor = _actor(actorSeed);
        (,, uint256 collateral) = lending.position(id, actor);
        (uint128 supplyAssets,, uint128 borrowAssets,,,) = lending.market(id);
        uint256 maxBorrow = collateral * oracle.price() / 1e36 * params.lltv / 1e18;
        uint256 cap = maxBorrow < supplyAssets - borrowAssets ? maxBorrow : supplyAssets - borrowAssets;
        // Mostly within what the position and the market allow (interest may still tip it over); sometimes beyond.
        assets = bound(assets, 1, assets % 8 == 0 ? 1e12 : cap / 2 + 1);
        vm.prank(actor);
        lending.borrow(params, assets, 0, actor, actor);
        _checkHealthAfterOwnCall(actor);
        ++calls["borrow"];
    }

    function repay(uint256 actorSeed, uint256 shares) external {
        address actor = _actor(actorSeed);
        (, uint256 borrowShares,) = lending.position(id, actor);
        if (borrowShares == 0) return;
        shares = bound(shares, 1, borrowShares);
        stablecoin.mint(actor, _debt(shares) + 1);
        vm.prank(actor);
        lending.repay(params, 0, shares, actor);
        ++calls["repay"];
    }

    function liquidate(uint256 borrowerSeed, uint256 amount, bool seizeAll) external {
        address borrower = _actor(borrowerSeed);
        (, uint256 borrowShares, uint256 collateral) = lending.position(id, borrower);
        if (borrowShares == 0) return;
        stablecoin.mint(liquidator, _debt(borrowShares) + 1);
        vm.recordLogs();
        vm.prank(liquidator);
        (uint256 seized,) = seizeAll
            ? lending.liquidate(params, borrower, collateral, 0, "")
            : lending.liquidate(params, borrower, 0, bound(amount, 1, borrowShares), "");
        _collectRevenueRepaid();
        ghostCollateral[borrower] -= seized;
        ++calls["liquidate"];
    }

    function settleRevenue(uint256 borrowerSeed) external {
        vm.recordLogs();
        lending.settleRevenue(params, _actor(borrowerSeed));
        _collectRevenueRepaid();
        ++calls["settleRevenue"];
    }

    function claimCollateralRevenue(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        vm.recordLogs();
        vm.prank(actor);
        ghostRevenueClaimed += lending.claimCollateralRevenue(params, actor, actor);
        _collectRevenueRepaid();
        ++calls["claimCollateralRevenue"];
    }

    function accrueInterest() external {
        lending.accrueInterest(params);
        ++calls["accrueInterest"];
    }

    function setAuthorization(uint256 actorSeed, uint256 managerSeed, bool value) external {
        address actor = _actor(actorSeed);
        vm.prank(actor);
        lending.setAuthorization(_actor(managerSeed), value);
        ++calls["setAuthorization"];
    }

    function supplyByShares(uint256 actorSeed, uint256 shares) external {
        address actor = _actor(actorSeed);
        shares = bound(shares, 1, 1e18);
        stablecoin.mint(actor, 1e13);
        vm.prank(actor);
        lending.supply(params, 0, shares, actor);
        ++calls["supplyByShares"];
    }

    function withdrawByAssets(uint256 actorSeed, uint256 assets) external {
        address actor = _actor(actorSeed);
        (uint256 shares,,) = lending.position(id, actor);
        (uint128 supplyAssets, uint128 totalSupplyShares,,,,) = lending.market(id);
        uint256 owned = SharesLib.toAssetsDown(shares, supplyAssets, totalSupplyShares);
        if (owned < 2) return;
        assets = bound(assets, 1, owned / 2); // interest accrued in the call only adds
        vm.prank(actor);
        lending.withdraw(params, assets, 0, actor, actor);
        ++calls["withdrawByAssets"];
    }

    function borrowByShares(uint256 actorSeed, uint256 shares) external {
        address actor = _actor(actorSeed);
        (, uint256 ownShares, uint256 collateral) = lending.position(id, actor);
        (uint128 supplyAssets,, uint128 borrowAssets, uint128 totalBorrowShares,,) = lending.market(id);
        uint256 maxBorrow = (collateral * oracle.price() / 1e36 * params.lltv / 1e18)
        .zeroFloorSub(SharesLib.toAssetsUp(ownShares, borrowAssets, totalBorrowShares));
        uint256 room = maxBorrow < supplyAssets - borrowAssets ? maxBorrow : supplyAssets - borrowAssets;
        shares = bound(shares, 1, SharesLib.toSharesDown(room / 2 + 1, borrowAssets, totalBorrowShares));
        vm.prank(actor);
        lending.borrow(params, 0, shares, actor, actor);
        _checkHealthAfterOwnCall(actor);
        ++calls["borrowByShares"];
    }

    function repayByAssets(uint256 actorSeed, uint256 assets) external {
        address actor = _actor(actorSeed);
        (, uint256 shares,) = lending.position(id, actor);
        (,, uint128 borrowAssets, uint128 totalBorrowShares,,) = lending.market(id);
        uint256 owed = SharesLib.toAssetsDown(shares, borrowAssets, totalBorrowShares);
        if (owed == 0) return;
        assets = bound(assets, 1, owed);
        stablecoin.mint(actor, assets);
        vm.prank(actor);
        lending.repay(params, assets, 0, actor);
        ++calls["repayByAssets"];
    }

    /// A manager the actor authorized withdraws its collateral to itself: allowed only with authorization.
    function managerWithdrawCollateral(uint256 actorSeed, uint256 managerSeed, uint256 assets) external {
        address actor = _actor(actorSeed);
        address manager = _actor(managerSeed);
        (,, uint256 collateral) = lending.position(id, actor);
        if (collateral == 0 || manager == actor) return;
        assets = bound(assets, 1, collateral);
        bool authorized = lending.isAuthorized(actor, manager);
        vm.recordLogs();
        vm.prank(manager);
        try lending.withdrawCollateral(params, assets, actor, manager) {
            _collectRevenueRepaid();
            if (!authorized) ghostUnauthorizedMove = true;
            ghostCollateral[actor] -= assets;
            _checkHealthAfterOwnCall(actor);
            ++calls["managerWithdrawCollateral"];
        } catch (bytes memory reason) {
            // Any failure is fine; an unauthorized manager must fail with Unauthorized.
            if (!authorized && bytes4(reason) != ILendingMarket.Unauthorized.selector) ghostUnauthorizedMove = true;
        }
    }

    function flashLoan(uint256 assets) external {
        uint256 balance = stablecoin.balanceOf(address(lending));
        if (balance == 0) return;
        assets = bound(assets, 1, balance);
        lending.flashLoan(address(stablecoin), assets, "");
        ++calls["flashLoan"];
    }

    /// Flash-loan callback: checks the tokens arrived and gives them back.
    function onLendingFlashLoan(uint256 assets, bytes calldata) external {
        require(msg.sender == address(lending), "only the market");
        stablecoin.approve(address(lending), assets);
    }

    function warp(uint256 seconds_) external {
        seconds_ = bound(seconds_, 1, 30 days);
        vm.warp(block.timestamp + seconds_);
        vm.roll(block.number + seconds_ / 12 + 1);
        ++calls["warp"];
    }

    function movePrice(uint256 newPrice) external {
        newPrice = bound(newPrice, 0.2e24, 2e24);
        oracle.setPrice(newPrice);
        ++calls["movePrice"];
    }

    function depositRevenue(uint256 amount) external {
        amount = bound(amount, 1, 1e11);
        stablecoin.mint(payer, amount);
        vm.startPrank(payer);
        stablecoin.approve(address(share), amount);
        share.depositRevenue(amount);
        vm.stopPrank();
        ++calls["depositRevenue"];
    }

    /* HELPERS */

    function _debt(uint256 shares) internal view returns (uint256) {
        (,, uint128 borrowAssets, uint128 borrowShares,,) = lending.market(id);
        // Interest accrues in the call: pay for a day of it at most 800% a year on top.
        return SharesLib.toAssetsUp(shares, borrowAssets, borrowShares) * 2;
    }

    function _collectRevenueRepaid() internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(lending) && logs[i].topics[0] == REPAY_WITH_REVENUE) {
                (uint256 assets,) = abi.decode(logs[i].data, (uint256, uint256));
                ghostRevenueRepaid += assets;
            }
        }
    }

    function _checkHealthAfterOwnCall(address actor) internal {
        (, uint256 borrowShares, uint256 collateral) = lending.position(id, actor);
        if (borrowShares == 0) return;
        (,, uint128 borrowAssets, uint128 totalBorrowShares,,) = lending.market(id);
        uint256 debt = SharesLib.toAssetsUp(borrowShares, borrowAssets, totalBorrowShares);
        uint256 maxBorrow = collateral * oracle.borrowPrice() / 1e36 * params.lltv / 1e18;
        if (debt > maxBorrow) ghostUnhealthyAfterOwnCall = true;
    }
}
