// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {Vm} from "forge-std/Vm.sol";

/// @title RecommendedParams
/// @notice Reads the risk parameters `cogfi-sim search` recommends from `sdk/src/recommended-params.json` (written by
/// `npm run sim:recommend` with its report docs/risk/recommended-parameters.md; the sdk exports the same file as
/// `RECOMMENDED_PARAMETERS`, so deploy and `npm start` share one source).
abstract contract RecommendedParams {
    /// @dev forge's cheatcode address (forge-std `VM_ADDRESS`): this contract is inherited by scripts and tests alike.
    Vm private constant CHEATS = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @notice The file, relative to the project root.
    string internal constant RECOMMENDED_PARAMS_PATH = "sdk/src/recommended-params.json";

    /// @notice Thrown when the file's schema version is not one this script reads.
    error RecommendedParamsVersion(uint256 version);
    /// @notice Thrown when a recommended value is out of its range (field: 0 LLTV, 1 cap usage, 2 loading).
    error RecommendedParamOutOfRange(uint256 field, uint256 value);

    /// @notice The recommendation in on-chain units.
    /// @param lltv LLTV, WAD.
    /// @param capUsageBps Borrow cap as a share of the liquidity cap (`capsFromLiquidity`), bps.
    /// @param loadingBps The InsurancePool's premium loading, bps.
    struct Recommended {
        uint256 lltv;
        uint256 capUsageBps;
        uint256 loadingBps;
    }

    /// @notice Reads and range-checks the recommended parameters.
    /// @return recommended The file's values.
    function _recommendedParams() internal view returns (Recommended memory recommended) {
        string memory json = CHEATS.readFile(string.concat(CHEATS.projectRoot(), "/", RECOMMENDED_PARAMS_PATH));
        uint256 version = CHEATS.parseJsonUint(json, ".schemaVersion");
        if (version != 1) revert RecommendedParamsVersion(version);
        uint256 lltvBps = CHEATS.parseJsonUint(json, ".lending.lltvBps");
        if (lltvBps == 0 || lltvBps >= 10_000) revert RecommendedParamOutOfRange(0, lltvBps);
        recommended.lltv = lltvBps * 1e14;
        recommended.capUsageBps = CHEATS.parseJsonUint(json, ".lending.capUsageBps");
        if (recommended.capUsageBps == 0 || recommended.capUsageBps > 10_000) {
            revert RecommendedParamOutOfRange(1, recommended.capUsageBps);
        }
        recommended.loadingBps = CHEATS.parseJsonUint(json, ".insurance.loadingBps");
        if (recommended.loadingBps > 50_000) revert RecommendedParamOutOfRange(2, recommended.loadingBps);
    }
}
