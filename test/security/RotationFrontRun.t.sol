// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {KeyStatus} from "../../src/inference/interfaces/IEnclaveRegistry.sol";
import {LedgerBaseTest} from "../ledger/LedgerBaseTest.sol";

/// @notice Finding: anyone can front-run `rotateEnclaveKey` by registering the rotation's own quote with
/// `registerEnclave`. The rotation then reverts with `QuoteNotNewer` and the old key, which the rotation was meant
/// to retire, stays valid. Repeating the front-run on every retry blocks rotation at the cost of gas only.
contract RotationFrontRunTest is LedgerBaseTest {
    uint256 internal constant NEW_PK = 0xB0B;

    function test_attack_frontRunRotationKeepsOldKeyAlive() public {
        address newKey = vm.addr(NEW_PK);
        bytes memory quote = _devQuote(NEW_PK, baseModel, MEASUREMENT, block.timestamp);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ENCLAVE_PK, enclaves.rotationDigest(enclave, newKey));

        // The attacker copies the quote out of the pending rotation and registers it first.
        vm.prank(attacker);
        enclaves.registerEnclave(baseModel, quote);

        // The gateway's rotation must still retire the old key.
        vm.prank(keeper);
        (bool ok,) = address(enclaves)
            .call(abi.encodeCall(enclaves.rotateEnclaveKey, (enclave, quote, abi.encodePacked(r, s, v))));
        assertTrue(ok, "a front-run registration of the same quote must not make the rotation revert");
        assertEq(uint8(enclaves.keyStatus(enclave, baseModel)), uint8(KeyStatus.Revoked), "old key retired");
        assertEq(uint8(enclaves.keyStatus(newKey, baseModel)), uint8(KeyStatus.Valid), "new key valid");
    }

    /// @dev The rotation tolerates a record of the new key that is as new or newer, but never downgrades it.
    function test_attack_rotationDoesNotDowngradeNewerRecord() public {
        address newKey = vm.addr(NEW_PK);
        bytes memory oldQuote = _devQuote(NEW_PK, baseModel, MEASUREMENT, block.timestamp);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ENCLAVE_PK, enclaves.rotationDigest(enclave, newKey));
        _warp(1 hours);
        _registerEnclave(baseModel, NEW_PK, MEASUREMENT, block.timestamp);
        uint256 attestedAt = enclaves.enclaveKey(newKey).attestedAt;

        vm.prank(keeper);
        enclaves.rotateEnclaveKey(enclave, oldQuote, abi.encodePacked(r, s, v));
        assertEq(enclaves.enclaveKey(newKey).attestedAt, attestedAt, "newer attestation kept");
        assertEq(uint8(enclaves.keyStatus(enclave, baseModel)), uint8(KeyStatus.Revoked), "old key retired");
    }
}
