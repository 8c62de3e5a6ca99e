// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger, Session} from "../../src/inference/interfaces/IInferenceLedger.sol";
import {Pricing} from "../../src/registry/interfaces/IModelRegistry.sol";
import {Batch, LedgerBaseTest} from "../ledger/LedgerBaseTest.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice Finding: `settle` prices receipts at the settlement block and did not check the session's expiry. If
/// nobody calls `closeSession` once a session is refundable (`expiry + SETTLEMENT_GRACE`), a keeper (e.g. the
/// model owner) can hold its receipts back until a price increase announced after the session was opened takes
/// effect (`PRICING_DELAY` later) and drain the unspent budget at the new price. The buyer only ever agreed to the
/// price in force until its refund time (docs/receipts.md §1), so a group settled from then on must charge nothing.
contract LateSettlementRepriceTest is LedgerBaseTest {
    uint256 internal constant BUDGET = 1 * USDC;
    uint256 internal constant RAISE = 100;

    uint256 internal sessionId;
    Batch internal held;

    function setUp() public override {
        super.setUp();
        // The buyer opens the longest session it may: it approves inference until MAX_SESSION_DURATION from now.
        sessionId = _openSession(buyer, baseModel, BUDGET, block.timestamp + ledger.MAX_SESSION_DURATION());

        // The gateway serves four requests and signs them; the keeper does not submit the batch.
        held.modelId = baseModel;
        held.sessionIds = _ids(sessionId);
        held.receipts = new uint256[](4);
        for (uint256 i; i < 4; ++i) {
            held.receipts[i] = _receipt(0, i + 1, 1000, 500, 2000);
        }
        held.requestsCommitment = keccak256("held");
    }

    /// @dev The model owner raises the price 100x right after the session was opened.
    function _raisePrice() internal returns (uint256 effectiveAt) {
        vm.prank(modelOwner);
        effectiveAt = registry.setPricing(
            baseModel, Pricing(uint80(PRICE_IN * RAISE), uint80(PRICE_OUT * RAISE), uint80(PRICE_REASONING * RAISE))
        );
    }

    function test_attack_lateSettlementAtRaisedPrice() public {
        uint256 oldCost = _costOf(held.receipts, 0, 4); // 4 x 5,250 units at the old price
        uint256 effectiveAt = _raisePrice();
        uint256 refundAt = lens.refundableAt(sessionId);
        assertGe(effectiveAt, refundAt, "the raise cannot apply to settlement within the grace");

        // Nobody closes the session. The keeper waits until the new price is in force, has the gateway re-sign
        // the same receipts with a freshly attested key (docs/receipts.md §5) and settles.
        vm.warp(effectiveAt);
        vm.roll(block.number + 50_000);
        _reattest();
        Batch memory batch = _sign(held, ENCLAVE_PK);
        uint256 newCost = lens.quoteCost(baseModel, 4000, 2000, 8000);
        assertEq(newCost, oldCost * RAISE, "raised price in force");
        assertGt(newCost, BUDGET, "the raised cost would drain the whole budget");

        vm.recordLogs();
        uint256 charged = _settleAs(modelOwner, batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        // The late group charges nothing (the whole cost is unpaid), and its receipts are consumed so they cannot
        // be replayed.
        assertEq(charged, 0, "a group settled after the refund time charges nothing");
        Session memory session = lens.getSession(sessionId);
        assertEq(session.spent, 0, "nothing spent");
        _assertLogged(logs, abi.encode(uint256(4), uint256(0)), IInferenceLedger.SessionCharged.selector);
        _assertLogged(logs, abi.encode(newCost), IInferenceLedger.UsageUnpaid.selector);
        assertEq(session.lastSequence, 4, "sequence advanced");
        _expectSettleRevert(batch, abi.encodeWithSelector(IInferenceLedger.BatchOutOfOrder.selector, baseGateway, 1, 2));

        // The buyer gets the whole budget back.
        uint256 refund = ledger.closeSession(sessionId);
        assertEq(refund, BUDGET, "full refund");
        assertEq(stablecoin.balanceOf(buyer), BUDGET, "buyer made whole");
    }

    /// @dev Asserts that the ledger emitted `selector` for the session with exactly `data`.
    function _assertLogged(Vm.Log[] memory logs, bytes memory data, bytes32 selector) internal view {
        for (uint256 i; i < logs.length; ++i) {
            if (
                logs[i].emitter == address(ledger) && logs[i].topics[0] == selector
                    && logs[i].topics[1] == bytes32(sessionId) && keccak256(logs[i].data) == keccak256(data)
            ) return;
        }
        revert("expected event not emitted");
    }

    /// @dev The boundary: the last second of the grace still charges (at the old price), `refundableAt` does not.
    function test_lateSettlement_boundaryIsRefundableAt() public {
        _raisePrice();
        uint256 refundAt = lens.refundableAt(sessionId);

        vm.warp(refundAt - 1);
        _reattest();
        Batch memory first;
        first.modelId = baseModel;
        first.sessionIds = _ids(sessionId);
        first.receipts = _words(held.receipts[0], held.receipts[1]);
        first.requestsCommitment = keccak256("first");
        uint256 charged = _settle(_sign(first, ENCLAVE_PK));
        assertEq(charged, _costOf(first.receipts, 0, 2), "within the grace: old price, charged");

        // The raise takes effect exactly at the refund time of a longest session opened before it.
        vm.warp(refundAt);
        assertEq(lens.quoteCost(baseModel, 2000, 1000, 4000), _costOf(held.receipts, 2, 4) * RAISE, "raised");
        Batch memory second;
        second.modelId = baseModel;
        second.sessionIds = _ids(sessionId);
        second.receipts = _words(held.receipts[2], held.receipts[3]);
        second.requestsCommitment = keccak256("second");
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.UsageUnpaid(sessionId, _costOf(second.receipts, 0, 2) * RAISE);
        assertEq(_settle(_sign(second, ENCLAVE_PK)), 0, "at refundableAt: charges nothing");
        assertEq(lens.getSession(sessionId).lastSequence, 4, "sequence advanced");
    }

    /// @dev A late group does not revert the batch: the other sessions are charged normally.
    function test_lateSettlement_doesNotBlockTheBatch() public {
        vm.warp(lens.refundableAt(sessionId));
        _reattest();
        uint256 fresh = _openSession(otherBuyer, baseModel, 10 * USDC);

        Batch memory batch;
        batch.modelId = baseModel;
        batch.sessionIds = _ids(sessionId, fresh);
        batch.receipts = _words(_receipt(0, 1, 1000, 500, 2000), _receipt(1, 1, 1000, 500, 2000));
        batch.requestsCommitment = keccak256("mixed");
        uint256 charged = _settle(_sign(batch, ENCLAVE_PK));

        assertEq(charged, 5250, "only the live session is charged");
        assertEq(lens.getSession(sessionId).spent, 0, "late session: nothing");
        assertEq(lens.getSession(sessionId).lastSequence, 1, "late session: sequence advanced");
        assertEq(lens.getSession(fresh).spent, 5250, "live session charged");
        assertEq(lens.usageStats(baseModel).cost, 2 * 5250, "attested cost recorded for both");
        assertEq(lens.usageStats(baseModel).charged, 5250, "charged recorded for the live one");
    }
}
