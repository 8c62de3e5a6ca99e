// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MeasurementStatus} from "../../src/inference/interfaces/IEnclaveRegistry.sol";
import {Pricing} from "../../src/registry/interfaces/IModelRegistry.sol";
import {Batch, LedgerBaseTest} from "../ledger/LedgerBaseTest.sol";

/// @notice Attacks on settlement from an outside review: usage a gateway served and signed must be charged, exactly
/// once, whoever submits which batch in which order, whatever a second gateway or the model owner does in
/// between. Each test plays the attack, lets an honest keeper retry everything in signing order, and asserts the
/// money: the victim session pays what its own gateway served, at the price in force when it was served.
contract SettlementAttacksTest is LedgerBaseTest {
    uint256 internal constant OTHER_GATEWAY_PK = 0x0BAD6A7E;
    uint256 internal constant ROGUE_PK = 0x0E71C0DE;

    /// @dev `count` receipts for session index `index` with sequences from `first`; `scale` multiplies the tokens.
    function _run(uint256 index, uint256 first, uint256 count, uint256 scale)
        internal
        pure
        returns (uint256[] memory words)
    {
        words = new uint256[](count);
        for (uint256 i; i < count; ++i) {
            words[i] = _receipt(index, first + i, 1000 * scale, 500 * scale, 2000 * scale);
        }
    }

    function _batch(uint256 modelId, uint256[] memory sessionIds, uint256[] memory receipts, bytes32 tag)
        internal
        pure
        returns (Batch memory batch)
    {
        batch.modelId = modelId;
        batch.sessionIds = sessionIds;
        batch.receipts = receipts;
        batch.requestsCommitment = tag;
    }

    function _concat(uint256[] memory a, uint256[] memory b) internal pure returns (uint256[] memory c) {
        c = new uint256[](a.length + b.length);
        for (uint256 i; i < a.length; ++i) {
            c[i] = a[i];
        }
        for (uint256 i; i < b.length; ++i) {
            c[a.length + i] = b[i];
        }
    }

    /// @dev Attack 1: a bystander submits a gateway's second batch before its first. Before the fix the first
    /// batch reverted as a whole (`StaleSequence`), so the victim paid only the second batch and a bystander
    /// session in the first paid nothing.
    function test_attack_settleNextBatchFirst_cannotVoidTheEarlierBatch() public {
        uint256 victim = _openSessionServedBy(buyer, baseModel, 100 * USDC, enclave);
        uint256 bystander = _openSessionServedBy(otherBuyer, baseModel, 100 * USDC, enclave);

        uint256[] memory firstVictim = _run(0, 1, 12, 1);
        uint256[] memory firstBystander = _run(1, 1, 3, 1);
        Batch memory first =
            _sign(_batch(baseModel, _ids(victim, bystander), _concat(firstVictim, firstBystander), "b1"), ENCLAVE_PK);
        Batch memory second = _sign(_batch(baseModel, _ids(victim), _run(0, 13, 1, 1), "b2"), ENCLAVE_PK);
        uint256 servedVictim = _costOf(firstVictim, 0, 12) + _costOf(second.receipts, 0, 1);
        uint256 servedBystander = _costOf(firstBystander, 0, 3);

        bool attackerSettled = _attempt(attacker, second);
        // The honest keeper relays in signing order and retries what did not settle.
        _attempt(keeper, first);
        if (!attackerSettled) _attempt(keeper, second);

        emit log_named_uint("attacker's submitter fee", ledger.submitterFees(attacker));
        assertEq(lens.getSession(victim).spent, servedVictim, "victim pays everything its gateway served");
        assertEq(lens.getSession(bystander).spent, servedBystander, "bystander pays what it was served");
        assertEq(lens.usageStats(baseModel).requests, 16, "every receipt counted once");
    }

    /// @dev Attack 2a: another valid gateway of the same model settles a zero-token decoy over the victim's
    /// sequences first; before the fix the victim's own gateway could then charge almost nothing.
    function test_attack_secondGatewayDecoy_cannotVoidServedUsage() public {
        _registerEnclave(baseModel, OTHER_GATEWAY_PK, MEASUREMENT, block.timestamp);
        uint256 victim = _openSessionServedBy(buyer, baseModel, 100 * USDC, enclave);

        Batch memory served = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 10, 1), "served"), ENCLAVE_PK);
        Batch memory decoy = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 10, 0), "decoy"), OTHER_GATEWAY_PK);

        _attempt(attacker, decoy);
        _attempt(keeper, served);

        assertEq(lens.getSession(victim).spent, _costOf(served.receipts, 0, 10), "served usage charged in full");
        assertEq(lens.getSession(victim).lastSequence, 10, "sequences advanced by the session's gateway only");
    }

    /// @dev Attack 2b: another gateway settles one zero-token receipt at the highest sequence, which used to leave the
    /// session unchargeable for ever.
    function test_attack_secondGatewayMaxSequence_cannotFreezeTheSession() public {
        _registerEnclave(baseModel, OTHER_GATEWAY_PK, MEASUREMENT, block.timestamp);
        uint256 victim = _openSessionServedBy(buyer, baseModel, 100 * USDC, enclave);

        uint256[] memory frozen = new uint256[](1);
        frozen[0] = _receipt(0, (1 << 48) - 1, 0, 0, 0);
        _attempt(attacker, _sign(_batch(baseModel, _ids(victim), frozen, "freeze"), OTHER_GATEWAY_PK));
        Batch memory served = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 5, 1), "served"), ENCLAVE_PK);
        _attempt(keeper, served);

        assertEq(lens.getSession(victim).spent, _costOf(served.receipts, 0, 5), "the session stays chargeable");
    }

    /// @dev Attack 2c: two gateways serve the same session with the same sequences; whichever settles first used to
    /// charge and void the other. Only the session's own gateway may charge it.
    function test_attack_twoGatewaysSameSequences_onlyTheSessionsGatewayCharges() public {
        _registerEnclave(baseModel, OTHER_GATEWAY_PK, MEASUREMENT, block.timestamp);
        uint256 victim = _openSessionServedBy(buyer, baseModel, 100 * USDC, enclave);

        Batch memory own = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 10, 1), "own"), ENCLAVE_PK);
        Batch memory foreign = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 10, 3), "foreign"), OTHER_GATEWAY_PK);

        _attempt(attacker, foreign);
        _attempt(keeper, own);

        assertEq(lens.getSession(victim).spent, _costOf(own.receipts, 0, 10), "charged exactly its gateway's usage");
    }

    /// @dev Attack 3: the model owner admits a new measurement and signs arbitrary usage for every open session with
    /// a key under it. Buyers approved the code their gateway ran when they paid.
    function test_attack_ownerAdmitsMeasurement_cannotDrainLiveSessions() public {
        uint256 victim = _openSessionServedBy(buyer, baseModel, 100 * USDC, enclave);
        uint256 victimBalance = stablecoin.balanceOf(address(ledger));

        vm.startPrank(modelOwner);
        enclaves.setModelMeasurement(baseModel, OTHER_MEASUREMENT, MeasurementStatus.Allowed);
        vm.stopPrank();
        _registerEnclave(baseModel, ROGUE_PK, OTHER_MEASUREMENT, block.timestamp);

        // 50 receipts of 500k tokens each: far more than the budget.
        Batch memory drain = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 50, 500), "drain"), ROGUE_PK);
        _attempt(modelOwner, drain);

        emit log_named_uint("victim budget drained", lens.getSession(victim).spent);
        assertEq(lens.getSession(victim).spent, 0, "nothing charged by code the buyer never approved");
        assertEq(stablecoin.balanceOf(address(ledger)), victimBalance, "nothing left the ledger");
    }

    /// @dev Attack 3, by rotation: the session's gateway key rotates to a key under the newly admitted measurement,
    /// which then signs for the open session.
    function test_attack_rotationToNewMeasurement_cannotDrainLiveSessions() public {
        uint256 victim = _openSessionServedBy(buyer, baseModel, 100 * USDC, enclave);
        vm.prank(modelOwner);
        enclaves.setModelMeasurement(baseModel, OTHER_MEASUREMENT, MeasurementStatus.Allowed);

        bytes memory quote = _devQuote(ROGUE_PK, baseModel, OTHER_MEASUREMENT, block.timestamp);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ENCLAVE_PK, enclaves.rotationDigest(enclave, vm.addr(ROGUE_PK)));
        (bool rotated,) = address(enclaves)
            .call(abi.encodeCall(enclaves.rotateEnclaveKey, (enclave, quote, abi.encodePacked(r, s, v))));
        emit log_named_uint("rotation to another measurement accepted", rotated ? 1 : 0);

        Batch memory drain = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 50, 500), "drain"), ROGUE_PK);
        _attempt(modelOwner, drain);

        assertEq(lens.getSession(victim).spent, 0, "a rotation cannot change the code a session approved");
    }

    /// @dev Attack 6: receipts served at the old price are held back while the buyer extends the session past a
    /// price raise, then settled at the raised price.
    function test_attack_heldBackReceipts_notRepricedAfterExtension() public {
        uint256 victim = _openSessionServedBy(buyer, baseModel, 1000 * USDC, enclave);
        Batch memory held = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 4, 1), "held"), ENCLAVE_PK);
        uint256 servedCost = _costOf(held.receipts, 0, 4);

        vm.prank(modelOwner);
        uint256 effectiveAt = registry.setPricing(
            baseModel, Pricing(uint80(PRICE_IN * 10), uint80(PRICE_OUT * 10), uint80(PRICE_REASONING * 10))
        );
        // The buyer, active, extends its session before it runs out; the raise takes effect while it is open.
        vm.warp(block.timestamp + 20 hours);
        uint256 extendedExpiry = block.timestamp + ledger.MAX_SESSION_DURATION();
        vm.prank(buyer);
        ledger.topUpSession(victim, 0, extendedExpiry);
        vm.warp(effectiveAt);
        vm.roll(block.number + 50_000);

        // The keeper has the gateway re-sign the same receipts (same serving time) with a freshly attested key.
        _reattest();
        held = _sign(held, ENCLAVE_PK);
        _attempt(keeper, held);

        emit log_named_uint("charged", lens.getSession(victim).spent);
        assertEq(lens.getSession(victim).spent, servedCost, "charged at the price in force when served");
    }

    /// @dev Attack 7: the model is paused until its sessions' settlement grace is over: served usage became free.
    function test_attack_pausePastGrace_doesNotMakeServedUsageFree() public {
        uint256 victim = _openSession(buyer, baseModel, 200 * USDC, block.timestamp + 1 hours);
        Batch memory served = _sign(_batch(baseModel, _ids(victim), _run(0, 1, 20, 1), "served"), ENCLAVE_PK);

        vm.prank(modelOwner);
        registry.setPaused(baseModel, true);
        bool settled = _attempt(keeper, served);
        vm.warp(lens.refundableAt(victim));
        vm.prank(modelOwner);
        registry.setPaused(baseModel, false);
        if (!settled) _attempt(keeper, served);

        assertEq(lens.getSession(victim).spent, _costOf(served.receipts, 0, 20), "served usage is charged");
    }
}
