// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingMarket} from "../../../src/lending/LendingMarket.sol";
import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {FixedRateIrm} from "../mocks/FixedRateIrm.sol";
import {OracleBase} from "../oracle/OracleBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

interface IMintable {
    function mint(address to, uint256 amount) external;
}

/// @notice OracleBase's pool (a share worth 2 mUSD, ~$100k of liquidity over +-12,000 ticks) under a real
/// LendingMarket: a market lending the oracle's loan token (the pool's stablecoin or USDX) against the share, priced by a real ShareOracle, with its
/// borrow cap from the pool's liquidity (the sdk's rule: the max borrow of the shares a liquidator can sell before the
/// price falls by the liquidation incentive) and a lender's supply.
abstract contract OracleMarketBase is OracleBase {
    /// @dev LLTV 86%: incentive 1 / (1 - 0.3 * (1 - 0.86)) = 1.0438, a liquidator breaks even down to 95.8%.
    uint256 internal constant MARKET_LLTV = 0.86e18;
    uint256 internal constant LIQUIDATION_FLOOR_BPS = 9580;
    /// @dev One million dollars of the loan token.
    uint256 internal constant LENDER_SUPPLY_USD = 1_000_000;
    uint256 internal constant RATE_PER_SECOND = 0.1e18 / uint256(365 days);

    LendingMarket internal lending;
    FixedRateIrm internal irm;
    address internal lendingOwner = makeAddr("lendingOwner");
    address internal lender = makeAddr("lender");

    function setUp() public virtual override {
        super.setUp();
        lending = new LendingMarket(lendingOwner);
        irm = new FixedRateIrm(RATE_PER_SECOND);
        vm.startPrank(lendingOwner);
        lending.enableIrm(address(irm));
        lending.enableLltv(MARKET_LLTV);
        vm.stopPrank();
    }

    /// @dev Opens the market on `oracle` with the borrow cap from liquidity, funded by the lender, and lets `who`
    /// use it.
    function _openMarket(ShareOracle oracle, address who) internal returns (MarketParams memory params, uint256 cap) {
        params = MarketParams({
            loanToken: oracle.loanToken(),
            collateralToken: address(cog),
            oracle: address(oracle),
            irm: address(irm),
            lltv: MARKET_LLTV
        });
        lending.createMarket(params);
        cap = _sellableShares(oracle) * oracle.price() / 1e36 * MARKET_LLTV / 1e18;
        vm.prank(lendingOwner);
        lending.setCaps(params, type(uint128).max, uint120(cap));
        uint256 supplied = LENDER_SUPPLY_USD * 10 ** IERC20Metadata(params.loanToken).decimals();
        IMintable(params.loanToken).mint(lender, supplied);
        vm.startPrank(lender);
        IERC20(params.loanToken).approve(address(lending), type(uint256).max);
        lending.supply(params, supplied, 0, lender);
        vm.stopPrank();
        vm.startPrank(who);
        IERC20(params.loanToken).approve(address(lending), type(uint256).max);
        IERC20(address(cog)).approve(address(lending), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev The shares a liquidator can sell into the pool before its price falls to the liquidation floor, measured
    /// by selling them (state restored).
    function _sellableShares(ShareOracle oracle) internal returns (uint256 shares) {
        uint256 snapshot = vm.snapshotState();
        (int24 twapTick,) = oracle.ticks();
        (, int256 shareDelta) = _tradeToTick(arbitrageur, _tickTimes(twapTick, LIQUIDATION_FLOOR_BPS));
        vm.revertToState(snapshot);
        return uint256(-shareDelta);
    }
}
