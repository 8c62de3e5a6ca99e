// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BaseTest} from "../BaseTest.sol";

/// @notice Reads one storage slot and reports what the read cost: ~2,100 gas when the slot is cold.
contract SlotProbe {
    uint256 internal _slot = 1;

    function readCost() external view returns (uint256 cost) {
        uint256 before = gasleft();
        uint256 value = _slot;
        cost = before - gasleft();
        if (value == 0) cost = 0; // keeps the read
    }
}

/// @notice Gas snapshots are full transaction costs only under `forge test --isolate`, where every call from the
/// test is its own transaction. A plain `forge test` (e.g. `npm test`) runs these tests too: there the calls
/// share one transaction, so the figures would be wrong and must not overwrite the committed snapshots.
abstract contract GasTest is BaseTest {
    SlotProbe internal probe;

    function setUp() public virtual override {
        super.setUp();
        probe = new SlotProbe();
    }

    /// @dev Under --isolate the probe's slot is cold on every call; otherwise the second read is warm. Call it
    /// before the measured call: the probe calls would otherwise become the "last call".
    function _isolated() internal view returns (bool) {
        probe.readCost();
        return probe.readCost() > 2000;
    }

    /// @dev Records the last call's gas as `group`/`name` when `isolated`, and returns it either way.
    function _snapshotLastCall(string memory group, string memory name, bool isolated)
        internal
        returns (uint256 gasUsed)
    {
        if (isolated) return vm.snapshotGasLastCall(group, name);
        return vm.lastCallGas().gasTotalUsed;
    }
}
