// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsurancePool} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice `releasePolicy`: a policy's unused limit leaves the exposure once it can pay no more claims.
contract ReleasePolicyTest is InsuranceBaseTest {
    function setUp() public override {
        super.setUp();
        _seedHistory(derivative);
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
    }

    function test_releasePolicy_releasesUnusedLimitAfterGrace() public {
        (uint256 policyId,) = _buyDefault(buyer, 500);
        uint256 sessionId = _openInsured(buyer, policyId, 100 * USDC);
        _settle(_heavy(sessionId, 1, 1, 500, 5500));
        uint256 limit = pool.getPolicy(policyId).aggregateLimit;
        assertEq(pool.exposure(), limit - 4800, "exposure net of the claim");
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PolicyNotReleasable.selector, policyId));
        pool.releasePolicy(policyId);
        _warp(7 days + 1 hours);
        vm.prank(attacker);
        uint256 unused = pool.releasePolicy(policyId);
        assertEq(unused, limit - 4800, "unused limit");
        assertEq(pool.exposure(), 0, "exposure released");
        assertEq(pool.modelExposure(derivative), 0, "model exposure released");
        assertEq(pool.requiredCapital(), 0, "no capital required");
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PolicyNotReleasable.selector, policyId));
        pool.releasePolicy(policyId);
    }

    function test_releasePolicy_revertsForUnknownPolicy() public {
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.PolicyNotReleasable.selector, 7));
        pool.releasePolicy(7);
    }
}
