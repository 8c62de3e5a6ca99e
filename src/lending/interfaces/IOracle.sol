// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @title IOracle
/// @notice Price of one unit of a market's collateral in units of its loan token, scaled by 1e36 (Morpho Blue's
/// `ORACLE_PRICE_SCALE`): `collateralValueInLoan = collateral * price() / 1e36`, in the tokens' smallest units.
/// @dev Two reads, because opening risk and closing it need different guarantees. `price` is what health and
/// liquidation use and should keep answering whenever a safe answer exists (a liquidation must not be blocked by
/// a guard meant to stop new risk). `borrowPrice` is what a call that adds risk (borrow, withdrawCollateral)
/// uses: it reverts whenever new risk must not be taken on that answer (a stale feed, spot too far from the
/// time-weighted price), and otherwise returns a price no higher than `price`.
interface IOracle {
    /// @notice Collateral price in loan-token units, scaled by 1e36, for health checks and liquidations.
    function price() external view returns (uint256);

    /// @notice Collateral price in loan-token units, scaled by 1e36, for calls that add risk; reverts with a
    /// custom error of the oracle's interface when new borrows must stop.
    function borrowPrice() external view returns (uint256);
}
