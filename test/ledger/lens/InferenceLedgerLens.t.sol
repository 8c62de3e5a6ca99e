// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Session, UsageStats} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {InferenceLedgerStorageLib as Slots} from "../../../src/inference/libraries/InferenceLedgerStorageLib.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";
import {MockCoverage} from "../mocks/MockCoverage.sol";

/// @notice The lens reads the ledger through `extsload` at the slots of InferenceLedgerStorageLib: each slot is
/// checked here against the deployed ledger's storage, so a reordered declaration in the ledger fails this test.
contract InferenceLedgerLensTest is LedgerBaseTest {
    uint256 internal sessionId;

    function setUp() public override {
        super.setUp();
        MockCoverage coverage = new MockCoverage(stablecoin, address(ledger));
        coverage.setPolicy(7, buyer, type(uint64).max, 0, 0);
        vm.prank(protocolOwner);
        ledger.setCoverage(address(coverage));
        _fund(buyer, 40 * USDC);
        vm.prank(buyer);
        sessionId = ledger.openSession(baseModel, baseGateway, 40 * USDC, block.timestamp + 1 days, 7);
        _settle(_single(baseModel, sessionId, 3, ENCLAVE_PK));
    }

    function _load(bytes32 slot) internal view returns (uint256) {
        return uint256(vm.load(address(ledger), slot));
    }

    function test_slots_matchTheLedgersLayout() public view {
        assertEq(_load(bytes32(Slots.SESSION_COUNT_SLOT)), ledger.sessionCount(), "sessionCount");
        uint256 account = _load(Slots.accountSlot(sessionId));
        assertEq(account & type(uint48).max, baseModel, "account: model");
        assertEq((account >> 48) & type(uint48).max, 3, "account: last sequence");
        assertEq((account >> 96) & type(uint80).max, 40 * USDC, "account: budget");
        assertEq(account >> 176, 5250, "account: spent");
        uint256 terms = _load(Slots.termsSlot(sessionId));
        assertEq(address(uint160(terms)), buyer, "terms: buyer");
        assertEq((terms >> 200) & type(uint48).max, baseGateway, "terms: gateway");
        assertEq(_load(Slots.policyIdSlot(sessionId)), 7, "policy id");
        assertEq(
            _load(keccak256(abi.encode(baseGateway, Slots.SETTLED_BATCHES_SLOT))),
            ledger.settledBatches(baseGateway),
            "settled batches"
        );
        assertEq(
            _load(keccak256(abi.encode(keeper, Slots.SUBMITTER_FEES_SLOT))), ledger.submitterFees(keeper), "submitter"
        );
        uint256 fees = _load(Slots.feesSlot());
        assertEq(fees & 0xffff, PROTOCOL_FEE_BPS, "fees: protocol bps");
        assertEq((fees >> 16) & 0xffff, SUBMITTER_FEE_BPS, "fees: submitter bps");
        assertEq(_load(Slots.statsSlot(baseModel)) & type(uint64).max, 1, "stats: requests");
        // 1,000 + 2,000 generated tokens: bucket 12 ([2048, 4096)), lane 0 of histogram slot 3.
        assertEq(_load(bytes32(uint256(Slots.histogramSlot(baseModel)) + 3)) & type(uint64).max, 1, "histogram");
    }

    function test_getSession_readsEveryField() public view {
        Session memory session = lens.getSession(sessionId);
        assertEq(session.modelId, baseModel, "model");
        assertEq(session.lastSequence, 3, "sequence");
        assertEq(session.budget, 40 * USDC, "budget");
        assertEq(session.spent, 5250, "spent");
        assertEq(session.buyer, buyer, "buyer");
        assertEq(session.gatewayId, baseGateway, "gateway");
        assertEq(session.expiry, block.timestamp + 1 days, "expiry");
        assertEq(session.policyId, 7, "policy");
        assertFalse(session.closed, "open");
        assertEq(lens.remainingBudget(sessionId), 40 * USDC - 5250, "remaining");
    }

    function test_usageStats_readsEveryField() public view {
        UsageStats memory stats = lens.usageStats(baseModel);
        assertEq(stats.requests, 1, "requests");
        assertEq(stats.inputTokens, 1000, "input");
        assertEq(stats.outputTokens, 500, "output");
        assertEq(stats.reasoningTokens, 2000, "reasoning");
        assertEq(stats.cost, 5250, "cost");
        assertEq(stats.charged, 5250, "charged");
        assertEq(stats.lastFeedAt, block.timestamp, "feed round pushed by the first settlement");
        assertEq(lens.usageHistogram(baseModel)[12], 1, "bucket 12");
    }

    function test_extsload_returnsTheStorageWords() public view {
        bytes32[] memory slots = new bytes32[](3);
        slots[0] = Slots.accountSlot(sessionId);
        slots[1] = Slots.termsSlot(sessionId);
        slots[2] = keccak256("nothing here");
        bytes32[] memory words = ledger.extsload(slots);
        for (uint256 i; i < slots.length; ++i) {
            assertEq(words[i], vm.load(address(ledger), slots[i]), "word");
        }
    }

    function test_domainSeparator_recomputedOnAFork() public {
        bytes32 here = ledger.DOMAIN_SEPARATOR();
        vm.chainId(block.chainid + 1);
        bytes32 fork = ledger.DOMAIN_SEPARATOR();
        assertTrue(fork != here, "another chain, another domain");
        assertEq(
            fork,
            keccak256(
                abi.encode(
                    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                    keccak256("CogFi InferenceLedger"),
                    keccak256("1"),
                    block.chainid,
                    address(ledger)
                )
            ),
            "EIP-712 domain of the fork"
        );
    }
}
