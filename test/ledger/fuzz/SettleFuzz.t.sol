// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {ReceiptLib} from "../../../src/inference/libraries/ReceiptLib.sol";
import {Batch, LedgerBaseTest} from "../LedgerBaseTest.sol";

/// @notice Random batches against a reference model of charging and routing.
contract SettleFuzzTest is LedgerBaseTest {
    /// @dev A random batch: `sessions` sessions of the fine-tune with random budgets, random receipts per session
    /// (sequence gaps, token counts from 0 to the 32-bit maximum).
    function _randomBatch(uint256 seed, uint256 sessions, uint256 minPerSession, uint256 maxPerSession)
        internal
        returns (Batch memory batch, uint256[] memory budgets, uint256[] memory groupEnds)
    {
        batch.modelId = derivative;
        batch.sessionIds = new uint256[](sessions);
        budgets = new uint256[](sessions);
        groupEnds = new uint256[](sessions);
        uint256[] memory counts = new uint256[](sessions);
        uint256 total;
        for (uint256 g; g < sessions; ++g) {
            uint256 h = uint256(keccak256(abi.encode(seed, "session", g)));
            budgets[g] = bound(h, 1, 50 * USDC);
            batch.sessionIds[g] = _openSession(makeAddr(vm.toString(h)), derivative, budgets[g]);
            counts[g] = bound(h >> 128, minPerSession, maxPerSession);
            total += counts[g];
        }
        batch.receipts = new uint256[](total);
        uint256 k;
        for (uint256 g; g < sessions; ++g) {
            uint256 sequence;
            for (uint256 j; j < counts[g]; ++j) {
                uint256 h = uint256(keccak256(abi.encode(seed, "receipt", g, j)));
                sequence += 1 + (h % 3);
                // Mostly realistic counts, sometimes the widest the encoding allows.
                uint256 cap = h % 17 == 0 ? type(uint32).max : 1 << 16;
                batch.receipts[k++] =
                    ReceiptLib.pack(g, sequence, (h >> 8) % (cap + 1), (h >> 48) % (cap + 1), (h >> 88) % (cap + 1));
            }
            groupEnds[g] = k;
        }
        batch.requestsCommitment = bytes32(seed);
        batch = _sign(batch, DERIVATIVE_ENCLAVE_PK);
    }

    function testFuzz_settle_matchesReferenceModel(uint256 seed, uint256 sessions, uint256 maxPerSession) public {
        sessions = bound(sessions, 1, 8);
        maxPerSession = bound(maxPerSession, 1, 12);
        (Batch memory batch, uint256[] memory budgets, uint256[] memory groupEnds) =
            _randomBatch(seed, sessions, 1, maxPerSession);
        uint256 balanceBefore = stablecoin.balanceOf(address(ledger));

        uint256 charged = _settle(batch);

        uint256 expectedCharged;
        uint256 expectedCost;
        uint256 start;
        for (uint256 g; g < sessions; ++g) {
            uint256 cost = _costOf(batch.receipts, start, groupEnds[g]);
            uint256 charge = cost < budgets[g] ? cost : budgets[g];
            assertEq(lens.getSession(batch.sessionIds[g]).spent, charge, "session charge = min(cost, budget)");
            assertLe(lens.getSession(batch.sessionIds[g]).spent, budgets[g], "never above budget");
            (, uint256 lastSequence,,,) = ReceiptLib.unpack(batch.receipts[groupEnds[g] - 1]);
            assertEq(lens.getSession(batch.sessionIds[g]).lastSequence, lastSequence, "sequence");
            expectedCharged += charge;
            expectedCost += cost;
            start = groupEnds[g];
        }
        assertEq(charged, expectedCharged, "total charged");
        assertEq(lens.usageStats(derivative).cost, expectedCost, "attested cost");
        assertEq(lens.usageStats(derivative).requests, batch.receipts.length, "requests");

        uint256 protocolFee = charged * PROTOCOL_FEE_BPS / 10_000;
        uint256 submitterFee = charged * SUBMITTER_FEE_BPS / 10_000;
        assertEq(
            derivativeShare.depositedRevenue() + baseShare.depositedRevenue(),
            charged - protocolFee - submitterFee,
            "routed revenue = charges - fees"
        );
        assertEq(
            balanceBefore - stablecoin.balanceOf(address(ledger)),
            charged - protocolFee - submitterFee,
            "only the routed revenue left the ledger"
        );
        uint64[32] memory buckets = lens.usageHistogram(derivative);
        uint256 counted;
        for (uint256 b; b < 32; ++b) {
            counted += buckets[b];
        }
        assertEq(counted, batch.receipts.length, "every receipt in the histogram");
    }

    function testFuzz_settle_splitBatchesChargeTheSame(uint256 seed) public {
        // The same receipts settled as one batch or as two consecutive batches charge the same, up to one unit of
        // rounding per extra session group.
        (Batch memory batch,,) = _randomBatch(seed, 1, 2, 10);
        // Only the template's receipts are used; its signed batch is never settled, so it gives its number back.
        _signedBatches[derivativeGateway]--;
        uint256 budget = 50 * USDC;
        uint256 a = _openSession(buyer, derivative, budget);
        uint256 b = _openSession(otherBuyer, derivative, budget);
        // Session a: one batch.
        Batch memory whole;
        whole.modelId = derivative;
        whole.sessionIds = _ids(a);
        whole.receipts = batch.receipts;
        _settle(_sign(whole, DERIVATIVE_ENCLAVE_PK));
        // Session b: two batches.
        uint256 half = batch.receipts.length / 2;
        Batch memory first;
        first.modelId = derivative;
        first.sessionIds = _ids(b);
        first.receipts = new uint256[](half);
        Batch memory second;
        second.modelId = derivative;
        second.sessionIds = _ids(b);
        second.receipts = new uint256[](batch.receipts.length - half);
        for (uint256 i; i < batch.receipts.length; ++i) {
            if (i < half) first.receipts[i] = batch.receipts[i];
            else second.receipts[i - half] = batch.receipts[i];
        }
        _settle(_sign(first, DERIVATIVE_ENCLAVE_PK));
        _settle(_sign(second, DERIVATIVE_ENCLAVE_PK));
        uint256 spentA = lens.getSession(a).spent;
        uint256 spentB = lens.getSession(b).spent;
        assertGe(spentB, spentA, "splitting never charges less");
        assertLe(spentB, spentA + 1, "by at most one unit");
    }

    function testFuzz_settle_replayAlwaysRejected(uint256 seed, uint256 sessions) public {
        sessions = bound(sessions, 1, 4);
        (Batch memory batch,,) = _randomBatch(seed, sessions, 1, 5);
        _settle(batch);
        uint256 balance = stablecoin.balanceOf(address(ledger));
        vm.expectPartialRevert(IInferenceLedger.BatchOutOfOrder.selector);
        vm.prank(otherKeeper);
        ledger.settle(_usageBatch(batch), batch.signature);
        assertEq(stablecoin.balanceOf(address(ledger)), balance, "nothing moved");
    }
}
