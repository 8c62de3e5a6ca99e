// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Session} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";
import {ISigner, LedgerHandler} from "./LedgerHandler.sol";

/// forge-config: default.invariant.runs = 32
/// @notice Invariants of the ledger under random sessions, top-ups, closes, settlements, replays, claims and time.
contract LedgerInvariantTest is LedgerBaseTest, ISigner {
    LedgerHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new LedgerHandler(
            ledger,
            enclaves,
            stablecoin,
            ISigner(address(this)),
            [baseModel, derivative],
            [ENCLAVE_PK, DERIVATIVE_ENCLAVE_PK]
        );
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = LedgerHandler.openSession.selector;
        selectors[1] = LedgerHandler.topUp.selector;
        selectors[2] = LedgerHandler.close.selector;
        selectors[3] = LedgerHandler.warp.selector;
        selectors[4] = LedgerHandler.settle.selector;
        selectors[5] = LedgerHandler.replay.selector;
        selectors[6] = LedgerHandler.claimFees.selector;
        selectors[7] = LedgerHandler.claimProtocolFees.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    function quoteFor(uint256 enclavePk, uint256 modelId, uint256 timestamp) external view returns (bytes memory) {
        return _devQuote(enclavePk, modelId, MEASUREMENT, timestamp);
    }

    function _sessionSums() internal view returns (uint256 held, uint256 spent) {
        uint256 n = handler.sessionCount();
        for (uint256 i; i < n; ++i) {
            Session memory session = lens.getSession(handler.sessionIds(i));
            held += session.budget - session.spent;
            spent += session.spent;
        }
    }

    function _unclaimedFees() internal view returns (uint256 fees) {
        fees = lens.protocolFees();
        for (uint256 i; i < handler.keeperCount(); ++i) {
            fees += ledger.submitterFees(handler.keeperAt(i));
        }
    }

    /// @dev deposits = spent + refunded + held.
    function invariant_depositsEqualSpentPlusRefundedPlusHeld() public view {
        (uint256 held, uint256 spent) = _sessionSums();
        assertEq(handler.ghostDeposited(), spent + handler.ghostRefunded() + held, "conservation");
    }

    /// @dev The ledger holds exactly the unspent budgets plus the unclaimed fees.
    function invariant_ledgerBalanceCoversHeldBudgetsAndFees() public view {
        (uint256 held,) = _sessionSums();
        assertEq(stablecoin.balanceOf(address(ledger)), held + _unclaimedFees(), "ledger balance");
    }

    function invariant_noSessionPaysMoreThanItsBudget() public view {
        uint256 n = handler.sessionCount();
        for (uint256 i; i < n; ++i) {
            uint256 sessionId = handler.sessionIds(i);
            Session memory session = lens.getSession(sessionId);
            assertLe(session.spent, session.budget, "spent <= budget");
            assertLe(session.spent, handler.ghostSessionDeposits(sessionId), "spent <= deposits");
        }
    }

    function invariant_receiptChargedAtMostOnce() public view {
        assertFalse(handler.ghostDoubleCharge(), "a receipt was charged twice");
    }

    function invariant_sequencesOnlyIncrease() public view {
        assertFalse(handler.ghostSequenceDecreased(), "a sequence went down");
    }

    function invariant_nothingChargedPastRefundTime() public view {
        assertFalse(handler.ghostChargedPastGrace(), "a session was charged after expiry + SETTLEMENT_GRACE");
    }

    /// @dev Every charged unit went to a share (model revenue or royalty) or into fees.
    function invariant_routedRevenueEqualsCharges() public view {
        (, uint256 spent) = _sessionSums();
        assertEq(handler.ghostCharged(), spent, "charges = session spending");
        uint256 routed = baseShare.depositedRevenue() + derivativeShare.depositedRevenue();
        assertEq(routed + _unclaimedFees() + handler.ghostFeesClaimed(), handler.ghostCharged(), "routed = charged");
        assertEq(
            lens.usageStats(baseModel).charged + lens.usageStats(derivative).charged,
            handler.ghostCharged(),
            "stats charged"
        );
    }

    /// @dev A replayed batch is refused as out of order, never for another reason, and never settles; no other
    /// handler call reverts (fail-on-revert).
    /// forge-config: default.invariant.fail-on-revert = true
    /// forge-config: ci.invariant.fail-on-revert = true
    function invariant_replayRefusedAsOutOfOrder() public view {
        assertFalse(handler.ghostUnexpectedRevert(), "a replay reverted for another reason than BatchOutOfOrder");
    }
}
