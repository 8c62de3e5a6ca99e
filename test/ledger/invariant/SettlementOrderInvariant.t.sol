// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Session} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";
import {GatewayOrderHandler} from "./GatewayOrderHandler.sol";
import {ISigner} from "./LedgerHandler.sol";

/// forge-config: default.invariant.runs = 32
/// forge-config: default.invariant.depth = 96
/// @notice Every receipt a gateway signed for one of its own funded sessions is charged exactly once, whatever order
/// anyone submits the batches of several gateways in, and nothing another gateway signs charges a session it does
/// not serve.
contract SettlementOrderInvariantTest is LedgerBaseTest, ISigner {
    uint256 internal constant SECOND_GATEWAY_PK = 0x5EC0D;
    uint256 internal constant ROGUE_GATEWAY_PK = 0x0606E;

    GatewayOrderHandler internal handler;

    function setUp() public override {
        super.setUp();
        _registerEnclave(baseModel, SECOND_GATEWAY_PK, MEASUREMENT, block.timestamp);
        _registerEnclave(baseModel, ROGUE_GATEWAY_PK, MEASUREMENT, block.timestamp);
        handler = new GatewayOrderHandler(
            ledger,
            enclaves,
            stablecoin,
            ISigner(address(this)),
            baseModel,
            [ENCLAVE_PK, SECOND_GATEWAY_PK, ROGUE_GATEWAY_PK]
        );
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = GatewayOrderHandler.openSession.selector;
        selectors[1] = GatewayOrderHandler.serve.selector;
        selectors[2] = GatewayOrderHandler.serve.selector;
        selectors[3] = GatewayOrderHandler.sign.selector;
        selectors[4] = GatewayOrderHandler.rogueSign.selector;
        selectors[5] = GatewayOrderHandler.submit.selector;
        selectors[6] = GatewayOrderHandler.submit.selector;
        selectors[7] = GatewayOrderHandler.warp.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    function quoteFor(uint256 enclavePk, uint256 modelId, uint256 timestamp) external view returns (bytes memory) {
        return _devQuote(enclavePk, modelId, MEASUREMENT, timestamp);
    }

    /// @dev Each session paid exactly what the reference model charged for the batches settled so far.
    function invariant_eachSessionPaysWhatItsGatewayServed() public view {
        uint256 n = handler.sessionCount();
        for (uint256 i; i < n; ++i) {
            uint256 sessionId = handler.sessionIds(i);
            Session memory session = lens.getSession(sessionId);
            assertEq(session.spent, handler.ghostSpent(sessionId), "spent = reference model");
            assertEq(session.lastSequence, handler.ghostLastSequence(sessionId), "settled sequence = reference model");
            assertLe(session.spent, session.budget, "spent <= budget");
        }
        assertFalse(handler.ghostChargeMismatch(), "a settlement charged another total than the reference model");
    }

    function invariant_onlyEachGatewaysNextBatchSettles() public view {
        assertFalse(handler.ghostOutOfOrderSettled(), "a batch settled out of its gateway's signing order");
        for (uint256 g; g < 3; ++g) {
            assertEq(
                ledger.settledBatches(handler.gatewayIds(g)), handler.ghostSettledBatches(g), "settled batch count"
            );
        }
    }

    function invariant_refusedOnlyAsOutOfOrder() public view {
        assertFalse(handler.ghostUnexpectedRevert(), "a submission reverted for another reason than its order");
    }

    /// @dev Once every signed batch is submitted in order, every receipt an honest gateway served for its own
    /// sessions is settled: charged once (per the model), never lost, whatever was submitted before.
    function afterInvariant() public {
        handler.drain();
        uint256 n = handler.sessionCount();
        for (uint256 i; i < n; ++i) {
            uint256 sessionId = handler.sessionIds(i);
            Session memory session = lens.getSession(sessionId);
            assertEq(session.spent, handler.ghostSpent(sessionId), "after drain: spent = reference model");
            if (handler.sessionGateway(sessionId) != 2) {
                assertEq(session.lastSequence, handler.lastServed(sessionId), "every served receipt settled");
            }
        }
        for (uint256 g; g < 3; ++g) {
            assertEq(ledger.settledBatches(handler.gatewayIds(g)), handler.signedCount(g), "every batch settled");
        }
    }
}
