// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {InferenceLedger} from "../../src/inference/InferenceLedger.sol";
import {InsurancePool} from "../../src/insurance/InsurancePool.sol";
import {RecommendedParams} from "./RecommendedParams.sol";

/// @title InsuranceDeployer
/// @notice Deploys the InsurancePool on the ledger and makes it the ledger's coverage (a one-time `setCoverage`,
/// which only the ledger's owner may call: when the broadcaster is not the protocol owner, the owner calls it).
/// Call inside the caller's broadcast.
abstract contract InsuranceDeployer is RecommendedParams {
    /// @notice Pricing and capacity of the deployed pool (docs/insurance.md §3-§4): the loading `cogfi-sim search`
    /// recommends (`_recommendedParams().loadingBps`, docs/risk/recommended-parameters.md), 5% a year capital charge on
    /// aggregate limits, outstanding limits up to 1x capital (fully collateralized), one model up to half.
    uint256 internal constant INSURANCE_CAPITAL_CHARGE_BPS = 500;
    uint256 internal constant INSURANCE_MAX_LEVERAGE_BPS = 10_000;
    uint256 internal constant INSURANCE_MAX_MODEL_EXPOSURE_BPS = 5000;

    /// @param ledger The InferenceLedger to cover.
    /// @param setCoverage Whether the broadcaster owns the ledger and sets the pool as its coverage now.
    /// @return pool The InsurancePool.
    function _deployInsurance(address ledger, bool setCoverage) internal returns (address pool) {
        pool = address(
            new InsurancePool(
                ledger,
                _recommendedParams().loadingBps,
                INSURANCE_CAPITAL_CHARGE_BPS,
                INSURANCE_MAX_LEVERAGE_BPS,
                INSURANCE_MAX_MODEL_EXPOSURE_BPS
            )
        );
        if (setCoverage) InferenceLedger(ledger).setCoverage(pool);
    }
}
