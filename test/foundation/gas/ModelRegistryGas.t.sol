// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GasTest} from "../../utils/GasTest.sol";
import {BaseTest} from "../BaseTest.sol";

/// @notice Gas of ModelRegistry entry points. Record with
/// `node tools/foundry.mjs forge test --isolate --match-path 'test/foundation/gas/*'` (full transaction costs) into snapshots/.
contract ModelRegistryGasTest is BaseTest, GasTest {
    function test_gas_registerModel() public {
        // A second model, registered by a new owner, in a registry that already holds one.
        vm.prank(alice);
        registry.registerModel(_params("llama-3.1-8b-instruct", SUPPLY));
        uint256 gasUsed = _snapshotLastCallGas("ModelRegistry", "registerModel");
        assertGt(gasUsed, 0, "gas measured");
        assertEq(registry.modelCount(), 2, "registered");
    }
}
