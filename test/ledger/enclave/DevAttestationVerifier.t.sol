// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DevAttestationVerifier} from "../../../src/inference/DevAttestationVerifier.sol";
import {Attestation} from "../../../src/inference/interfaces/IAttestationVerifier.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";

contract DevAttestationVerifierTest is LedgerBaseTest {
    function test_verifyQuote_returnsAttestation() public view {
        bytes memory quote = _devQuoteRaw(PLATFORM_PK, MEASUREMENT, enclave, bytes32(uint256(7)), 1234);
        Attestation memory attestation = verifier.verifyQuote(quote);
        assertEq(attestation.measurement, MEASUREMENT, "measurement");
        assertEq(attestation.enclaveKey, enclave, "key");
        assertEq(attestation.reportData, bytes32(uint256(7)), "report data");
        assertEq(attestation.timestamp, 1234, "timestamp");
    }

    function test_verifyQuote_revertsWhen_signedByAnotherKey() public {
        bytes memory quote = _devQuoteRaw(0xBAD, MEASUREMENT, enclave, bytes32(0), 1);
        vm.expectRevert(
            abi.encodeWithSelector(DevAttestationVerifier.InvalidPlatformSignature.selector, vm.addr(0xBAD))
        );
        verifier.verifyQuote(quote);
    }

    function test_verifyQuote_revertsWhen_fieldTampered() public {
        bytes memory quote = _devQuoteRaw(PLATFORM_PK, MEASUREMENT, enclave, bytes32(0), 1);
        // Flip the measurement (first word) after signing.
        quote[31] = bytes1(uint8(quote[31]) ^ 1);
        vm.expectPartialRevert(DevAttestationVerifier.InvalidPlatformSignature.selector);
        verifier.verifyQuote(quote);
    }

    function test_verifyQuote_revertsWhen_tooShort() public {
        vm.expectRevert(DevAttestationVerifier.MalformedQuote.selector);
        verifier.verifyQuote(new bytes(200));
    }

    function test_verifyQuote_revertsWhen_badSignatureBytes() public {
        bytes memory quote = abi.encode(MEASUREMENT, enclave, bytes32(0), uint64(1), new bytes(65));
        vm.expectRevert(abi.encodeWithSelector(DevAttestationVerifier.InvalidPlatformSignature.selector, address(0)));
        verifier.verifyQuote(quote);
    }

    function test_constructor_revertsWhen_zeroSigner() public {
        vm.expectRevert(DevAttestationVerifier.ZeroPlatformSigner.selector);
        new DevAttestationVerifier(address(0));
    }
}
