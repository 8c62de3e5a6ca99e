// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CommonBase} from "forge-std/Base.sol";

/// @notice Reads one storage slot and reports what the read cost: 2,100 gas or more when the slot is cold.
contract ColdSlotProbe {
    uint256 internal _slot = 1;

    function readCost() external view returns (uint256 costGas) {
        uint256 before = gasleft();
        uint256 value = _slot;
        costGas = before - gasleft();
        if (value == 0) costGas = 0; // keeps the read
    }
}

/// @notice The one way gas tests record a snapshot. Snapshots are full transaction gas (intrinsic, calldata and
/// execution) only under `forge test --isolate`, where every top-level call from the test is its own transaction;
/// `npm test` and `npm run snapshot` run the gas tests that way. Outside `--isolate` the figures would be
/// execution-only, so `_snapshotLastCallGas` fails the test instead of recording (or skipping) anything.
/// @dev Mix in beside the area's base test (`contract X is AmmBase, GasTest`).
abstract contract GasTest is CommonBase {
    /// @dev The message a gas test fails with outside `--isolate`.
    string internal constant NOT_ISOLATED = "gas tests record full transaction gas only under `forge test --isolate`"
        " (as npm test and npm run snapshot run them): rerun with --isolate; nothing was recorded";

    /// @dev 0 unknown, 1 isolated, 2 not isolated: detected once per test, on the first snapshot.
    uint256 private _isolation;

    /// @dev Records the gas of the last call from the test as `group`/`name` in snapshots/<group>.json (or checks
    /// it under FORGE_SNAPSHOT_CHECK) and returns it; fails the test when not running under `--isolate`.
    function _snapshotLastCallGas(string memory group, string memory name) internal returns (uint256 gasUsed) {
        // Read before probing: the probe's own calls become the last call.
        gasUsed = vm.lastCallGas().gasTotalUsed;
        require(_isolated(), NOT_ISOLATED);
        vm.snapshotValue(group, name, gasUsed);
    }

    /// @dev Whether every top-level call runs as its own transaction: then a slot read by one call is cold again
    /// in the next; in one shared transaction the second read is warm (100 gas). Detected once per test and cached;
    /// call it early (e.g. at the end of `setUp`) when the measured calls run under rules the probe cannot (Berlin).
    function _isolated() internal returns (bool) {
        if (_isolation == 0) {
            ColdSlotProbe probe = new ColdSlotProbe();
            probe.readCost();
            _isolation = probe.readCost() >= 2100 ? 1 : 2;
        }
        return _isolation == 1;
    }
}
