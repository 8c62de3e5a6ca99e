// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {UsageBatch} from "../interfaces/IInferenceLedger.sol";
import {ReceiptLib} from "./ReceiptLib.sol";

/// @title UsageBatchLib
/// @notice The EIP-712 struct hash of a usage batch (docs/receipts.md §3), shared by the ledger that verifies it and
/// the lens that serves its digest.
library UsageBatchLib {
    /// @notice EIP-712 type hash of a usage batch.
    bytes32 internal constant TYPEHASH = keccak256(
        "UsageBatch(uint256 modelId,uint256 gatewayId,uint256 batchNumber,uint256 servedPricing,uint256[] sessionIds,uint256[] receipts,bytes32 requestsCommitment,address enclave)"
    );

    /// @notice EIP-712 domain name and version of the ledger.
    string internal constant DOMAIN_NAME = "CogFi InferenceLedger";
    string internal constant DOMAIN_VERSION = "1";
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// @notice The ledger's EIP-712 domain separator on the current chain.
    function domainSeparator(address ledger) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                DOMAIN_TYPEHASH, keccak256(bytes(DOMAIN_NAME)), keccak256(bytes(DOMAIN_VERSION)), block.chainid, ledger
            )
        );
    }

    /// @notice The batch's struct hash as the key of gateway `gatewayId` signs it.
    function structHash(UsageBatch calldata batch, uint256 gatewayId) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                TYPEHASH,
                batch.modelId,
                gatewayId,
                batch.batchNumber,
                batch.servedPricing,
                ReceiptLib.hashWords(batch.sessionIds),
                ReceiptLib.hashWords(batch.receipts),
                batch.requestsCommitment,
                batch.enclave
            )
        );
    }
}
