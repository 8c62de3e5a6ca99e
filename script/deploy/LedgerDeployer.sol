// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ComputeCostFeed} from "../../src/inference/ComputeCostFeed.sol";
import {DevAttestationVerifier} from "../../src/inference/DevAttestationVerifier.sol";
import {EnclaveRegistry} from "../../src/inference/EnclaveRegistry.sol";
import {InferenceLedger} from "../../src/inference/InferenceLedger.sol";
import {IAttestationVerifier} from "../../src/inference/interfaces/IAttestationVerifier.sol";
import {MeasurementStatus} from "../../src/inference/interfaces/IEnclaveRegistry.sol";
import {IInferenceLedger} from "../../src/inference/interfaces/IInferenceLedger.sol";
import {InferenceLedgerLens} from "../../src/periphery/InferenceLedgerLens.sol";
import {IModelRegistry} from "../../src/registry/interfaces/IModelRegistry.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title LedgerDeployer
/// @notice Deploys the attested-inference part of the suite: the cost feed, the dev attestation verifier (only
/// when a dev platform signer is given), the enclave registry, the inference ledger and its lens. Called from
/// script/Deploy.s.sol inside its broadcast; owners are set by constructor, so nothing needs a second transaction.
abstract contract LedgerDeployer {
    /// @notice Longest a quote keeps an enclave key valid at deployment (re-attest before it lapses).
    uint256 internal constant DEFAULT_MAX_ATTESTATION_AGE = 1 days;
    /// @notice Protocol fee at deployment: 2.5% of every charge.
    uint256 internal constant DEFAULT_PROTOCOL_FEE_BPS = 250;
    /// @notice Submitter (keeper) fee at deployment: 1% of every charge.
    uint256 internal constant DEFAULT_SUBMITTER_FEE_BPS = 100;
    /// @notice The measurement dev gateways report (the SDK's `DEV_ENCLAVE_MEASUREMENT`).
    bytes32 internal constant DEV_ENCLAVE_MEASUREMENT = keccak256("cogfi-gateway-dev-v1");

    struct LedgerDeployment {
        address computeCostFeed;
        /// @dev Zero when no dev platform signer was given (production: set a real verifier on the registry).
        address devAttestationVerifier;
        address enclaveRegistry;
        address inferenceLedger;
        address inferenceLedgerLens;
    }

    error StablecoinMismatch(address registryStablecoin, address stablecoin);

    /// @param registry The ModelRegistry.
    /// @param stablecoin The protocol stablecoin (must be the registry's).
    /// @param protocolOwner Owner of the enclave registry and the ledger (fees, measurements, verifier).
    /// @param devPlatformSigner Dev "platform" key whose simulated quotes the dev verifier accepts; zero to deploy
    /// no dev verifier (the registry then has no verifier until the owner sets one).
    function _deployLedger(address registry, address stablecoin, address protocolOwner, address devPlatformSigner)
        internal
        returns (LedgerDeployment memory deployment)
    {
        address registryStablecoin = IModelRegistry(registry).stablecoin();
        if (registryStablecoin != stablecoin) revert StablecoinMismatch(registryStablecoin, stablecoin);

        deployment.computeCostFeed = address(new ComputeCostFeed(IERC20Metadata(stablecoin).decimals()));
        if (devPlatformSigner != address(0)) {
            deployment.devAttestationVerifier = address(new DevAttestationVerifier(devPlatformSigner));
        }
        deployment.enclaveRegistry = address(
            new EnclaveRegistry(
                registry,
                IAttestationVerifier(deployment.devAttestationVerifier),
                protocolOwner,
                DEFAULT_MAX_ATTESTATION_AGE
            )
        );
        deployment.inferenceLedger = address(
            new InferenceLedger(
                registry,
                deployment.enclaveRegistry,
                deployment.computeCostFeed,
                protocolOwner,
                DEFAULT_PROTOCOL_FEE_BPS,
                DEFAULT_SUBMITTER_FEE_BPS
            )
        );
        deployment.inferenceLedgerLens = address(new InferenceLedgerLens(IInferenceLedger(deployment.inferenceLedger)));
    }

    /// @notice Allows the dev measurement for every model, so local gateways can register dev enclaves. Must run
    /// as the protocol owner (inside the owner's broadcast), on local chains only.
    function _allowDevMeasurement(address enclaveRegistry) internal {
        EnclaveRegistry(enclaveRegistry).setGlobalMeasurement(DEV_ENCLAVE_MEASUREMENT, MeasurementStatus.Allowed);
    }
}
