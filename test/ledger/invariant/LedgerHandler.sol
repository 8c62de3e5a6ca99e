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
import {Test} from "forge-std/Test.sol";

/// @notice What the handler needs to sign quotes and batches.
interface ISigner {
    function quoteFor(uint256 enclavePk, uint256 modelId, uint256 timestamp) external view returns (bytes memory);
}

/// @notice Drives the ledger as buyers, keepers and time do, and keeps ghost variables of what it should hold.
contract LedgerHandler is Test {
    InferenceLedger internal ledger;
    InferenceLedgerLens internal lens;
    EnclaveRegistry internal enclaves;
    MockStablecoin internal stablecoin;
    ISigner internal signer;
    uint256[2] internal models;
    uint256[2] internal enclavePks;

    address[] internal buyers;
    address[] internal keepers;
    uint256[] public sessionIds;
    uint256 internal lastAttestedAt;

    /* GHOSTS */

    /// @dev Stablecoin buyers put into sessions (open + top-ups).
    uint256 public ghostDeposited;
    /// @dev Stablecoin refunded to buyers.
    uint256 public ghostRefunded;
    /// @dev Sum of `settle` return values.
    uint256 public ghostCharged;
    /// @dev Fees paid out by claims.
    uint256 public ghostFeesClaimed;
    /// @dev Per session: deposits, and the sequence last seen (to check it never decreases).
    mapping(uint256 sessionId => uint256) public ghostSessionDeposits;
    mapping(uint256 sessionId => uint256) public ghostLastSequence;
    /// @dev Set when a receipt (session, sequence) is charged twice or a sequence goes down.
    mapping(uint256 sessionId => mapping(uint256 sequence => bool)) internal _charged;
    bool public ghostDoubleCharge;
    bool public ghostSequenceDecreased;
    /// @dev Set when a session is charged at or after its refund time (`expiry + SETTLEMENT_GRACE`).
    bool public ghostChargedPastGrace;
    /// @dev Replays attempted and rejected.
    uint256 public replaysRejected;
    uint256 public settlements;

    constructor(
        InferenceLedger ledger_,
        EnclaveRegistry enclaves_,
        MockStablecoin stablecoin_,
        ISigner signer_,
        uint256[2] memory models_,
        uint256[2] memory enclavePks_
    ) {
        ledger = ledger_;
        lens = new InferenceLedgerLens(ledger_);
        enclaves = enclaves_;
        stablecoin = stablecoin_;
        signer = signer_;
        models = models_;
        enclavePks = enclavePks_;
        for (uint256 i; i < 4; ++i) {
            buyers.push(makeAddr(string.concat("invBuyer", vm.toString(i))));
            keepers.push(makeAddr(string.concat("invKeeper", vm.toString(i))));
        }
        lastAttestedAt = block.timestamp;
    }

    function sessionCount() external view returns (uint256) {
        return sessionIds.length;
    }

    function keeperCount() external view returns (uint256) {
        return keepers.length;
    }

    function keeperAt(uint256 i) external view returns (address) {
        return keepers[i];
    }

    /* ACTIONS */

    function openSession(uint256 actorSeed, uint256 modelSeed, uint256 budget, uint256 duration) external {
        address buyer = buyers[actorSeed % buyers.length];
        uint256 modelId = models[modelSeed % 2];
        budget = bound(budget, 1, 1000e6);
        duration = bound(duration, 1, ledger.MAX_SESSION_DURATION());
        stablecoin.mint(buyer, budget);
        vm.startPrank(buyer);
        stablecoin.approve(address(ledger), budget);
        uint256 gatewayId = enclaves.enclaveKey(vm.addr(enclavePks[modelSeed % 2])).gatewayId;
        uint256 sessionId = ledger.openSession(modelId, gatewayId, budget, block.timestamp + duration, 0);
        vm.stopPrank();
        sessionIds.push(sessionId);
        ghostDeposited += budget;
        ghostSessionDeposits[sessionId] += budget;
    }

    function topUp(uint256 sessionSeed, uint256 amount) external {
        if (sessionIds.length == 0) return;
        uint256 sessionId = sessionIds[sessionSeed % sessionIds.length];
        Session memory session = lens.getSession(sessionId);
        if (session.closed) return;
        amount = bound(amount, 1, 100e6);
        stablecoin.mint(session.buyer, amount);
        vm.startPrank(session.buyer);
        stablecoin.approve(address(ledger), amount);
        ledger.topUpSession(sessionId, amount, 0);
        vm.stopPrank();
        ghostDeposited += amount;
        ghostSessionDeposits[sessionId] += amount;
    }

    function close(uint256 sessionSeed) external {
        if (sessionIds.length == 0) return;
        uint256 sessionId = sessionIds[sessionSeed % sessionIds.length];
        Session memory session = lens.getSession(sessionId);
        if (session.closed) return;
        if (block.timestamp < session.expiry) {
            vm.prank(session.buyer);
            ledger.closeSession(sessionId);
            return;
        }
        if (block.timestamp < uint256(session.expiry) + ledger.SETTLEMENT_GRACE()) return;
        uint256 refund = ledger.closeSession(sessionId);
        ghostRefunded += refund;
    }

    function warp(uint256 seconds_) external {
        seconds_ = bound(seconds_, 1, 2 days);
        vm.warp(block.timestamp + seconds_);
        vm.roll(block.number + seconds_ / 12 + 1);
    }

    struct Built {
        uint256 modelId;
        uint256[] ids;
        uint256[] receipts;
        bytes32 commitment;
        address enclave;
        bytes signature;
        uint256 batchNumber;
        uint256 servedPricing;
    }

    function _usageBatch(Built memory b) internal pure returns (UsageBatch memory) {
        return UsageBatch(b.modelId, b.batchNumber, b.servedPricing, b.ids, b.receipts, b.commitment, b.enclave);
    }

    /// @dev Settles a valid batch for up to 4 sessions of one model, 1-6 receipts each with fresh sequences.
    function settle(uint256 modelSeed, uint256 sessionSeed, uint256 groups, uint256 receiptSeed, uint256 keeperSeed)
        external
    {
        _attest();
        Built memory b = _build(modelSeed % 2, sessionSeed, bound(groups, 1, 4), receiptSeed);
        if (b.ids.length == 0) return;
        uint256[] memory spentBefore = new uint256[](b.ids.length);
        for (uint256 g; g < b.ids.length; ++g) {
            spentBefore[g] = lens.getSession(b.ids[g]).spent;
        }
        vm.prank(keepers[keeperSeed % keepers.length]);
        uint256 charged = ledger.settle(_usageBatch(b), b.signature);
        for (uint256 g; g < b.ids.length; ++g) {
            Session memory session = lens.getSession(b.ids[g]);
            bool pastGrace = block.timestamp >= uint256(session.expiry) + ledger.SETTLEMENT_GRACE();
            if (pastGrace && session.spent != spentBefore[g]) ghostChargedPastGrace = true;
        }
        ghostCharged += charged;
        settlements++;
        for (uint256 i; i < b.receipts.length; ++i) {
            (uint256 index, uint256 sequence,,,) = ReceiptLib.unpack(b.receipts[i]);
            if (_charged[b.ids[index]][sequence]) ghostDoubleCharge = true;
            _charged[b.ids[index]][sequence] = true;
        }
        _trackSequences();
        _last = b;
    }

    Built internal _last;
    /// @dev Set when a replay reverted for another reason than being out of order.
    bool public ghostUnexpectedRevert;

    function _build(uint256 m, uint256 sessionSeed, uint256 groups, uint256 receiptSeed)
        internal
        view
        returns (Built memory b)
    {
        b.modelId = models[m];
        b.ids = _pick(b.modelId, sessionSeed, groups);
        if (b.ids.length == 0) return b;
        b.receipts = _receipts(b.ids, receiptSeed);
        b.commitment = bytes32(receiptSeed);
        b.enclave = vm.addr(enclavePks[m]);
        uint256 gatewayId = enclaves.enclaveKey(b.enclave).gatewayId;
        // Signed and settled in one step: the gateway's next batch.
        b.batchNumber = ledger.settledBatches(gatewayId) + 1;
        (uint80 input, uint80 output, uint80 reasoning) = _pricing(b.modelId);
        b.servedPricing = uint256(input) << 160 | uint256(output) << 80 | reasoning;
        bytes32 digest = lens.usageBatchDigest(_usageBatch(b), gatewayId);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(enclavePks[m], digest);
        b.signature = abi.encodePacked(r, s, v);
    }

    /// @dev Up to `groups` distinct sessions of `modelId`, starting from a random one.
    function _pick(uint256 modelId, uint256 sessionSeed, uint256 groups) internal view returns (uint256[] memory ids) {
        uint256[] memory picked = new uint256[](groups);
        uint256 n;
        for (uint256 i; i < sessionIds.length && n < groups; ++i) {
            uint256 sessionId = sessionIds[(sessionSeed % sessionIds.length + i) % sessionIds.length];
            if (lens.getSession(sessionId).modelId != modelId) continue;
            picked[n++] = sessionId;
        }
        ids = new uint256[](n);
        for (uint256 g; g < n; ++g) {
            ids[g] = picked[g];
        }
    }

    /// @dev 1-6 receipts per session with sequences above the settled one (gaps of 0-1).
    function _receipts(uint256[] memory ids, uint256 receiptSeed) internal view returns (uint256[] memory receipts) {
        uint256[] memory counts = new uint256[](ids.length);
        uint256 total;
        for (uint256 g; g < ids.length; ++g) {
            counts[g] = 1 + uint256(keccak256(abi.encode(receiptSeed, g))) % 6;
            total += counts[g];
        }
        receipts = new uint256[](total);
        uint256 k;
        for (uint256 g; g < ids.length; ++g) {
            uint256 sequence = lens.getSession(ids[g]).lastSequence;
            for (uint256 j; j < counts[g]; ++j) {
                uint256 h = uint256(keccak256(abi.encode(receiptSeed, g, j)));
                sequence += 1 + h % 2;
                receipts[k++] = ReceiptLib.pack(g, sequence, h % 5000, (h >> 32) % 3000, (h >> 64) % 20_000);
            }
        }
    }

    /// @dev Re-submits the last settled batch: it must revert with `BatchOutOfOrder` (its gateway has moved past it)
    /// and change nothing. Any other outcome is recorded as a violation.
    function replay(uint256 keeperSeed) external {
        Built memory b = _last;
        if (b.receipts.length == 0) return;
        _attest();
        uint256 balance = stablecoin.balanceOf(address(ledger));
        vm.prank(keepers[keeperSeed % keepers.length]);
        try ledger.settle(_usageBatch(b), b.signature) returns (uint256) {
            ghostDoubleCharge = true;
        } catch (bytes memory reason) {
            if (bytes4(reason) == IInferenceLedger.BatchOutOfOrder.selector) replaysRejected++;
            else ghostUnexpectedRevert = true;
        }
        if (stablecoin.balanceOf(address(ledger)) != balance) ghostDoubleCharge = true;
    }

    function claimFees(uint256 keeperSeed) external {
        address keeper = keepers[keeperSeed % keepers.length];
        vm.prank(keeper);
        ghostFeesClaimed += ledger.claimSubmitterFees(keeper);
    }

    function claimProtocolFees() external {
        vm.prank(ledger.owner());
        ghostFeesClaimed += ledger.claimProtocolFees(address(this));
    }

    /* INTERNAL */

    function _pricing(uint256 modelId) internal view returns (uint80, uint80, uint80) {
        Pricing memory pricing = IModelRegistry(ledger.modelRegistry()).pricingOf(modelId);
        return (pricing.inputPerMTok, pricing.outputPerMTok, pricing.reasoningPerMTok);
    }

    /// @dev Keeps both enclave keys attested (they expire one day after their quote).
    function _attest() internal {
        if (block.timestamp <= lastAttestedAt) return;
        for (uint256 m; m < 2; ++m) {
            if (enclaves.keyStatus(vm.addr(enclavePks[m]), models[m]) == KeyStatus.Valid) continue;
            enclaves.registerEnclave(models[m], signer.quoteFor(enclavePks[m], models[m], block.timestamp));
        }
        lastAttestedAt = block.timestamp;
    }

    function _trackSequences() internal {
        for (uint256 i; i < sessionIds.length; ++i) {
            uint256 sequence = lens.getSession(sessionIds[i]).lastSequence;
            if (sequence < ghostLastSequence[sessionIds[i]]) ghostSequenceDecreased = true;
            ghostLastSequence[sessionIds[i]] = sequence;
        }
    }
}
