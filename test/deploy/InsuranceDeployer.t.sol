// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InsuranceDeployer} from "../../script/deploy/InsuranceDeployer.sol";
import {InsurancePool} from "../../src/insurance/InsurancePool.sol";
import {LedgerBaseTest} from "../ledger/LedgerBaseTest.sol";

contract InsuranceDeployerTest is LedgerBaseTest, InsuranceDeployer {
    function test_deployInsurance_setsCoverageWhenOwner() public {
        vm.startPrank(protocolOwner);
        address pool = _deployInsurance(address(ledger), true);
        vm.stopPrank();
        assertEq(ledger.coverage(), pool, "pool is the ledger's coverage");
        InsurancePool insurance = InsurancePool(pool);
        assertEq(insurance.ledger(), address(ledger), "pool on the ledger");
        assertEq(insurance.asset(), address(stablecoin), "vault on the ledger's stablecoin");
        assertEq(insurance.loadingBps(), _recommendedParams().loadingBps, "loading: the recommended one");
        assertEq(
            insurance.loadingBps(),
            vm.parseJsonUint(vm.readFile("sdk/src/recommended-params.json"), ".insurance.loadingBps"),
            "loading: the file's"
        );
        assertEq(insurance.maxLeverageBps(), INSURANCE_MAX_LEVERAGE_BPS, "leverage");
        assertEq(insurance.WITHDRAW_COOLDOWN(), insurance.MAX_POLICY_PERIOD() + 1 hours, "cooldown");
    }

    function test_deployInsurance_leavesCoverageToAnotherOwner() public {
        address pool = _deployInsurance(address(ledger), false);
        assertEq(ledger.coverage(), address(0), "coverage not set by a non-owner");
        vm.prank(protocolOwner);
        ledger.setCoverage(pool);
        assertEq(ledger.coverage(), pool, "the owner sets it");
    }
}
