// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {Attestation, IAttestationVerifier} from "./IAttestationVerifier.sol";

/// @notice Whether an enclave measurement may run a model, globally or for one model.
/// @dev Globally: `Allowed` lets every model use it, `Revoked` forbids it everywhere. Per model: `Allowed` lets
/// that model use it, `Revoked` forbids it for that model even when it is allowed globally.
enum MeasurementStatus {
    Unset,
    Allowed,
    Revoked
}

/// @notice Why a key may or may not sign usage for a model, as `keyStatus` reports it.
enum KeyStatus {
    Valid,
    Unknown,
    Revoked,
    WrongModel,
    VerifierReplaced,
    Expired,
    MeasurementNotAllowed
}

/// @notice A registered enclave signing key. Two slots.
struct EnclaveKey {
    /// @dev The only model this key may sign usage for.
    uint64 modelId;
    /// @dev Timestamp of the quote that attested the key (not of its registration).
    uint40 attestedAt;
    /// @dev Verifier epoch the quote was checked under; replacing the verifier retires every older key.
    uint32 verifierEpoch;
    bool revoked;
    /// @dev The gateway this key signs for: fixed at first registration, inherited through rotation.
    uint48 gatewayId;
    bytes32 measurement;
}

/// @notice A gateway: one enclave identity serving one model with one code measurement, whatever key it signs
/// with now. Sessions bind to a gateway when they are opened; its batches settle in signing order.
struct Gateway {
    /// @dev The model it serves (0 for an unknown gateway).
    uint64 modelId;
    /// @dev Its current signing key (rotation moves it).
    address key;
    /// @dev The code it runs: every key of the gateway is attested with this measurement.
    bytes32 measurement;
}

/// @title IEnclaveRegistry
/// @notice Binds enclave signing keys to attested measurements, models and gateways. The first registration of a
/// key creates a gateway (`gatewayCount` + 1) pinned to the key's model and measurement; a rotation hands the
/// gateway to the new key, which must carry the same measurement. A buyer's session names one gateway, so the
/// code it approved cannot change under it: admitting a new measurement creates new gateways, never new signers
/// for existing sessions. A key is usable for its model while
/// it is not revoked, its quote is younger than `maxAttestationAge`, the verifier it was checked by is still the
/// current one, and its measurement is allowed for the model. All of this is checked when the key is used
/// (`keyStatus`), never by a loop: revoking a measurement stops every key under it at once.
interface IEnclaveRegistry {
    /* ERRORS */

    /// @notice Thrown when a model id is not registered.
    error UnknownModel(uint256 modelId);
    /// @notice Thrown when the caller may not do this (model owner, protocol owner or the key itself only).
    error Unauthorized(address caller);
    /// @notice Thrown when no attestation verifier is configured.
    error NoVerifier();
    /// @notice Thrown when a quote attests the zero address as enclave key.
    error ZeroEnclaveKey();
    /// @notice Thrown when a quote's measurement is not allowed for the model.
    error MeasurementNotAllowed(uint256 modelId, bytes32 measurement);
    /// @notice Thrown when a quote's report data does not bind this chain, registry, model and key.
    error ReportDataMismatch(bytes32 expected, bytes32 actual);
    /// @notice Thrown when a quote is older than `maxAttestationAge`.
    error QuoteExpired(uint256 timestamp, uint256 maxAttestationAge);
    /// @notice Thrown when a quote's timestamp is in the future.
    error QuoteFromFuture(uint256 timestamp);
    /// @notice Thrown when re-attesting a key with a quote no newer than the one on record.
    error QuoteNotNewer(uint256 timestamp, uint256 attestedAt);
    /// @notice Thrown when a key is already bound to another model.
    error KeyBoundToOtherModel(address key, uint256 modelId);
    /// @notice Thrown when a key was revoked (revocation is final for a key).
    error KeyRevoked(address key);
    /// @notice Thrown when a key is not registered.
    error UnknownKey(address key);
    /// @notice Thrown when a rotation is not signed by the old key.
    error InvalidRotationSignature();
    /// @notice Thrown when the model registry is the zero address.
    error ZeroAddress();
    /// @notice Thrown when a key would sign for a gateway with another measurement than the gateway's.
    error MeasurementChanged(uint256 gatewayId, bytes32 measurement, bytes32 attested);
    /// @notice Thrown when the maximum attestation age is outside [`MIN_ATTESTATION_AGE`, `MAX_ATTESTATION_AGE`].
    error InvalidAttestationAge(uint256 age);

    /* EVENTS */

    /// @notice Emitted when a key is registered or re-attested with a newer quote.
    event EnclaveRegistered(
        uint256 indexed modelId, address indexed key, bytes32 indexed measurement, uint256 attestedAt, uint256 epoch
    );
    /// @notice Emitted when a key's first registration creates a gateway.
    event GatewayCreated(uint256 indexed gatewayId, uint256 indexed modelId, bytes32 indexed measurement, address key);
    /// @notice Emitted when a key is revoked.
    event EnclaveRevoked(address indexed key, uint256 indexed modelId, address by);
    /// @notice Emitted when a key is replaced by a new one.
    event EnclaveRotated(uint256 indexed modelId, address indexed oldKey, address indexed newKey);
    /// @notice Emitted when a model owner sets a measurement's status for its model.
    event ModelMeasurementSet(uint256 indexed modelId, bytes32 indexed measurement, MeasurementStatus status);
    /// @notice Emitted when the protocol owner sets a measurement's global status.
    event GlobalMeasurementSet(bytes32 indexed measurement, MeasurementStatus status);
    /// @notice Emitted when the attestation verifier is replaced; keys of earlier epochs stop working.
    event VerifierSet(address indexed verifier, uint256 epoch);
    /// @notice Emitted when the maximum attestation age changes.
    event MaxAttestationAgeSet(uint256 maxAttestationAge);

    /* CONSTANTS */

    /// @notice Shortest allowed `maxAttestationAge`.
    function MIN_ATTESTATION_AGE() external view returns (uint256);
    /// @notice Longest allowed `maxAttestationAge`.
    function MAX_ATTESTATION_AGE() external view returns (uint256);
    /// @notice Domain tag hashed into the report data a quote must carry.
    function REPORT_DATA_TAG() external view returns (bytes32);
    /// @notice EIP-712 type of a key rotation signed by the old key.
    function ROTATION_TYPEHASH() external view returns (bytes32);

    /* VIEWS */

    /// @notice The model registry models and owners are read from.
    function modelRegistry() external view returns (address);
    /// @notice The attestation verifier quotes are checked by.
    function verifier() external view returns (IAttestationVerifier);
    /// @notice Incremented each time the verifier is replaced.
    function verifierEpoch() external view returns (uint256);
    /// @notice A key stops working this many seconds after its quote's timestamp unless re-attested.
    function maxAttestationAge() external view returns (uint256);
    /// @notice Global status of `measurement`.
    function globalMeasurement(bytes32 measurement) external view returns (MeasurementStatus);
    /// @notice Status of `measurement` for `modelId`, as its owner set it.
    function modelMeasurement(uint256 modelId, bytes32 measurement) external view returns (MeasurementStatus);
    /// @notice Whether `measurement` may run `modelId`: revoked neither globally nor for the model, and allowed
    /// globally or for the model.
    function isMeasurementAllowed(uint256 modelId, bytes32 measurement) external view returns (bool);
    /// @notice The stored record of `key` (all zero when unknown).
    function enclaveKey(address key) external view returns (EnclaveKey memory);
    /// @notice Whether `key` may sign usage for `modelId` now, and if not, the first reason why not.
    function keyStatus(address key, uint256 modelId) external view returns (KeyStatus);
    /// @notice `keyStatus(key, modelId)` and the gateway the key signs for (0 for an unknown key).
    function keyGateway(address key, uint256 modelId) external view returns (KeyStatus status, uint256 gatewayId);
    /// @notice Number of gateways created; ids run from 1 to `gatewayCount()`.
    function gatewayCount() external view returns (uint256);
    /// @notice The stored gateway (all zero for an unknown id).
    function gateway(uint256 gatewayId) external view returns (Gateway memory);
    /// @notice The report data a quote for `key` serving `modelId` must carry:
    /// `keccak256(abi.encode(REPORT_DATA_TAG, block.chainid, address(this), modelId, key))`.
    function reportDataFor(uint256 modelId, address key) external view returns (bytes32);
    /// @notice EIP-712 digest the old key signs to rotate to `newKey`.
    function rotationDigest(address oldKey, address newKey) external view returns (bytes32);

    /* ENCLAVE ACTIONS (anyone: a quote authenticates itself) */

    /// @notice Verifies `quote` and registers (or re-attests, with a newer quote) its key for `modelId`. A new key
    /// creates a new gateway; a re-attestation must carry the key's measurement.
    /// @return key The enclave signing key the quote attests.
    function registerEnclave(uint256 modelId, bytes calldata quote) external returns (address key);

    /// @notice Registers the key attested by `quote` for the old key's model and gateway and revokes `oldKey`. The
    /// quote must carry the gateway's measurement (`MeasurementChanged` otherwise): new code is a new gateway. When
    /// the new key is already registered for that model with this quote or a newer one (under the current verifier),
    /// its record is kept, moved to the old key's gateway, and `oldKey` is still revoked, so registering the
    /// rotation's quote first cannot block the rotation.
    /// @param oldKeySignature The old key's signature over `rotationDigest(oldKey, newKey)`.
    function rotateEnclaveKey(address oldKey, bytes calldata quote, bytes calldata oldKeySignature)
        external
        returns (address newKey);

    /* OWNER ACTIONS */

    /// @notice Revokes `key` for good. Callable by the key itself, its model's owner or the protocol owner.
    function revokeEnclaveKey(address key) external;

    /// @notice Sets `measurement`'s status for `modelId`. Model owner only.
    function setModelMeasurement(uint256 modelId, bytes32 measurement, MeasurementStatus status) external;

    /// @notice Sets `measurement`'s global status. Protocol owner only.
    function setGlobalMeasurement(bytes32 measurement, MeasurementStatus status) external;

    /// @notice Replaces the attestation verifier and starts a new epoch. Protocol owner only.
    function setVerifier(IAttestationVerifier newVerifier) external;

    /// @notice Sets the maximum attestation age. Protocol owner only.
    function setMaxAttestationAge(uint256 age) external;
}
