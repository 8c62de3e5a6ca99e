// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {AdaptiveIrm} from "../../src/lending/AdaptiveIrm.sol";
import {LendingMarket} from "../../src/lending/LendingMarket.sol";

/// @title LendingDeployer
/// @notice Deploys the LendingMarket singleton and its AdaptiveIrm, enables both and the LLTVs new markets may use,
/// then hands the market (owner and fee recipient) to the protocol owner. ShareOracles are per market (one per model
/// pool and loan token): the sdk's `createShareOracle` deploys them. Call inside the caller's broadcast.
abstract contract LendingDeployer {
    /// @notice The LLTVs enabled at deployment, WAD (Morpho Blue's ladder from 38.5% to 91.5%; the sdk's
    /// `LENDING_LLTVS` lists the same). Model shares are long-tail collateral: markets should pick from the low end.
    function _lendingLltvs() internal pure returns (uint256[5] memory) {
        return [uint256(0.385e18), 0.625e18, 0.77e18, 0.86e18, 0.915e18];
    }

    /// @param deployer The broadcasting account: it owns the market while it enables the IRM and the LLTVs.
    /// @param protocolOwner The market's owner once deployed (enables IRMs and LLTVs, sets fees and caps).
    /// @return lendingMarket The LendingMarket.
    /// @return adaptiveIrm The AdaptiveIrm serving it, enabled.
    function _deployLending(address deployer, address protocolOwner)
        internal
        returns (address lendingMarket, address adaptiveIrm)
    {
        LendingMarket market = new LendingMarket(deployer);
        adaptiveIrm = address(new AdaptiveIrm(address(market)));
        market.enableIrm(adaptiveIrm);
        uint256[5] memory lltvs = _lendingLltvs();
        for (uint256 i; i < lltvs.length; ++i) {
            market.enableLltv(lltvs[i]);
        }
        if (protocolOwner != deployer) {
            // Fees go to the protocol owner too (the constructor made the deployer the first recipient).
            market.setFeeRecipient(protocolOwner);
            market.setOwner(protocolOwner);
        }
        lendingMarket = address(market);
    }
}
