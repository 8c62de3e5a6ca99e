// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LedgerDeployer} from "../../../script/deploy/LedgerDeployer.sol";
import {EnclaveRegistry} from "../../../src/inference/EnclaveRegistry.sol";
import {InferenceLedger} from "../../../src/inference/InferenceLedger.sol";
import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {ModelRegistry} from "../../../src/registry/ModelRegistry.sol";
import {Test} from "forge-std/Test.sol";

contract LedgerDeployerHarness is LedgerDeployer {
    function deploy(address registry, address stablecoin, address owner, address signer)
        external
        returns (LedgerDeployment memory)
    {
        return _deployLedger(registry, stablecoin, owner, signer);
    }

    function allowDevMeasurement(address enclaveRegistry) external {
        _allowDevMeasurement(enclaveRegistry);
    }
}

contract LedgerDeployerTest is Test {
    uint256 internal constant STREAM_PERIOD = 1 days;

    function test_deployLedger_wiresTheSuite() public {
        MockStablecoin stablecoin = new MockStablecoin();
        ModelRegistry registry = new ModelRegistry(address(stablecoin), STREAM_PERIOD);
        address owner = makeAddr("owner");
        address signer = makeAddr("platform");
        LedgerDeployer.LedgerDeployment memory d =
            new LedgerDeployerHarness().deploy(address(registry), address(stablecoin), owner, signer);
        InferenceLedger ledger = InferenceLedger(d.inferenceLedger);
        EnclaveRegistry enclaves = EnclaveRegistry(d.enclaveRegistry);
        assertEq(ledger.owner(), owner, "ledger owner");
        assertEq(enclaves.owner(), owner, "registry owner");
        assertEq(ledger.enclaveRegistry(), d.enclaveRegistry, "enclaves");
        assertEq(ledger.costFeed(), d.computeCostFeed, "feed");
        assertEq(address(enclaves.verifier()), d.devAttestationVerifier, "verifier");
        assertEq(ledger.stablecoin(), address(stablecoin), "stablecoin");
    }

    function test_allowDevMeasurement_asOwner() public {
        MockStablecoin stablecoin = new MockStablecoin();
        ModelRegistry registry = new ModelRegistry(address(stablecoin), STREAM_PERIOD);
        LedgerDeployerHarness harness = new LedgerDeployerHarness();
        // The harness deploys and owns the suite, as the broadcasting deployer does in Deploy.s.sol.
        LedgerDeployer.LedgerDeployment memory d =
            harness.deploy(address(registry), address(stablecoin), address(harness), makeAddr("platform"));
        harness.allowDevMeasurement(d.enclaveRegistry);
        assertTrue(
            EnclaveRegistry(d.enclaveRegistry).isMeasurementAllowed(1, keccak256("cogfi-gateway-dev-v1")),
            "dev measurement allowed for every model"
        );
    }

    function test_deployLedger_withoutDevSigner() public {
        MockStablecoin stablecoin = new MockStablecoin();
        ModelRegistry registry = new ModelRegistry(address(stablecoin), STREAM_PERIOD);
        LedgerDeployer.LedgerDeployment memory d =
            new LedgerDeployerHarness().deploy(address(registry), address(stablecoin), address(this), address(0));
        assertEq(d.devAttestationVerifier, address(0), "no dev verifier");
        assertEq(address(EnclaveRegistry(d.enclaveRegistry).verifier()), address(0), "no verifier");
    }

    function test_deployLedger_revertsWhen_stablecoinMismatch() public {
        MockStablecoin stablecoin = new MockStablecoin();
        ModelRegistry registry = new ModelRegistry(address(stablecoin), STREAM_PERIOD);
        LedgerDeployerHarness harness = new LedgerDeployerHarness();
        vm.expectRevert(
            abi.encodeWithSelector(LedgerDeployer.StablecoinMismatch.selector, address(stablecoin), address(1))
        );
        harness.deploy(address(registry), address(1), address(this), address(0));
    }
}
