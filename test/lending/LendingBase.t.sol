// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingMarket} from "../../src/lending/LendingMarket.sol";
import {ILendingMarket, MarketId, MarketParams} from "../../src/lending/interfaces/ILendingMarket.sol";
import {MarketIdLib} from "../../src/lending/libraries/MarketIdLib.sol";
import {SharesLib} from "../../src/lending/libraries/SharesLib.sol";
import {BaseTest} from "../foundation/BaseTest.sol";
import {FixedRateIrm} from "./mocks/FixedRateIrm.sol";
import {MockOracle} from "./mocks/MockOracle.sol";

/// @notice Deploys a LendingMarket with one self-repaying market (stablecoin lent against the base model's shares,
/// LLTV 80%, 10%/year fixed rate, a share priced at $1) and names the lending actors.
abstract contract LendingBase is BaseTest {
    using MarketIdLib for MarketParams;

    /* CONSTANTS */

    uint256 internal constant LLTV = 0.8e18;
    /// @dev 10% a year, per second, WAD.
    uint256 internal constant RATE_PER_SECOND = 0.1e18 / uint256(365 days);
    /// @dev $1 per share: 1e6 loan units per 1e18 collateral units, 1e36-scaled.
    uint256 internal constant PRICE_ONE_DOLLAR = 1e24;
    uint256 internal constant ORACLE_PRICE_SCALE = 1e36;

    /* ACTORS */

    address internal lendingOwner = makeAddr("lendingOwner");
    address internal lender = makeAddr("lender");
    address internal lender2 = makeAddr("lender2");
    address internal borrower = makeAddr("borrower");
    address internal borrower2 = makeAddr("borrower2");
    address internal liquidator = makeAddr("liquidator");

    /* SUITE */

    LendingMarket internal lending;
    FixedRateIrm internal irm;
    MockOracle internal oracle;
    MarketParams internal params;
    MarketId internal id;

    function setUp() public virtual override {
        super.setUp();
        lending = new LendingMarket(lendingOwner);
        vm.label(address(lending), "lending");
        irm = new FixedRateIrm(RATE_PER_SECOND);
        oracle = new MockOracle(PRICE_ONE_DOLLAR);
        vm.startPrank(lendingOwner);
        lending.enableIrm(address(irm));
        lending.enableLltv(LLTV);
        vm.stopPrank();
        params = MarketParams({
            loanToken: address(stablecoin),
            collateralToken: address(share),
            oracle: address(oracle),
            irm: address(irm),
            lltv: LLTV
        });
        id = params.id();
        lending.createMarket(params);

        address[6] memory users = [lender, lender2, borrower, borrower2, liquidator, attacker];
        for (uint256 i; i < users.length; ++i) {
            vm.startPrank(users[i]);
            stablecoin.approve(address(lending), type(uint256).max);
            share.approve(address(lending), type(uint256).max);
            vm.stopPrank();
        }
    }

    /* HELPERS */

    function _supply(address who, uint256 assets) internal returns (uint256 shares) {
        stablecoin.mint(who, assets);
        vm.prank(who);
        (, shares) = lending.supply(params, assets, 0, who);
    }

    function _supplyCollateral(address who, uint256 amount) internal {
        _transferShares(modelOwner, who, amount);
        vm.prank(who);
        lending.supplyCollateral(params, amount, who);
    }

    function _borrow(address who, uint256 assets) internal returns (uint256 shares) {
        vm.prank(who);
        (, shares) = lending.borrow(params, assets, 0, who, who);
    }

    /// @dev A lender supplies `supplied`, `borrower` posts `collateral` shares and borrows `borrowed`.
    function _openPosition(uint256 supplied, uint256 collateral, uint256 borrowed) internal {
        _supply(lender, supplied);
        _supplyCollateral(borrower, collateral);
        _borrow(borrower, borrowed);
    }

    function _totals()
        internal
        view
        returns (uint256 supplyAssets, uint256 supplyShares, uint256 borrowAssets, uint256 borrowShares)
    {
        (uint128 a, uint128 b, uint128 c, uint128 d,,) = lending.market(id);
        return (a, b, c, d);
    }

    function _borrowShares(address who) internal view returns (uint256 shares) {
        (, shares,) = lending.position(id, who);
    }

    function _collateralOf(address who) internal view returns (uint256 collateral) {
        (,, collateral) = lending.position(id, who);
    }

    function _supplySharesOf(address who) internal view returns (uint256 shares) {
        (shares,,) = lending.position(id, who);
    }

    /// @dev Debt of `who` in assets, rounded up, at the stored totals.
    function _debtOf(address who) internal view returns (uint256) {
        (,, uint256 borrowAssets, uint256 borrowShares) = _totals();
        return SharesLib.toAssetsUp(_borrowShares(who), borrowAssets, borrowShares);
    }

    /// @dev `collateral` shares' worth in loan units at `price`, rounded down.
    function _value(uint256 collateral, uint256 price) internal pure returns (uint256) {
        return collateral * price / ORACLE_PRICE_SCALE;
    }

    function _expectRevertError(bytes4 selector) internal {
        vm.expectRevert(selector);
    }
}
