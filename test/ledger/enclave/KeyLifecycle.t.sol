// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {DevAttestationVerifier} from "../../../src/inference/DevAttestationVerifier.sol";
import {IEnclaveRegistry, KeyStatus, MeasurementStatus} from "../../../src/inference/interfaces/IEnclaveRegistry.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice `keyStatus`, `revokeEnclaveKey`, `rotateEnclaveKey`, measurements, `setVerifier`,
/// `setMaxAttestationAge`.
contract KeyLifecycleTest is LedgerBaseTest {
    uint256 internal constant NEW_PK = 0xB0B;
    address internal newKey;

    function setUp() public override {
        super.setUp();
        newKey = vm.addr(NEW_PK);
    }

    function _status(address key, uint256 modelId) internal view returns (uint8) {
        return uint8(enclaves.keyStatus(key, modelId));
    }

    function test_keyStatus_reasons() public {
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.Valid), "valid");
        assertEq(_status(newKey, baseModel), uint8(KeyStatus.Unknown), "unknown");
        assertEq(_status(enclave, derivative), uint8(KeyStatus.WrongModel), "wrong model");
        vm.warp(block.timestamp + MAX_AGE);
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.Expired), "expired at max age");
    }

    function test_keyStatus_globalRevocationStopsEveryKeyAtOnce() public {
        vm.prank(protocolOwner);
        enclaves.setGlobalMeasurement(MEASUREMENT, MeasurementStatus.Revoked);
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.MeasurementNotAllowed), "base key stopped");
        assertEq(_status(derivativeEnclave, derivative), uint8(KeyStatus.MeasurementNotAllowed), "other key too");
        vm.prank(protocolOwner);
        enclaves.setGlobalMeasurement(MEASUREMENT, MeasurementStatus.Allowed);
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.Valid), "restored");
    }

    function test_keyStatus_modelRevocationOverridesGlobalAllow() public {
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.ModelMeasurementSet(baseModel, MEASUREMENT, MeasurementStatus.Revoked);
        vm.prank(modelOwner);
        enclaves.setModelMeasurement(baseModel, MEASUREMENT, MeasurementStatus.Revoked);
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.MeasurementNotAllowed), "base key stopped");
        assertEq(_status(derivativeEnclave, derivative), uint8(KeyStatus.Valid), "other model unaffected");
        assertFalse(enclaves.isMeasurementAllowed(baseModel, MEASUREMENT), "not allowed");
    }

    function test_keyStatus_globalRevocationOverridesModelAllow() public {
        vm.prank(modelOwner);
        enclaves.setModelMeasurement(baseModel, MEASUREMENT, MeasurementStatus.Allowed);
        vm.prank(protocolOwner);
        enclaves.setGlobalMeasurement(MEASUREMENT, MeasurementStatus.Revoked);
        assertFalse(enclaves.isMeasurementAllowed(baseModel, MEASUREMENT), "global revocation wins");
    }

    function test_setModelMeasurement_revertsWhen_notModelOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.Unauthorized.selector, attacker));
        vm.prank(attacker);
        enclaves.setModelMeasurement(baseModel, MEASUREMENT, MeasurementStatus.Allowed);
    }

    function test_setGlobalMeasurement_revertsWhen_notOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, modelOwner));
        vm.prank(modelOwner);
        enclaves.setGlobalMeasurement(MEASUREMENT, MeasurementStatus.Allowed);
    }

    function test_revokeEnclaveKey_byModelOwnerProtocolOwnerOrKey() public {
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.EnclaveRevoked(enclave, baseModel, modelOwner);
        vm.prank(modelOwner);
        enclaves.revokeEnclaveKey(enclave);
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.Revoked), "revoked by model owner");

        vm.prank(protocolOwner);
        enclaves.revokeEnclaveKey(derivativeEnclave);
        assertEq(_status(derivativeEnclave, derivative), uint8(KeyStatus.Revoked), "revoked by protocol owner");

        _registerEnclave(baseModel, NEW_PK, MEASUREMENT, block.timestamp);
        vm.prank(newKey);
        enclaves.revokeEnclaveKey(newKey);
        assertEq(_status(newKey, baseModel), uint8(KeyStatus.Revoked), "revoked by itself");
    }

    function test_revokeEnclaveKey_revertsWhen_unauthorized() public {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.Unauthorized.selector, derivativeOwner));
        vm.prank(derivativeOwner);
        enclaves.revokeEnclaveKey(enclave);
    }

    function test_revokeEnclaveKey_revertsWhen_unknownOrRevoked() public {
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.UnknownKey.selector, newKey));
        enclaves.revokeEnclaveKey(newKey);
        vm.prank(modelOwner);
        enclaves.revokeEnclaveKey(enclave);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.KeyRevoked.selector, enclave));
        vm.prank(modelOwner);
        enclaves.revokeEnclaveKey(enclave);
    }

    function test_rotateEnclaveKey_replacesKey() public {
        bytes memory quote = _devQuote(NEW_PK, baseModel, MEASUREMENT, block.timestamp);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ENCLAVE_PK, enclaves.rotationDigest(enclave, newKey));
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.EnclaveRotated(baseModel, enclave, newKey);
        vm.prank(keeper);
        address rotated = enclaves.rotateEnclaveKey(enclave, quote, abi.encodePacked(r, s, v));
        assertEq(rotated, newKey, "new key");
        assertEq(_status(newKey, baseModel), uint8(KeyStatus.Valid), "new key valid");
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.Revoked), "old key revoked");
    }

    function test_rotateEnclaveKey_revertsWhen_notSignedByOldKey() public {
        bytes memory quote = _devQuote(NEW_PK, baseModel, MEASUREMENT, block.timestamp);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(NEW_PK, enclaves.rotationDigest(enclave, newKey));
        vm.expectRevert(IEnclaveRegistry.InvalidRotationSignature.selector);
        enclaves.rotateEnclaveKey(enclave, quote, abi.encodePacked(r, s, v));
    }

    function test_rotateEnclaveKey_revertsWhen_quoteForAnotherModel() public {
        bytes memory quote = _devQuote(NEW_PK, derivative, MEASUREMENT, block.timestamp);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ENCLAVE_PK, enclaves.rotationDigest(enclave, newKey));
        vm.expectPartialRevert(IEnclaveRegistry.ReportDataMismatch.selector);
        enclaves.rotateEnclaveKey(enclave, quote, abi.encodePacked(r, s, v));
    }

    function test_rotateEnclaveKey_revertsWhen_oldKeyUnknownOrRevoked() public {
        bytes memory quote = _devQuote(NEW_PK, baseModel, MEASUREMENT, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.UnknownKey.selector, keeper));
        enclaves.rotateEnclaveKey(keeper, quote, "");
        vm.prank(modelOwner);
        enclaves.revokeEnclaveKey(enclave);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.KeyRevoked.selector, enclave));
        enclaves.rotateEnclaveKey(enclave, quote, "");
    }

    function test_setVerifier_retiresKeysOfEarlierEpochs() public {
        DevAttestationVerifier next = new DevAttestationVerifier(makeAddr("newPlatform"));
        vm.expectEmit(address(enclaves));
        emit IEnclaveRegistry.VerifierSet(address(next), 2);
        vm.prank(protocolOwner);
        enclaves.setVerifier(next);
        assertEq(address(enclaves.verifier()), address(next), "verifier");
        assertEq(enclaves.verifierEpoch(), 2, "epoch");
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.VerifierReplaced), "old key retired");
    }

    function test_setVerifier_revertsWhen_notOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, attacker));
        vm.prank(attacker);
        enclaves.setVerifier(verifier);
    }

    function test_setMaxAttestationAge_appliesToExistingKeys() public {
        vm.prank(protocolOwner);
        enclaves.setMaxAttestationAge(2 hours);
        assertEq(enclaves.maxAttestationAge(), 2 hours, "age");
        vm.warp(block.timestamp + 2 hours);
        assertEq(_status(enclave, baseModel), uint8(KeyStatus.Expired), "expired under the new age");
    }

    function test_setMaxAttestationAge_revertsWhen_outOfBounds() public {
        vm.startPrank(protocolOwner);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.InvalidAttestationAge.selector, 31 days));
        enclaves.setMaxAttestationAge(31 days);
        vm.expectRevert(abi.encodeWithSelector(IEnclaveRegistry.InvalidAttestationAge.selector, 1));
        enclaves.setMaxAttestationAge(1);
        vm.stopPrank();
    }
}
