// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EnclaveRegistry} from "../../../src/inference/EnclaveRegistry.sol";
import {IAttestationVerifier} from "../../../src/inference/interfaces/IAttestationVerifier.sol";
import {
    EnclaveKey,
    IEnclaveRegistry,
    KeyStatus,
    MeasurementStatus
} from "../../../src/inference/interfaces/IEnclaveRegistry.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";

contract RegisterEnclaveTest is LedgerBaseTest {
    uint256 internal constant NEW_PK = 0xA11CE;
    address internal newKey;

    function setUp() public override {
        super.setUp();
        newKey = vm.addr(NEW_PK);
    }

    function test_registerEnclave_recordsKey() public {
        uint256 quotedAt = block.timestamp - 10;
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.EnclaveRegistered(baseModel, newKey, MEASUREMENT, quotedAt, 1);
        vm.prank(attacker); // anyone may submit a quote: it authenticates itself
        address key = enclaves.registerEnclave(baseModel, _devQuote(NEW_PK, baseModel, MEASUREMENT, quotedAt));
        assertEq(key, newKey, "returned key");
        EnclaveKey memory record = enclaves.enclaveKey(newKey);
        assertEq(record.modelId, baseModel, "model");
        assertEq(record.attestedAt, quotedAt, "attested at the quote's time");
        assertEq(record.measurement, MEASUREMENT, "measurement");
        assertEq(record.verifierEpoch, 1, "epoch");
        assertFalse(record.revoked, "not revoked");
        assertEq(uint8(enclaves.keyStatus(newKey, baseModel)), uint8(KeyStatus.Valid), "valid");
    }

    function test_registerEnclave_reattestExtendsLife() public {
        _registerEnclave(baseModel, NEW_PK, MEASUREMENT, block.timestamp);
        _warp(MAX_AGE - 1);
        _registerEnclave(baseModel, NEW_PK, MEASUREMENT, block.timestamp);
        _warp(MAX_AGE - 1);
        assertEq(uint8(enclaves.keyStatus(newKey, baseModel)), uint8(KeyStatus.Valid), "still valid");
    }

    function test_registerEnclave_perModelMeasurement() public {
        vm.prank(modelOwner);
        enclaves.setModelMeasurement(baseModel, OTHER_MEASUREMENT, MeasurementStatus.Allowed);
        _registerEnclave(baseModel, NEW_PK, OTHER_MEASUREMENT, block.timestamp);
        assertEq(uint8(enclaves.keyStatus(newKey, baseModel)), uint8(KeyStatus.Valid), "valid");
    }

    function test_registerEnclave_revertsWhen_measurementNotAllowed() public {
        bytes memory quote = _devQuote(NEW_PK, baseModel, OTHER_MEASUREMENT, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.MeasurementNotAllowed.selector, baseModel, OTHER_MEASUREMENT)
        );
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_measurementAllowedForAnotherModelOnly() public {
        vm.prank(derivativeOwner);
        enclaves.setModelMeasurement(derivative, OTHER_MEASUREMENT, MeasurementStatus.Allowed);
        bytes memory quote = _devQuote(NEW_PK, baseModel, OTHER_MEASUREMENT, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.MeasurementNotAllowed.selector, baseModel, OTHER_MEASUREMENT)
        );
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_reportDataForAnotherModel() public {
        bytes32 reportData = enclaves.reportDataFor(derivative, newKey);
        bytes memory quote = _devQuoteRaw(PLATFORM_PK, MEASUREMENT, newKey, reportData, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(
                IEnclaveRegistry.ReportDataMismatch.selector, enclaves.reportDataFor(baseModel, newKey), reportData
            )
        );
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_reportDataForAnotherChain() public {
        bytes32 reportData =
            keccak256(abi.encode(enclaves.REPORT_DATA_TAG(), block.chainid + 1, address(enclaves), baseModel, newKey));
        bytes memory quote = _devQuoteRaw(PLATFORM_PK, MEASUREMENT, newKey, reportData, block.timestamp);
        vm.expectPartialRevert(IEnclaveRegistry.ReportDataMismatch.selector);
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_quoteTooOld() public {
        uint256 quotedAt = block.timestamp - MAX_AGE;
        bytes memory quote = _devQuote(NEW_PK, baseModel, MEASUREMENT, quotedAt);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.QuoteExpired.selector, quotedAt, MAX_AGE));
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_quoteFromFuture() public {
        bytes memory quote = _devQuote(NEW_PK, baseModel, MEASUREMENT, block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.QuoteFromFuture.selector, block.timestamp + 1));
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_quoteNotNewer() public {
        _registerEnclave(baseModel, NEW_PK, MEASUREMENT, block.timestamp);
        bytes memory quote = _devQuote(NEW_PK, baseModel, MEASUREMENT, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(IEnclaveRegistry.QuoteNotNewer.selector, block.timestamp, block.timestamp)
        );
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_keyBoundToOtherModel() public {
        bytes memory quote = _devQuote(ENCLAVE_PK, derivative, MEASUREMENT, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.KeyBoundToOtherModel.selector, enclave, baseModel));
        enclaves.registerEnclave(derivative, quote);
    }

    function test_registerEnclave_revertsWhen_keyRevoked() public {
        vm.prank(modelOwner);
        enclaves.revokeEnclaveKey(enclave);
        _warp(10);
        bytes memory quote = _devQuote(ENCLAVE_PK, baseModel, MEASUREMENT, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.KeyRevoked.selector, enclave));
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_unknownModel() public {
        bytes memory quote = _devQuote(NEW_PK, 9, MEASUREMENT, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.UnknownModel.selector, 9));
        enclaves.registerEnclave(9, quote);
    }

    function test_registerEnclave_revertsWhen_zeroKey() public {
        bytes memory quote = _devQuoteRaw(
            PLATFORM_PK, MEASUREMENT, address(0), enclaves.reportDataFor(baseModel, address(0)), block.timestamp
        );
        vm.expectRevert(IEnclaveRegistry.ZeroEnclaveKey.selector);
        enclaves.registerEnclave(baseModel, quote);
    }

    function test_registerEnclave_revertsWhen_noVerifier() public {
        EnclaveRegistry bare =
            new EnclaveRegistry(address(registry), IAttestationVerifier(address(0)), protocolOwner, MAX_AGE);
        vm.expectRevert(IEnclaveRegistry.NoVerifier.selector);
        bare.registerEnclave(baseModel, hex"00");
    }

    function test_constructor_revertsWhen_badAge() public {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.InvalidAttestationAge.selector, 59 minutes));
        new EnclaveRegistry(address(registry), verifier, protocolOwner, 59 minutes);
        vm.expectRevert(IEnclaveRegistry.ZeroAddress.selector);
        new EnclaveRegistry(address(0), verifier, protocolOwner, MAX_AGE);
    }
}
