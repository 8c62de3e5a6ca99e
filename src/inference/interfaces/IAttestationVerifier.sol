// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

/// @notice What a verified enclave quote attests.
struct Attestation {
    /// @dev Identity of the code running in the enclave: MRENCLAVE (SGX), a hash of MRTD and RTMR0-3 (TDX), a
    /// hash of the launch measurement (SEV-SNP), or the simulated measurement of a dev quote.
    bytes32 measurement;
    /// @dev secp256k1 address of the key the enclave generated and signs usage receipts with.
    address enclaveKey;
    /// @dev 32 bytes the enclave chose to bind into the quote; the EnclaveRegistry requires
    /// `IEnclaveRegistry.reportDataFor(modelId, enclaveKey)`.
    bytes32 reportData;
    /// @dev When the quote was produced, in seconds since the epoch; attestation age is measured from it.
    uint64 timestamp;
}

/// @title IAttestationVerifier
/// @notice Verifies a TEE quote and returns what it attests. The EnclaveRegistry calls exactly this and nothing
/// else, so a production verifier (on-chain Intel DCAP verification of SGX/TDX quotes, or a zk proof that a
/// quote verified off chain) plugs in without touching the registry or the ledger. See docs/enclaves.md.
interface IAttestationVerifier {
    /// @notice Verifies `quote` and returns its attestation; reverts when the quote is not genuine.
    /// @dev May write state (a DCAP verifier caches collateral); the registry calls it once per registration.
    function verifyQuote(bytes calldata quote) external returns (Attestation memory attestation);
}
