// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {CommonBase} from "forge-std/Base.sol";

/// @notice The part of Morpho Blue's external interface the scenarios call (its structs are laid out as ours).
interface IMorphoBlue {
    function enableIrm(address irm) external;
    function enableLltv(uint256 lltv) external;
    function createMarket(MarketParams memory marketParams) external;
    function supply(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        bytes memory data
    ) external returns (uint256, uint256);
    function supplyCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, bytes memory data)
        external;
    function borrow(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256, uint256);
    function repay(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        bytes memory data
    ) external returns (uint256, uint256);
    function liquidate(
        MarketParams memory marketParams,
        address borrower,
        uint256 seizedAssets,
        uint256 repaidShares,
        bytes memory data
    ) external returns (uint256, uint256);
    function withdraw(
        MarketParams memory marketParams,
        uint256 assets,
        uint256 shares,
        address onBehalf,
        address receiver
    ) external returns (uint256, uint256);
    function withdrawCollateral(MarketParams memory marketParams, uint256 assets, address onBehalf, address receiver)
        external;
    function setFee(MarketParams memory marketParams, uint256 newFee) external;
    function setFeeRecipient(address newFeeRecipient) external;
    function accrueInterest(MarketParams memory marketParams) external;
    function position(bytes32 id, address user) external view returns (uint256, uint128, uint128);
    function market(bytes32 id) external view returns (uint128, uint128, uint128, uint128, uint128, uint128);
}

/// @notice Deploys Morpho Blue from the artifact tools/build-morpho-blue.mjs builds from the npm package (never committed).
abstract contract MorphoBlueDeployer is CommonBase {
    string internal constant MORPHO_ARTIFACT = "out/morpho-blue/Morpho.json";

    function _deployMorphoBlue(address owner) internal returns (address deployed) {
        bytes memory creation =
            abi.encodePacked(vm.parseJsonBytes(vm.readFile(MORPHO_ARTIFACT), ".bytecode"), abi.encode(owner));
        assembly ("memory-safe") {
            deployed := create(0, add(creation, 0x20), mload(creation))
        }
        require(deployed != address(0), "Morpho Blue deployment failed: run node tools/build-morpho-blue.mjs");
        vm.label(deployed, "morphoBlue");
    }
}
