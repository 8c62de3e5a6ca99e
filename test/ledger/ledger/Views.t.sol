// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InferenceLedger} from "../../../src/inference/InferenceLedger.sol";
import {IInferenceLedger, UsageBatch} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {InferenceLedgerLens} from "../../../src/periphery/InferenceLedgerLens.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";

/// @notice Constructor and views of the ledger.
contract LedgerViewsTest is LedgerBaseTest {
    function test_constructor_setsImmutables() public view {
        assertEq(ledger.modelRegistry(), address(registry), "registry");
        assertEq(ledger.enclaveRegistry(), address(enclaves), "enclaves");
        assertEq(ledger.stablecoin(), address(stablecoin), "stablecoin from registry");
        assertEq(ledger.costFeed(), address(feed), "feed");
        assertEq(ledger.feedInterval(), feed.MIN_ROUND_INTERVAL(), "feed interval");
        assertEq(ledger.owner(), protocolOwner, "owner");
        assertEq(lens.protocolFeeBps(), PROTOCOL_FEE_BPS, "protocol fee");
        assertEq(lens.submitterFeeBps(), SUBMITTER_FEE_BPS, "submitter fee");
    }

    function test_constructor_revertsWhen_zeroAddress() public {
        vm.expectRevert(IInferenceLedger.ZeroAddress.selector);
        new InferenceLedger(address(registry), address(0), address(0), protocolOwner, 0, 0);
    }

    function test_constructor_revertsWhen_feeTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.FeeTooHigh.selector, 2000, 1000));
        new InferenceLedger(address(registry), address(enclaves), address(0), protocolOwner, 2000, 0);
    }

    function test_constructor_withoutFeedSettlesWithoutPushing() public {
        InferenceLedger bare =
            new InferenceLedger(address(registry), address(enclaves), address(0), protocolOwner, 0, 0);
        assertEq(bare.feedInterval(), 0, "no interval");
        ledger = bare;
        lens = new InferenceLedgerLens(bare);
        uint256 sessionId = _openSession(buyer, baseModel, USDC);
        _settle(_single(baseModel, sessionId, 1, ENCLAVE_PK));
        assertEq(lens.usageStats(baseModel).lastFeedAt, 0, "no push");
    }

    function test_isApproved_falseCases() public {
        uint256 sessionId = _openSession(buyer, baseModel, USDC);
        assertTrue(lens.isApproved(sessionId, baseModel), "approved");
        assertFalse(lens.isApproved(sessionId, derivative), "other model");
        assertFalse(lens.isApproved(999, baseModel), "unknown session");
        assertFalse(lens.isApproved(0, 0), "session 0");
        vm.prank(modelOwner);
        registry.setPaused(baseModel, true);
        assertFalse(lens.isApproved(sessionId, baseModel), "paused model");
        vm.prank(modelOwner);
        registry.setPaused(baseModel, false);
        vm.warp(lens.getSession(sessionId).expiry);
        assertFalse(lens.isApproved(sessionId, baseModel), "expired");
    }

    function test_refundableAt_revertsWhen_unknown() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.UnknownSession.selector, 5));
        lens.refundableAt(5);
    }

    function test_quoteCost_matchesSettlement() public view {
        assertEq(lens.quoteCost(baseModel, 1000, 500, 2000), 5250, "quote");
        assertEq(lens.quoteCost(baseModel, 1, 0, 0), 1, "rounded up");
        assertEq(lens.quoteCost(baseModel, 0, 0, 0), 0, "zero");
    }

    function test_usageBatchDigest_isEip712() public view {
        uint256[] memory ids = _ids(3, 4);
        uint256[] memory receipts = _words(_receipt(0, 1, 2, 3, 4), _receipt(1, 5, 6, 7, 8));
        bytes32 commitment = keccak256("c");
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("CogFi InferenceLedger"),
                keccak256("1"),
                block.chainid,
                address(ledger)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "UsageBatch(uint256 modelId,uint256 gatewayId,uint256 batchNumber,uint256 servedPricing,uint256[] sessionIds,uint256[] receipts,bytes32 requestsCommitment,address enclave)"
                ),
                baseModel,
                baseGateway,
                uint256(7),
                uint256(123),
                keccak256(abi.encodePacked(ids)),
                keccak256(abi.encodePacked(receipts)),
                commitment,
                enclave
            )
        );
        assertEq(
            lens.usageBatchDigest(
                UsageBatch({
                    modelId: baseModel,
                    batchNumber: 7,
                    servedPricing: 123,
                    sessionIds: ids,
                    receipts: receipts,
                    requestsCommitment: commitment,
                    enclave: enclave
                }),
                baseGateway
            ),
            keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash)),
            "digest"
        );
        assertEq(
            ledger.USAGE_BATCH_TYPEHASH(),
            keccak256(
                "UsageBatch(uint256 modelId,uint256 gatewayId,uint256 batchNumber,uint256 servedPricing,uint256[] sessionIds,uint256[] receipts,bytes32 requestsCommitment,address enclave)"
            ),
            "type hash"
        );
    }
}
