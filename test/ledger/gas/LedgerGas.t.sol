// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {GasTest} from "../../utils/GasTest.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";
import {MockCoverage} from "../mocks/MockCoverage.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice Gas snapshots of the ledger, as whole-transaction gas (intrinsic + calldata + execution), per receipt for
/// settlement. Run under `forge test --isolate` (npm test does); outside it the tests fail rather than record.
contract LedgerGasTest is LedgerBaseTest, GasTest {
    string internal constant GROUP = "InferenceLedger";
    /// @dev Uninsured settlement, 256 receipts over 16 sessions: the bar the ordering and binding fixes kept (the
    /// design target is 2,500).
    uint256 internal constant TARGET_PER_RECEIPT = 2175;

    function test_gas_openSession() public {
        _fund(buyer, 300 * USDC);
        // Two sessions first, so that the measured one is the usual case (counter non-zero, shares approved).
        vm.startPrank(buyer);
        ledger.openSession(baseModel, baseGateway, 100 * USDC, block.timestamp + 1 days, 0);
        ledger.openSession(baseModel, baseGateway, 100 * USDC, block.timestamp + 1 days, 0);
        ledger.openSession(baseModel, baseGateway, 100 * USDC, block.timestamp + 1 days, 0);
        vm.stopPrank();
        assertLt(_snapshotLastCallGas(GROUP, "openSession"), 150_000, "openSession gas");
    }

    function test_gas_settle_1x1() public {
        _measureSettle(1, 1, "settle_1x1_perReceipt");
    }

    function test_gas_settle_64x4() public {
        _measureSettle(64, 4, "settle_64x4_perReceipt");
    }

    function test_gas_settle_256x16() public {
        uint256 perReceipt = _measureSettle(256, 16, "settle_256x16_perReceipt");
        assertLe(perReceipt, TARGET_PER_RECEIPT, "settle_256x16 per receipt over target");
    }

    function test_gas_settle_256x16_baseModel() public {
        _measureSettleOn(baseModel, ENCLAVE_PK, 256, 16, "settle_256x16_perReceipt_baseModel");
    }

    function test_gas_settle_256x16_withFeedRound() public {
        _measureSettleOnWithFeed(256, 16, "settle_256x16_perReceipt_withFeedRound");
    }

    /// @dev Settles `receiptCount` receipts over `sessions` sessions of the fine-tune (royalty to the base model),
    /// after a first batch warmed the steady state (fees accrued, shares funded, feed round recent).
    function _measureSettle(uint256 receiptCount, uint256 sessions, string memory key) internal returns (uint256) {
        return _measureSettleOn(derivative, DERIVATIVE_ENCLAVE_PK, receiptCount, sessions, key);
    }

    function _measureSettleOn(
        uint256 modelId,
        uint256 enclavePk,
        uint256 receiptCount,
        uint256 sessions,
        string memory key
    ) internal returns (uint256) {
        uint256[] memory ids = _openSessions(modelId, sessions);
        uint256 perSession = receiptCount / sessions;
        _settle(_sign(_uniformBatch(modelId, ids, perSession, 1, 1), enclavePk));
        _warp(60);
        Batch memory batch = _sign(_uniformBatch(modelId, ids, perSession, 1 + perSession, 2), enclavePk);
        return _record(batch, key);
    }

    function _measureSettleOnWithFeed(uint256 receiptCount, uint256 sessions, string memory key)
        internal
        returns (uint256)
    {
        uint256[] memory ids = _openSessions(derivative, sessions);
        uint256 perSession = receiptCount / sessions;
        _settle(_sign(_uniformBatch(derivative, ids, perSession, 1, 1), DERIVATIVE_ENCLAVE_PK));
        _warp(feed.MIN_ROUND_INTERVAL());
        Batch memory batch = _sign(_uniformBatch(derivative, ids, perSession, 1 + perSession, 2), DERIVATIVE_ENCLAVE_PK);
        uint256 perReceipt = _record(batch, key);
        assertEq(feed.latestRound(address(ledger), derivative), 2, "feed round pushed");
        return perReceipt;
    }

    /// @dev The settlement seam's cost: every session insured under a mock coverage that does what the compute
    /// insurance will (per receipt, reasoning tokens above a strike; an aggregate limit written per group). The
    /// target for the real insurance is at most 800 gas per receipt above `settle_256x16_perReceipt`.
    function test_gas_settle_256x16_insuredMockCoverage() public {
        MockCoverage coverage = new MockCoverage(stablecoin, address(ledger));
        stablecoin.mint(address(coverage), 1_000_000 * USDC);
        vm.prank(protocolOwner);
        ledger.setCoverage(address(coverage));
        uint256[] memory ids = new uint256[](16);
        for (uint256 i; i < 16; ++i) {
            address who = makeAddr(string.concat("gasBuyer", vm.toString(i)));
            coverage.setPolicy(i + 1, who, 1000, 8000, uint128(1000 * USDC));
            _fund(who, 1000 * USDC);
            vm.prank(who);
            ids[i] = ledger.openSession(derivative, derivativeGateway, 1000 * USDC, block.timestamp + 2 days, i + 1);
        }
        _settle(_sign(_uniformBatch(derivative, ids, 16, 1, 1), DERIVATIVE_ENCLAVE_PK));
        _warp(60);
        Batch memory batch = _sign(_uniformBatch(derivative, ids, 16, 17, 2), DERIVATIVE_ENCLAVE_PK);
        _record(batch, "settle_256x16_perReceipt_insuredMockCoverage");
    }

    function _openSessions(uint256 modelId, uint256 sessions) internal returns (uint256[] memory ids) {
        ids = new uint256[](sessions);
        for (uint256 i; i < sessions; ++i) {
            address who = makeAddr(string.concat("gasBuyer", vm.toString(i)));
            ids[i] = _openSession(who, modelId, 1000 * USDC, block.timestamp + 2 days);
        }
    }

    function _record(Batch memory batch, string memory key) internal returns (uint256 perReceipt) {
        _settle(batch);
        uint256 gasUsed = vm.lastCallGas().gasTotalUsed;
        require(_isolated(), NOT_ISOLATED);
        perReceipt = gasUsed / batch.receipts.length;
        emit log_named_uint(key, perReceipt);
        vm.snapshotValue(GROUP, key, perReceipt);
    }
}
