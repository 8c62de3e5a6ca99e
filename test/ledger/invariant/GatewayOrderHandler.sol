// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {EnclaveRegistry} from "../../../src/inference/EnclaveRegistry.sol";
import {InferenceLedger} from "../../../src/inference/InferenceLedger.sol";
import {KeyStatus} from "../../../src/inference/interfaces/IEnclaveRegistry.sol";
import {IInferenceLedger, Session, UsageBatch} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {ReceiptLib} from "../../../src/inference/libraries/ReceiptLib.sol";
import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {InferenceLedgerLens} from "../../../src/periphery/InferenceLedgerLens.sol";
import {IModelRegistry, Pricing} from "../../../src/registry/interfaces/IModelRegistry.sol";
import {ISigner} from "./LedgerHandler.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Three gateways of one model: two honest ones that serve only the sessions bound to them and sign their
/// receipts in batches, and a rogue one that signs arbitrary sequences for any session. Anyone submits any signed
/// batch of any gateway, in any order, any number of times. A reference model of the ledger, applied when a batch
/// settles, gives what each session must have paid.
contract GatewayOrderHandler is Test {
    uint256 internal constant GATEWAYS = 3;
    uint256 internal constant ROGUE = 2;
    uint256 internal constant MAX_PENDING = 48;

    InferenceLedger internal ledger;
    InferenceLedgerLens internal lens;
    EnclaveRegistry internal enclaves;
    MockStablecoin internal stablecoin;
    ISigner internal signer;
    uint256 internal modelId;
    uint256[GATEWAYS] internal pks;
    uint256[GATEWAYS] public gatewayIds;
    uint256 internal servedPricing;
    Pricing internal pricing;
    address[] internal buyers;
    address[] internal keepers;

    uint256[] public sessionIds;
    mapping(uint256 sessionId => uint256 gateway) public sessionGateway;
    /// @dev The last sequence the session's own gateway assigned.
    mapping(uint256 sessionId => uint256) public lastServed;

    /// @dev Served receipts not yet in a batch, per gateway, in serving order.
    mapping(uint256 gateway => uint256[]) internal _pendingSessions;
    mapping(uint256 gateway => uint256[]) internal _pendingWords;
    /// @dev `abi.encode(UsageBatch, signature)` of each signed batch, per gateway, in signing order.
    mapping(uint256 gateway => bytes[]) internal _signed;

    /* GHOSTS: the reference model */

    mapping(uint256 sessionId => uint256) public ghostSpent;
    mapping(uint256 sessionId => uint256) public ghostLastSequence;
    mapping(uint256 gateway => uint256) public ghostSettledBatches;
    bool public ghostOutOfOrderSettled;
    bool public ghostUnexpectedRevert;
    /// @dev Set when a settlement charged another total than the reference model.
    bool public ghostChargeMismatch;
    uint256 public settlements;
    uint256 public refusedOutOfOrder;

    constructor(
        InferenceLedger ledger_,
        EnclaveRegistry enclaves_,
        MockStablecoin stablecoin_,
        ISigner signer_,
        uint256 modelId_,
        uint256[GATEWAYS] memory pks_
    ) {
        ledger = ledger_;
        lens = new InferenceLedgerLens(ledger_);
        enclaves = enclaves_;
        stablecoin = stablecoin_;
        signer = signer_;
        modelId = modelId_;
        pks = pks_;
        for (uint256 g; g < GATEWAYS; ++g) {
            gatewayIds[g] = enclaves.enclaveKey(vm.addr(pks[g])).gatewayId;
        }
        pricing = IModelRegistry(ledger.modelRegistry()).pricingOf(modelId);
        servedPricing =
            uint256(pricing.inputPerMTok) << 160 | uint256(pricing.outputPerMTok) << 80 | pricing.reasoningPerMTok;
        for (uint256 i; i < 3; ++i) {
            buyers.push(makeAddr(string.concat("orderBuyer", vm.toString(i))));
            keepers.push(makeAddr(string.concat("orderKeeper", vm.toString(i))));
        }
    }

    /* ACTIONS */

    function openSession(uint256 buyerSeed, uint256 gatewaySeed, uint256 budget) external {
        address buyer = buyers[buyerSeed % buyers.length];
        uint256 gateway = gatewaySeed % GATEWAYS;
        budget = bound(budget, 1, 50e6);
        stablecoin.mint(buyer, budget);
        vm.startPrank(buyer);
        stablecoin.approve(address(ledger), budget);
        uint256 sessionId = ledger.openSession(
            modelId, gatewayIds[gateway], budget, block.timestamp + ledger.MAX_SESSION_DURATION(), 0
        );
        vm.stopPrank();
        sessionIds.push(sessionId);
        sessionGateway[sessionId] = gateway;
    }

    /// @dev An honest gateway serves 1-4 requests of one of its own sessions.
    function serve(uint256 gatewaySeed, uint256 sessionSeed, uint256 count, uint256 tokenSeed) external {
        uint256 gateway = gatewaySeed % ROGUE;
        uint256 sessionId = _sessionOf(gateway, sessionSeed);
        if (sessionId == 0 || _pendingWords[gateway].length >= MAX_PENDING) return;
        count = bound(count, 1, 4);
        for (uint256 j; j < count; ++j) {
            uint256 h = uint256(keccak256(abi.encode(tokenSeed, j)));
            uint256 sequence = ++lastServed[sessionId];
            _pendingSessions[gateway].push(sessionId);
            _pendingWords[gateway].push(ReceiptLib.pack(0, sequence, h % 4000, (h >> 32) % 2000, (h >> 64) % 8000));
        }
    }

    /// @dev An honest gateway signs everything it served since its last batch as its next batch.
    function sign(uint256 gatewaySeed) external {
        uint256 gateway = gatewaySeed % ROGUE;
        uint256[] memory sessions = _pendingSessions[gateway];
        if (sessions.length == 0) return;
        uint256[] memory words = _pendingWords[gateway];
        delete _pendingSessions[gateway];
        delete _pendingWords[gateway];
        (uint256[] memory ids, uint256[] memory receipts) = _group(sessions, words);
        _signBatch(gateway, ids, receipts);
    }

    /// @dev The rogue gateway signs 1-3 receipts with sequences of its choosing for a session of any gateway.
    function rogueSign(uint256 sessionSeed, uint256 firstSequence, uint256 count, uint256 tokenSeed) external {
        if (sessionIds.length == 0) return;
        uint256 sessionId = sessionIds[sessionSeed % sessionIds.length];
        firstSequence = bound(firstSequence, 1, 40);
        count = bound(count, 1, 3);
        uint256[] memory receipts = new uint256[](count);
        for (uint256 j; j < count; ++j) {
            uint256 h = uint256(keccak256(abi.encode(tokenSeed, j)));
            receipts[j] = ReceiptLib.pack(0, firstSequence + j, h % 40_000, (h >> 32) % 20_000, (h >> 64) % 80_000);
        }
        uint256[] memory ids = new uint256[](1);
        ids[0] = sessionId;
        _signBatch(ROGUE, ids, receipts);
    }

    /// @dev Anyone submits any signed batch of any gateway: it settles exactly when it is that gateway's next.
    function submit(uint256 gatewaySeed, uint256 indexSeed, uint256 keeperSeed) external {
        uint256 gateway = gatewaySeed % GATEWAYS;
        uint256 batches = _signed[gateway].length;
        if (batches == 0) return;
        _submit(gateway, indexSeed % batches, keepers[keeperSeed % keepers.length]);
    }

    function warp(uint256 seconds_) external {
        seconds_ = bound(seconds_, 1, 2 hours);
        vm.warp(block.timestamp + seconds_);
        vm.roll(block.number + seconds_ / 12 + 1);
    }

    /// @dev Signs what honest gateways still hold and settles every gateway's batches in order.
    function drain() external {
        for (uint256 g; g < ROGUE; ++g) {
            this.sign(g);
        }
        for (uint256 g; g < GATEWAYS; ++g) {
            for (uint256 i = ledger.settledBatches(gatewayIds[g]); i < _signed[g].length; ++i) {
                _submit(g, i, keepers[0]);
            }
        }
    }

    /* VIEWS */

    function sessionCount() external view returns (uint256) {
        return sessionIds.length;
    }

    function signedCount(uint256 gateway) external view returns (uint256) {
        return _signed[gateway].length;
    }

    /* INTERNAL */

    function _submit(uint256 gateway, uint256 index, address keeper) internal {
        _attest();
        (UsageBatch memory batch, bytes memory signature) = abi.decode(_signed[gateway][index], (UsageBatch, bytes));
        uint256 expected = ledger.settledBatches(gatewayIds[gateway]) + 1;
        vm.prank(keeper);
        try ledger.settle(batch, signature) returns (uint256 charged) {
            if (batch.batchNumber != expected) ghostOutOfOrderSettled = true;
            uint256 modelled = _applyToModel(gateway, batch);
            if (modelled != charged) ghostChargeMismatch = true;
            ghostSettledBatches[gateway]++;
            settlements++;
        } catch (bytes memory reason) {
            bool outOfOrder = bytes4(reason) == IInferenceLedger.BatchOutOfOrder.selector;
            if (!outOfOrder || batch.batchNumber == expected) ghostUnexpectedRevert = true;
            refusedOutOfOrder++;
        }
    }

    /// @dev The reference model of a settled batch: per session group, receipts of another gateway's session and
    /// receipts at or below the settled sequence are skipped; the rest is priced once per group, rounded up, and
    /// charged up to the remaining budget, nothing from the session's refund time on. Returns the total charged.
    function _applyToModel(uint256 gateway, UsageBatch memory batch) internal returns (uint256 charged) {
        uint256 i;
        uint256 n = batch.receipts.length;
        while (i < n) {
            uint256 index = batch.receipts[i] >> ReceiptLib.SESSION_INDEX_SHIFT;
            uint256 sessionId = batch.sessionIds[index];
            uint256 numerator;
            uint256 last = ghostLastSequence[sessionId];
            bool own = sessionGateway[sessionId] == gateway;
            bool fresh;
            for (; i < n && batch.receipts[i] >> ReceiptLib.SESSION_INDEX_SHIFT == index; ++i) {
                (, uint256 sequence, uint256 input, uint256 output, uint256 reasoning) =
                    ReceiptLib.unpack(batch.receipts[i]);
                if (!own || sequence <= ghostLastSequence[sessionId]) continue;
                fresh = true;
                last = sequence;
                numerator += input * pricing.inputPerMTok + output * pricing.outputPerMTok + reasoning
                    * pricing.reasoningPerMTok;
            }
            if (!fresh) continue;
            Session memory session = lens.getSession(sessionId);
            uint256 cost = (numerator + 1e6 - 1) / 1e6;
            uint256 remaining = session.budget - ghostSpent[sessionId];
            bool pastGrace = block.timestamp >= uint256(session.expiry) + ledger.SETTLEMENT_GRACE();
            uint256 charge = pastGrace ? 0 : (cost < remaining ? cost : remaining);
            ghostSpent[sessionId] += charge;
            ghostLastSequence[sessionId] = last;
            charged += charge;
        }
    }

    function _signBatch(uint256 gateway, uint256[] memory ids, uint256[] memory receipts) internal {
        UsageBatch memory batch = UsageBatch({
            modelId: modelId,
            batchNumber: _signed[gateway].length + 1,
            servedPricing: servedPricing,
            sessionIds: ids,
            receipts: receipts,
            requestsCommitment: keccak256(abi.encode(gateway, receipts)),
            enclave: vm.addr(pks[gateway])
        });
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(pks[gateway], lens.usageBatchDigest(batch, gatewayIds[gateway]));
        _signed[gateway].push(abi.encode(batch, abi.encodePacked(r, s, v)));
    }

    /// @dev Groups served receipts by session, in order of first appearance, and sets their session index.
    function _group(uint256[] memory sessions, uint256[] memory words)
        internal
        pure
        returns (uint256[] memory ids, uint256[] memory receipts)
    {
        uint256[] memory distinct = new uint256[](sessions.length);
        uint256 count;
        for (uint256 i; i < sessions.length; ++i) {
            bool seen;
            for (uint256 j; j < count; ++j) {
                if (distinct[j] == sessions[i]) seen = true;
            }
            if (!seen) distinct[count++] = sessions[i];
        }
        ids = new uint256[](count);
        receipts = new uint256[](words.length);
        uint256 k;
        for (uint256 g; g < count; ++g) {
            ids[g] = distinct[g];
            for (uint256 i; i < sessions.length; ++i) {
                if (sessions[i] == distinct[g]) receipts[k++] = words[i] | (g << ReceiptLib.SESSION_INDEX_SHIFT);
            }
        }
    }

    /// @dev A session of `gateway`, starting the search at a random one; 0 when it has none.
    function _sessionOf(uint256 gateway, uint256 seed) internal view returns (uint256) {
        uint256 n = sessionIds.length;
        for (uint256 i; i < n; ++i) {
            uint256 sessionId = sessionIds[(seed % n + i) % n];
            if (sessionGateway[sessionId] == gateway) return sessionId;
        }
        return 0;
    }

    /// @dev Keeps every gateway key attested (keys expire a day after their quote).
    function _attest() internal {
        for (uint256 g; g < GATEWAYS; ++g) {
            address key = vm.addr(pks[g]);
            if (enclaves.keyStatus(key, modelId) == KeyStatus.Valid) continue;
            enclaves.registerEnclave(modelId, signer.quoteFor(pks[g], modelId, block.timestamp));
        }
    }
}
