// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {Attestation, IAttestationVerifier} from "./interfaces/IAttestationVerifier.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title DevAttestationVerifier
/// @notice Accepts simulated quotes signed by a dev "platform" key, so the attested-inference flow runs without
/// TEE hardware. Never use it on a network where the platform key is not under your sole control: whoever holds
/// it can attest any key to any measurement.
/// @dev Quote = `abi.encode(bytes32 measurement, address enclaveKey, bytes32 reportData, uint64 timestamp,
/// bytes signature)`, where `signature` is the platform key's EIP-712 signature of
/// `DevQuote(bytes32 measurement,address enclaveKey,bytes32 reportData,uint64 timestamp)` under the domain
/// {name: "CogFi DevAttestationVerifier", version: "1", chainId, verifyingContract: this}.
contract DevAttestationVerifier is IAttestationVerifier, EIP712 {
    /* ERRORS */

    /// @notice Thrown when a quote is too short to hold the fields and a signature.
    error MalformedQuote();
    /// @notice Thrown when a quote is not signed by the platform key.
    error InvalidPlatformSignature(address signer);
    /// @notice Thrown when the platform signer is the zero address.
    error ZeroPlatformSigner();

    /* CONSTANTS */

    bytes32 public constant DEV_QUOTE_TYPEHASH =
        keccak256("DevQuote(bytes32 measurement,address enclaveKey,bytes32 reportData,uint64 timestamp)");
    /// @dev Four head words, the signature's offset and length, and 65 signature bytes padded to 96.
    uint256 internal constant MIN_QUOTE_LENGTH = 32 * 6 + 96;

    /* IMMUTABLES */

    /// @notice The dev platform key that signs simulated quotes.
    address public immutable platformSigner;

    /* CONSTRUCTOR */

    constructor(address platformSigner_) EIP712("CogFi DevAttestationVerifier", "1") {
        if (platformSigner_ == address(0)) revert ZeroPlatformSigner();
        platformSigner = platformSigner_;
    }

    /* VIEWS */

    /// @inheritdoc IAttestationVerifier
    function verifyQuote(bytes calldata quote) external view returns (Attestation memory attestation) {
        if (quote.length < MIN_QUOTE_LENGTH) revert MalformedQuote();
        bytes memory signature;
        (attestation.measurement, attestation.enclaveKey, attestation.reportData, attestation.timestamp, signature) =
            abi.decode(quote, (bytes32, address, bytes32, uint64, bytes));
        (address signer,,) = ECDSA.tryRecover(quoteDigest(attestation), signature);
        if (signer != platformSigner || signer == address(0)) revert InvalidPlatformSignature(signer);
    }

    /// @notice EIP-712 digest the platform key signs for `attestation`.
    function quoteDigest(Attestation memory attestation) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    DEV_QUOTE_TYPEHASH,
                    attestation.measurement,
                    attestation.enclaveKey,
                    attestation.reportData,
                    attestation.timestamp
                )
            )
        );
    }
}
