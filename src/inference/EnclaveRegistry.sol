// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IModelRegistry} from "../registry/interfaces/IModelRegistry.sol";
import {Attestation, IAttestationVerifier} from "./interfaces/IAttestationVerifier.sol";
import {EnclaveKey, Gateway, IEnclaveRegistry, KeyStatus, MeasurementStatus} from "./interfaces/IEnclaveRegistry.sol";
import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title EnclaveRegistry
/// @notice Registry of attested enclave signing keys, per model, behind a pluggable attestation verifier.
contract EnclaveRegistry is IEnclaveRegistry, Ownable2Step, EIP712 {
    /* CONSTANTS */

    /// @inheritdoc IEnclaveRegistry
    uint256 public constant MIN_ATTESTATION_AGE = 1 hours;
    /// @inheritdoc IEnclaveRegistry
    uint256 public constant MAX_ATTESTATION_AGE = 30 days;
    /// @inheritdoc IEnclaveRegistry
    bytes32 public constant REPORT_DATA_TAG = keccak256("CogFi.EnclaveRegistry.reportData.v1");
    /// @inheritdoc IEnclaveRegistry
    bytes32 public constant ROTATION_TYPEHASH = keccak256("RotateEnclaveKey(address oldKey,address newKey)");

    /* IMMUTABLES */

    /// @inheritdoc IEnclaveRegistry
    address public immutable modelRegistry;

    /* STORAGE */

    /// @dev Verifier, epoch and maximum age in one slot: `keyStatus` reads it with the key.
    struct Config {
        IAttestationVerifier verifier;
        uint32 verifierEpoch;
        uint40 maxAttestationAge;
    }

    Config internal _config;
    /// @inheritdoc IEnclaveRegistry
    uint256 public gatewayCount;
    mapping(address key => EnclaveKey) internal _keys;
    mapping(uint256 gatewayId => Gateway) internal _gateways;
    /// @inheritdoc IEnclaveRegistry
    mapping(bytes32 measurement => MeasurementStatus) public globalMeasurement;
    /// @inheritdoc IEnclaveRegistry
    mapping(uint256 modelId => mapping(bytes32 measurement => MeasurementStatus)) public modelMeasurement;

    /* CONSTRUCTOR */

    /// @param modelRegistry_ The model registry.
    /// @param verifier_ The attestation verifier (zero: none until `setVerifier`).
    /// @param owner_ The protocol owner.
    /// @param maxAttestationAge_ Initial maximum attestation age.
    constructor(address modelRegistry_, IAttestationVerifier verifier_, address owner_, uint256 maxAttestationAge_)
        Ownable(owner_)
        EIP712("CogFi EnclaveRegistry", "1")
    {
        if (modelRegistry_ == address(0)) revert ZeroAddress();
        _checkAge(maxAttestationAge_);
        modelRegistry = modelRegistry_;
        _config = Config(verifier_, 1, uint40(maxAttestationAge_));
        emit VerifierSet(address(verifier_), 1);
        emit MaxAttestationAgeSet(maxAttestationAge_);
    }

    /* VIEWS */

    /// @inheritdoc IEnclaveRegistry
    function verifier() external view returns (IAttestationVerifier) {
        return _config.verifier;
    }

    /// @inheritdoc IEnclaveRegistry
    function verifierEpoch() external view returns (uint256) {
        return _config.verifierEpoch;
    }

    /// @inheritdoc IEnclaveRegistry
    function maxAttestationAge() external view returns (uint256) {
        return _config.maxAttestationAge;
    }

    /// @inheritdoc IEnclaveRegistry
    function isMeasurementAllowed(uint256 modelId, bytes32 measurement) public view returns (bool) {
        MeasurementStatus global = globalMeasurement[measurement];
        if (global == MeasurementStatus.Revoked) return false;
        MeasurementStatus local = modelMeasurement[modelId][measurement];
        if (local == MeasurementStatus.Revoked) return false;
        return global == MeasurementStatus.Allowed || local == MeasurementStatus.Allowed;
    }

    /// @inheritdoc IEnclaveRegistry
    function enclaveKey(address key) external view returns (EnclaveKey memory) {
        return _keys[key];
    }

    /// @inheritdoc IEnclaveRegistry
    function keyStatus(address key, uint256 modelId) external view returns (KeyStatus status) {
        (status,) = keyGateway(key, modelId);
    }

    /// @inheritdoc IEnclaveRegistry
    function keyGateway(address key, uint256 modelId) public view returns (KeyStatus, uint256 gatewayId) {
        EnclaveKey memory record = _keys[key];
        gatewayId = record.gatewayId;
        if (record.attestedAt == 0) return (KeyStatus.Unknown, gatewayId);
        if (record.revoked) return (KeyStatus.Revoked, gatewayId);
        if (record.modelId != modelId) return (KeyStatus.WrongModel, gatewayId);
        Config memory config = _config;
        if (record.verifierEpoch != config.verifierEpoch) return (KeyStatus.VerifierReplaced, gatewayId);
        if (block.timestamp >= uint256(record.attestedAt) + config.maxAttestationAge) {
            return (KeyStatus.Expired, gatewayId);
        }
        if (!isMeasurementAllowed(modelId, record.measurement)) return (KeyStatus.MeasurementNotAllowed, gatewayId);
        return (KeyStatus.Valid, gatewayId);
    }

    /// @inheritdoc IEnclaveRegistry
    function gateway(uint256 gatewayId) external view returns (Gateway memory) {
        return _gateways[gatewayId];
    }

    /// @inheritdoc IEnclaveRegistry
    function reportDataFor(uint256 modelId, address key) public view returns (bytes32) {
        return keccak256(abi.encode(REPORT_DATA_TAG, block.chainid, address(this), modelId, key));
    }

    /// @inheritdoc IEnclaveRegistry
    function rotationDigest(address oldKey, address newKey) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ROTATION_TYPEHASH, oldKey, newKey)));
    }

    /* ENCLAVE ACTIONS */

    /// @inheritdoc IEnclaveRegistry
    function registerEnclave(uint256 modelId, bytes calldata quote) external returns (address key) {
        if (!IModelRegistry(modelRegistry).exists(modelId)) revert UnknownModel(modelId);
        Attestation memory attestation = _verify(quote);
        key = attestation.enclaveKey;
        _register(modelId, attestation, 0);
    }

    /// @inheritdoc IEnclaveRegistry
    function rotateEnclaveKey(address oldKey, bytes calldata quote, bytes calldata oldKeySignature)
        external
        returns (address newKey)
    {
        EnclaveKey memory old = _keys[oldKey];
        if (old.attestedAt == 0) revert UnknownKey(oldKey);
        if (old.revoked) revert KeyRevoked(oldKey);
        Attestation memory attestation = _verify(quote);
        newKey = attestation.enclaveKey;
        (address signer,,) = ECDSA.tryRecover(rotationDigest(oldKey, newKey), oldKeySignature);
        if (signer != oldKey) revert InvalidRotationSignature();
        if (attestation.measurement != old.measurement) {
            revert MeasurementChanged(old.gatewayId, old.measurement, attestation.measurement);
        }
        // A rotation still retires the old key when its quote was already registered (e.g. copied out of the
        // pending rotation and front-run through `registerEnclave`): `_register` keeps the record as new or newer
        // and moves it to the old key's gateway.
        _register(old.modelId, attestation, old.gatewayId);
        _keys[oldKey].revoked = true;
        _gateways[old.gatewayId].key = newKey;
        emit EnclaveRevoked(oldKey, old.modelId, msg.sender);
        emit EnclaveRotated(old.modelId, oldKey, newKey);
    }

    /* OWNER ACTIONS */

    /// @inheritdoc IEnclaveRegistry
    function revokeEnclaveKey(address key) external {
        EnclaveKey storage record = _keys[key];
        uint256 modelId = record.modelId;
        if (record.attestedAt == 0) revert UnknownKey(key);
        if (record.revoked) revert KeyRevoked(key);
        if (msg.sender != key && msg.sender != owner() && msg.sender != _modelOwner(modelId)) {
            revert Unauthorized(msg.sender);
        }
        record.revoked = true;
        emit EnclaveRevoked(key, modelId, msg.sender);
    }

    /// @inheritdoc IEnclaveRegistry
    function setModelMeasurement(uint256 modelId, bytes32 measurement, MeasurementStatus status) external {
        if (msg.sender != _modelOwner(modelId)) revert Unauthorized(msg.sender);
        modelMeasurement[modelId][measurement] = status;
        emit ModelMeasurementSet(modelId, measurement, status);
    }

    /// @inheritdoc IEnclaveRegistry
    function setGlobalMeasurement(bytes32 measurement, MeasurementStatus status) external onlyOwner {
        globalMeasurement[measurement] = status;
        emit GlobalMeasurementSet(measurement, status);
    }

    /// @inheritdoc IEnclaveRegistry
    function setVerifier(IAttestationVerifier newVerifier) external onlyOwner {
        Config memory config = _config;
        config.verifier = newVerifier;
        config.verifierEpoch += 1;
        _config = config;
        emit VerifierSet(address(newVerifier), config.verifierEpoch);
    }

    /// @inheritdoc IEnclaveRegistry
    function setMaxAttestationAge(uint256 age) external onlyOwner {
        _checkAge(age);
        _config.maxAttestationAge = uint40(age);
        emit MaxAttestationAgeSet(age);
    }

    /* INTERNAL */

    function _verify(bytes calldata quote) internal returns (Attestation memory attestation) {
        IAttestationVerifier verifier_ = _config.verifier;
        if (address(verifier_) == address(0)) revert NoVerifier();
        attestation = verifier_.verifyQuote(quote);
        if (attestation.enclaveKey == address(0)) revert ZeroEnclaveKey();
    }

    /// @dev Checks a verified attestation against the model and records its key. `gatewayId` is 0 for a plain
    /// registration (a new key creates a gateway, a known key keeps its own) and the old key's gateway for a
    /// rotation, which takes the new key into it; a quote no newer than the key's record under the current verifier
    /// then leaves the attestation as it is instead of reverting.
    function _register(uint256 modelId, Attestation memory attestation, uint256 gatewayId) internal {
        address key = attestation.enclaveKey;
        if (!isMeasurementAllowed(modelId, attestation.measurement)) {
            revert MeasurementNotAllowed(modelId, attestation.measurement);
        }
        bytes32 expected = reportDataFor(modelId, key);
        if (attestation.reportData != expected) revert ReportDataMismatch(expected, attestation.reportData);
        Config memory config = _config;
        if (attestation.timestamp > block.timestamp) revert QuoteFromFuture(attestation.timestamp);
        if (block.timestamp - attestation.timestamp >= config.maxAttestationAge) {
            revert QuoteExpired(attestation.timestamp, config.maxAttestationAge);
        }

        EnclaveKey memory record = _keys[key];
        bool rotation = gatewayId != 0;
        if (record.attestedAt != 0) {
            if (record.revoked) revert KeyRevoked(key);
            if (record.modelId != modelId) revert KeyBoundToOtherModel(key, record.modelId);
            if (record.measurement != attestation.measurement) {
                revert MeasurementChanged(record.gatewayId, record.measurement, attestation.measurement);
            }
            if (rotation && record.gatewayId != gatewayId) {
                // The key was registered ahead of the rotation and created a gateway of its own: that gateway loses
                // its key, and the key serves the rotated gateway.
                delete _gateways[record.gatewayId].key;
                _keys[key].gatewayId = uint48(gatewayId);
            }
            if (record.verifierEpoch == config.verifierEpoch && attestation.timestamp <= record.attestedAt) {
                if (rotation) return;
                revert QuoteNotNewer(attestation.timestamp, record.attestedAt);
            }
            if (!rotation) gatewayId = record.gatewayId;
        } else if (!rotation) {
            gatewayId = ++gatewayCount;
            _gateways[gatewayId] = Gateway(uint64(modelId), key, attestation.measurement);
            emit GatewayCreated(gatewayId, modelId, attestation.measurement, key);
        }
        _keys[key] = EnclaveKey({
            modelId: uint64(modelId),
            attestedAt: uint40(attestation.timestamp),
            verifierEpoch: config.verifierEpoch,
            revoked: false,
            gatewayId: uint48(gatewayId),
            measurement: attestation.measurement
        });
        emit EnclaveRegistered(modelId, key, attestation.measurement, attestation.timestamp, config.verifierEpoch);
    }

    /// @dev The model's owner; reverts with the registry's `UnknownModel` for an unknown id.
    function _modelOwner(uint256 modelId) internal view returns (address owner_) {
        (owner_,,,,) = IModelRegistry(modelRegistry).lineageOf(modelId);
    }

    function _checkAge(uint256 age) internal pure {
        if (age < MIN_ATTESTATION_AGE || age > MAX_ATTESTATION_AGE) revert InvalidAttestationAge(age);
    }
}
