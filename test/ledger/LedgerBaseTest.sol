// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ComputeCostFeed} from "../../src/inference/ComputeCostFeed.sol";
import {DevAttestationVerifier} from "../../src/inference/DevAttestationVerifier.sol";
import {EnclaveRegistry} from "../../src/inference/EnclaveRegistry.sol";
import {InferenceLedger} from "../../src/inference/InferenceLedger.sol";
import {Attestation, IAttestationVerifier} from "../../src/inference/interfaces/IAttestationVerifier.sol";
import {MeasurementStatus} from "../../src/inference/interfaces/IEnclaveRegistry.sol";
import {UsageBatch} from "../../src/inference/interfaces/IInferenceLedger.sol";
import {ReceiptLib} from "../../src/inference/libraries/ReceiptLib.sol";
import {MockStablecoin} from "../../src/mocks/MockStablecoin.sol";
import {InferenceLedgerLens} from "../../src/periphery/InferenceLedgerLens.sol";
import {ModelRegistry} from "../../src/registry/ModelRegistry.sol";
import {ModelShare} from "../../src/registry/ModelShare.sol";
import {ModelParams, Pricing} from "../../src/registry/interfaces/IModelRegistry.sol";
import {Test} from "forge-std/Test.sol";

/// @notice A usage batch as a keeper submits it.
struct Batch {
    uint256 modelId;
    uint256[] sessionIds;
    uint256[] receipts;
    bytes32 requestsCommitment;
    address enclave;
    bytes signature;
    /// @dev Position of the batch in its gateway's signing order (from 1); 0 until signed.
    uint256 batchNumber;
    /// @dev The pricing the gateway served at, packed (`_packPricing`); 0 until signed, then the pricing in force.
    uint256 servedPricing;
}

/// @notice Deploys the ledger suite (stablecoin, model registry, dev verifier, enclave registry, cost feed,
/// ledger), registers a base model and a fine-tune of it, attests one enclave key per model and names the actors.
abstract contract LedgerBaseTest is Test {
    /* CONSTANTS */

    uint256 internal constant USDC = 1e6;
    uint256 internal constant SUPPLY = 1_000_000e18;
    uint256 internal constant PROTOCOL_FEE_BPS = 500;
    uint256 internal constant SUBMITTER_FEE_BPS = 100;
    uint256 internal constant ROYALTY_BPS = 1000;
    uint256 internal constant MAX_AGE = 1 days;
    /// @dev The shares' revenue stream period: the production default.
    uint256 internal constant STREAM_PERIOD = 1 days;
    bytes32 internal constant MEASUREMENT = keccak256("cogfi-gateway-dev-v1");
    bytes32 internal constant OTHER_MEASUREMENT = keccak256("cogfi-gateway-dev-v2");
    /// @dev Base model pricing, stablecoin units per million tokens: $0.50 input, $1.50 output, $2.00 reasoning.
    uint256 internal constant PRICE_IN = 500_000;
    uint256 internal constant PRICE_OUT = 1_500_000;
    uint256 internal constant PRICE_REASONING = 2_000_000;

    /* KEYS */

    uint256 internal constant PLATFORM_PK = 0xD1A7F0;
    uint256 internal constant ENCLAVE_PK = 0xE1C1A7E;
    uint256 internal constant DERIVATIVE_ENCLAVE_PK = 0xE1C1A7F;

    /* ACTORS */

    address internal protocolOwner = makeAddr("protocolOwner");
    address internal modelOwner = makeAddr("modelOwner");
    address internal derivativeOwner = makeAddr("derivativeOwner");
    address internal buyer = makeAddr("buyer");
    address internal otherBuyer = makeAddr("otherBuyer");
    address internal keeper = makeAddr("keeper");
    address internal otherKeeper = makeAddr("otherKeeper");
    address internal attacker = makeAddr("attacker");
    address internal platform;
    address internal enclave;
    address internal derivativeEnclave;

    /* SUITE */

    MockStablecoin internal stablecoin;
    ModelRegistry internal registry;
    DevAttestationVerifier internal verifier;
    EnclaveRegistry internal enclaves;
    ComputeCostFeed internal feed;
    InferenceLedger internal ledger;
    InferenceLedgerLens internal lens;

    uint256 internal baseModel;
    ModelShare internal baseShare;
    uint256 internal derivative;
    ModelShare internal derivativeShare;

    /// @dev Gateways of the keys `setUp` attests for the base model and the fine-tune.
    uint256 internal baseGateway;
    uint256 internal derivativeGateway;

    /// @dev Batches each gateway has signed, as a gateway numbers them.
    mapping(uint256 gatewayId => uint256) internal _signedBatches;

    function setUp() public virtual {
        platform = vm.addr(PLATFORM_PK);
        enclave = vm.addr(ENCLAVE_PK);
        derivativeEnclave = vm.addr(DERIVATIVE_ENCLAVE_PK);
        vm.label(enclave, "enclave");
        vm.label(derivativeEnclave, "derivativeEnclave");

        stablecoin = new MockStablecoin();
        registry = new ModelRegistry(address(stablecoin), STREAM_PERIOD);
        verifier = new DevAttestationVerifier(platform);
        enclaves = new EnclaveRegistry(address(registry), verifier, protocolOwner, MAX_AGE);
        feed = new ComputeCostFeed(6);
        ledger = new InferenceLedger(
            address(registry), address(enclaves), address(feed), protocolOwner, PROTOCOL_FEE_BPS, SUBMITTER_FEE_BPS
        );
        lens = new InferenceLedgerLens(ledger);
        vm.label(address(stablecoin), "stablecoin");
        vm.label(address(registry), "registry");
        vm.label(address(verifier), "verifier");
        vm.label(address(enclaves), "enclaves");
        vm.label(address(feed), "feed");
        vm.label(address(ledger), "ledger");

        address shareAddress;
        vm.prank(modelOwner);
        (baseModel, shareAddress) = registry.registerModel(_params("base-model"));
        baseShare = ModelShare(shareAddress);
        vm.prank(derivativeOwner);
        (derivative, shareAddress) = registry.registerDerivative(baseModel, ROYALTY_BPS, _params("fine-tune"));
        derivativeShare = ModelShare(shareAddress);
        vm.label(address(baseShare), "baseShare");
        vm.label(address(derivativeShare), "derivativeShare");

        vm.prank(protocolOwner);
        enclaves.setGlobalMeasurement(MEASUREMENT, MeasurementStatus.Allowed);
        _registerEnclave(baseModel, ENCLAVE_PK, MEASUREMENT, block.timestamp);
        _registerEnclave(derivative, DERIVATIVE_ENCLAVE_PK, MEASUREMENT, block.timestamp);
        baseGateway = _gatewayOf(enclave);
        derivativeGateway = _gatewayOf(derivativeEnclave);
    }

    /* MODELS */

    function _params(string memory name) internal pure returns (ModelParams memory) {
        return ModelParams({
            name: name,
            metadataURI: string.concat("ipfs://", name),
            pricing: Pricing(uint80(PRICE_IN), uint80(PRICE_OUT), uint80(PRICE_REASONING)),
            shareSupply: SUPPLY
        });
    }

    /* ENCLAVES */

    /// @dev A dev quote for `enclavePk`'s key serving `modelId`, signed by the platform key.
    function _devQuote(uint256 enclavePk, uint256 modelId, bytes32 measurement, uint256 timestamp)
        internal
        view
        returns (bytes memory)
    {
        address key = vm.addr(enclavePk);
        return _devQuoteRaw(PLATFORM_PK, measurement, key, enclaves.reportDataFor(modelId, key), timestamp);
    }

    function _devQuoteRaw(uint256 signerPk, bytes32 measurement, address key, bytes32 reportData, uint256 timestamp)
        internal
        view
        returns (bytes memory)
    {
        Attestation memory attestation = Attestation(measurement, key, reportData, uint64(timestamp));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(signerPk, verifier.quoteDigest(attestation));
        return abi.encode(measurement, key, reportData, uint64(timestamp), abi.encodePacked(r, s, v));
    }

    function _registerEnclave(uint256 modelId, uint256 enclavePk, bytes32 measurement, uint256 timestamp)
        internal
        returns (address key)
    {
        key = enclaves.registerEnclave(modelId, _devQuote(enclavePk, modelId, measurement, timestamp));
    }

    /// @dev Re-attests both enclave keys with quotes dated now (keys expire `MAX_AGE` after their quote).
    function _reattest() internal {
        _registerEnclave(baseModel, ENCLAVE_PK, MEASUREMENT, block.timestamp);
        _registerEnclave(derivative, DERIVATIVE_ENCLAVE_PK, MEASUREMENT, block.timestamp);
    }

    /* SESSIONS */

    function _fund(address who, uint256 amount) internal {
        stablecoin.mint(who, amount);
        vm.prank(who);
        stablecoin.approve(address(ledger), type(uint256).max);
    }

    function _openSession(address who, uint256 modelId, uint256 budget) internal returns (uint256 sessionId) {
        return _openSession(who, modelId, budget, block.timestamp + 1 days);
    }

    function _openSession(address who, uint256 modelId, uint256 budget, uint256 expiry)
        internal
        returns (uint256 sessionId)
    {
        _fund(who, budget);
        vm.prank(who);
        sessionId = ledger.openSession(modelId, _defaultGateway(modelId), budget, expiry, 0);
    }

    /// @dev The gateway of the key `setUp` attested for the model.
    function _defaultGateway(uint256 modelId) internal view returns (uint256) {
        return modelId == derivative ? derivativeGateway : baseGateway;
    }

    function _gatewayOf(address key) internal view returns (uint256) {
        return enclaves.enclaveKey(key).gatewayId;
    }

    function _packPricing(Pricing memory pricing) internal pure returns (uint256) {
        return uint256(pricing.inputPerMTok) << 160 | uint256(pricing.outputPerMTok) << 80 | pricing.reasoningPerMTok;
    }

    function _usageBatch(Batch memory batch) internal pure returns (UsageBatch memory) {
        return UsageBatch({
            modelId: batch.modelId,
            batchNumber: batch.batchNumber,
            servedPricing: batch.servedPricing,
            sessionIds: batch.sessionIds,
            receipts: batch.receipts,
            requestsCommitment: batch.requestsCommitment,
            enclave: batch.enclave
        });
    }

    /* RECEIPTS */

    function _receipt(uint256 index, uint256 sequence, uint256 input, uint256 output, uint256 reasoning)
        internal
        pure
        returns (uint256)
    {
        return ReceiptLib.pack(index, sequence, input, output, reasoning);
    }

    /// @dev A batch over `sessionIds` with `perSession` receipts each, sequences from `firstSequence` (the same for
    /// every session), token counts varied deterministically by `seed`.
    function _uniformBatch(
        uint256 modelId,
        uint256[] memory sessionIds,
        uint256 perSession,
        uint256 firstSequence,
        uint256 seed
    ) internal pure returns (Batch memory batch) {
        batch.modelId = modelId;
        batch.sessionIds = sessionIds;
        batch.receipts = new uint256[](sessionIds.length * perSession);
        uint256 k;
        for (uint256 g; g < sessionIds.length; ++g) {
            for (uint256 j; j < perSession; ++j) {
                uint256 h = uint256(keccak256(abi.encode(seed, g, j)));
                batch.receipts[k++] =
                    ReceiptLib.pack(g, firstSequence + j, 200 + (h % 1800), 50 + ((h >> 32) % 950), (h >> 64) % 4000);
            }
        }
        batch.requestsCommitment = keccak256(abi.encode("requests", seed));
    }

    /// @dev Signs `batch` with `enclavePk` as its gateway would: the first signature numbers the batch in the
    /// gateway's signing order and records the pricing in force; a re-signature (another key of the gateway, after a
    /// rotation or re-attestation) keeps both.
    function _sign(Batch memory batch, uint256 enclavePk) internal returns (Batch memory) {
        batch.enclave = vm.addr(enclavePk);
        uint256 gatewayId = _gatewayOf(batch.enclave);
        if (batch.batchNumber == 0) batch.batchNumber = ++_signedBatches[gatewayId];
        if (batch.servedPricing == 0) batch.servedPricing = _packPricing(registry.pricingOf(batch.modelId));
        bytes32 digest = lens.usageBatchDigest(_usageBatch(batch), gatewayId);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(enclavePk, digest);
        batch.signature = abi.encodePacked(r, s, v);
        return batch;
    }

    function _settle(Batch memory batch) internal returns (uint256 charged) {
        return _settleAs(keeper, batch);
    }

    function _settleAs(address submitter, Batch memory batch) internal returns (uint256 charged) {
        vm.prank(submitter);
        charged = ledger.settle(_usageBatch(batch), batch.signature);
    }

    function _expectSettleRevert(Batch memory batch, bytes memory revertData) internal {
        vm.expectRevert(revertData);
        vm.prank(keeper);
        ledger.settle(_usageBatch(batch), batch.signature);
    }

    /// @dev Reference cost of a list of receipts at the base pricing, summed then rounded up (per session group).
    function _costOf(uint256[] memory receipts, uint256 from, uint256 to) internal pure returns (uint256) {
        uint256 numerator;
        for (uint256 i = from; i < to; ++i) {
            (,, uint256 input, uint256 output, uint256 reasoning) = ReceiptLib.unpack(receipts[i]);
            numerator += input * PRICE_IN + output * PRICE_OUT + reasoning * PRICE_REASONING;
        }
        return (numerator + 1e6 - 1) / 1e6;
    }

    function _ids(uint256 a) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = a;
    }

    function _ids(uint256 a, uint256 b) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](2);
        ids[0] = a;
        ids[1] = b;
    }

    function _words(uint256 a) internal pure returns (uint256[] memory words) {
        words = new uint256[](1);
        words[0] = a;
    }

    function _words(uint256 a, uint256 b) internal pure returns (uint256[] memory words) {
        words = new uint256[](2);
        words[0] = a;
        words[1] = b;
    }

    function _words(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory words) {
        words = new uint256[](3);
        words[0] = a;
        words[1] = b;
        words[2] = c;
    }

    /// @dev A single-receipt batch for `sessionId`, signed by `enclavePk`.
    function _single(uint256 modelId, uint256 sessionId, uint256 sequence, uint256 enclavePk)
        internal
        returns (Batch memory batch)
    {
        batch.modelId = modelId;
        batch.sessionIds = _ids(sessionId);
        batch.receipts = _words(_receipt(0, sequence, 1000, 500, 2000));
        batch.requestsCommitment = keccak256("one");
        return _sign(batch, enclavePk);
    }

    /// @dev Opens a session that only the gateway whose current key is `gatewayKey` may serve.
    function _openSessionServedBy(address who, uint256 modelId, uint256 budget, address gatewayKey)
        internal
        returns (uint256 sessionId)
    {
        _fund(who, budget);
        uint256 gatewayId = _gatewayOf(gatewayKey);
        vm.prank(who);
        sessionId = ledger.openSession(modelId, gatewayId, budget, block.timestamp + 1 days, 0);
    }

    /// @dev Submits `batch` as `submitter` and reports whether it settled, logging the revert selector when not.
    /// For attack scenarios whose submitter may legitimately be refused; the caller asserts on balances after.
    function _attempt(address submitter, Batch memory batch) internal returns (bool settled) {
        vm.prank(submitter);
        bytes memory result;
        (settled, result) = address(ledger).call(abi.encodeCall(ledger.settle, (_usageBatch(batch), batch.signature)));
        if (!settled) emit log_named_bytes("settle refused with", result);
    }

    function _warp(uint256 seconds_) internal {
        vm.warp(block.timestamp + seconds_);
        vm.roll(block.number + seconds_ / 12 + 1);
    }
}
