// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";
import {MockCoverage} from "../mocks/MockCoverage.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @notice The settlement seam for compute insurance: a session opened with a policy is insured; at settlement the
/// coverage pays part of each of its groups, the session's budget the rest, and both are routed as one charge.
contract SettleInsuredTest is LedgerBaseTest {
    uint256 internal constant POLICY = 1;
    uint64 internal constant STRIKE = 1000;
    uint16 internal constant COINSURANCE_BPS = 8000;

    MockCoverage internal coverage;
    uint256 internal insured;

    function setUp() public override {
        super.setUp();
        coverage = new MockCoverage(stablecoin, address(ledger));
        stablecoin.mint(address(coverage), 1000 * USDC);
        coverage.setPolicy(POLICY, buyer, STRIKE, COINSURANCE_BPS, uint128(50 * USDC));
        vm.prank(protocolOwner);
        ledger.setCoverage(address(coverage));
        _fund(buyer, 100 * USDC);
        vm.prank(buyer);
        insured = ledger.openSession(baseModel, baseGateway, 100 * USDC, block.timestamp + 1 days, POLICY);
    }

    /// @dev Two requests thinking 2,000 and 3,000 tokens against a strike of 1,000: 3,000 excess reasoning tokens at
    /// $2 per million is 6,000 units, of which the policy pays 80%.
    function _batch() internal returns (Batch memory batch) {
        batch.modelId = baseModel;
        batch.sessionIds = _ids(insured);
        batch.receipts = _words(_receipt(0, 1, 1000, 500, 2000), _receipt(0, 2, 1000, 500, 3000));
        batch.requestsCommitment = keccak256("insured");
        return _sign(batch, ENCLAVE_PK);
    }

    function test_setCoverage_revertsWhen_setTwiceOrByOthers() public {
        vm.prank(protocolOwner);
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.CoverageAlreadySet.selector, address(coverage)));
        ledger.setCoverage(address(1));
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, attacker));
        ledger.setCoverage(address(1));
    }

    function test_openSession_insured_storesThePolicy() public view {
        assertEq(lens.getSession(insured).policyId, POLICY, "policy");
    }

    function test_openSession_revertsWhen_coverageRefusesThePolicy() public {
        _fund(otherBuyer, USDC);
        vm.expectRevert(abi.encodeWithSelector(MockCoverage.PolicyRefused.selector, POLICY));
        vm.prank(otherBuyer);
        ledger.openSession(baseModel, baseGateway, USDC, block.timestamp + 1 days, POLICY);
    }

    function test_settle_insured_coveragePaysItsPart() public {
        Batch memory batch = _batch();
        uint256 cost = _costOf(batch.receipts, 0, 2);
        uint256 covered = 6000 * uint256(COINSURANCE_BPS) / 10_000;
        uint256 coverageBefore = stablecoin.balanceOf(address(coverage));

        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageCovered(insured, covered);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SessionCharged(insured, 2, cost);
        uint256 charged = _settle(batch);

        assertEq(charged, cost, "the whole cost is charged");
        assertEq(lens.getSession(insured).spent, cost - covered, "the budget pays the rest");
        assertEq(coverageBefore - stablecoin.balanceOf(address(coverage)), covered, "the coverage paid its part");
        uint256 fees = cost * PROTOCOL_FEE_BPS / 10_000 + cost * SUBMITTER_FEE_BPS / 10_000;
        assertEq(baseShare.depositedRevenue(), cost - fees, "covered usage is revenue like any charge");
        assertEq(lens.usageStats(baseModel).charged, cost, "charged statistics include the covered part");
    }

    function test_settle_insured_coveragePaysAtMostTheCost() public {
        coverage.setOverOffer(1_000_000 * USDC);
        Batch memory batch = _batch();
        uint256 cost = _costOf(batch.receipts, 0, 2);
        uint256 coverageBefore = stablecoin.balanceOf(address(coverage));
        _settle(batch);
        assertEq(lens.getSession(insured).spent, 0, "nothing left for the budget");
        assertEq(coverageBefore - stablecoin.balanceOf(address(coverage)), cost, "capped at the cost");
    }

    function test_settle_insured_revertingCoverageCoversNothing() public {
        coverage.setRevertOnCover(true);
        Batch memory batch = _batch();
        uint256 cost = _costOf(batch.receipts, 0, 2);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.CoverageFailed(insured, abi.encodeWithSelector(MockCoverage.CoverFailed.selector));
        assertEq(_settle(batch), cost, "settles anyway");
        assertEq(lens.getSession(insured).spent, cost, "the session pays as if uninsured");
    }

    /// @dev A coverage that answers without a return word (a fallback, a wrong implementation) is a failure too,
    /// not a batch revert.
    function test_settle_insured_coverageAnsweringNothingCoversNothing() public {
        coverage.setSilentOnCover(true);
        Batch memory batch = _batch();
        uint256 cost = _costOf(batch.receipts, 0, 2);
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.CoverageFailed(insured, "");
        assertEq(_settle(batch), cost, "settles anyway");
        assertEq(lens.getSession(insured).spent, cost, "the session pays as if uninsured");
    }

    function test_settle_insured_afterRefundTimeNeitherPays() public {
        Batch memory batch = _batch();
        vm.warp(lens.refundableAt(insured));
        _reattest();
        uint256 coverageBefore = stablecoin.balanceOf(address(coverage));
        assertEq(_settle(_sign(batch, ENCLAVE_PK)), 0, "late: nothing charged");
        assertEq(stablecoin.balanceOf(address(coverage)), coverageBefore, "the coverage pays nothing either");
    }

    function test_settle_insured_aggregateLimitLeavesTheRestToTheBudget() public {
        coverage.setRemaining(insured, 1000);
        Batch memory batch = _batch();
        uint256 cost = _costOf(batch.receipts, 0, 2);
        _settle(batch);
        assertEq(lens.getSession(insured).spent, cost - 1000, "the coverage stops at its limit");
    }

    function test_settle_revertsWhen_coverageCannotPayWhatItCovers() public {
        vm.prank(address(coverage));
        stablecoin.transfer(attacker, 1000 * USDC);
        Batch memory batch = _batch();
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientBalance.selector,
                address(coverage),
                0,
                6000 * uint256(COINSURANCE_BPS) / 10_000
            )
        );
        vm.prank(keeper);
        ledger.settle(_usageBatch(batch), batch.signature);
    }
}
