// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

/// @title ReceiptLib
/// @notice Packing of usage receipts into one 256-bit word and hashing of word arrays. Layout, most significant
/// bit first (docs/receipts.md):
///
///   | 255..240       | 239..192  | 191..96  | 95..64        | 63..32         | 31..0             |
///   | session index  | sequence  | reserved | input tokens  | output tokens  | reasoning tokens  |
///   | 16 bits        | 48 bits   | 96, zero | 32 bits       | 32 bits        | 32 bits           |
library ReceiptLib {
    uint256 internal constant SESSION_INDEX_SHIFT = 240;
    uint256 internal constant SEQUENCE_SHIFT = 192;
    uint256 internal constant INPUT_SHIFT = 64;
    uint256 internal constant OUTPUT_SHIFT = 32;
    uint256 internal constant SEQUENCE_MASK = 0xffffffffffff;
    uint256 internal constant TOKEN_MASK = 0xffffffff;
    /// @dev Bits 96..191.
    uint256 internal constant RESERVED_MASK = 0xffffffffffffffffffffffff << 96;
    uint256 internal constant MAX_SESSION_INDEX = 0xffff;
    uint256 internal constant MAX_SEQUENCE = SEQUENCE_MASK;
    uint256 internal constant MAX_TOKENS = TOKEN_MASK;

    /// @notice Thrown by `pack` when a field does not fit its width.
    error ReceiptFieldOverflow();

    /// @notice Packs one receipt; reverts with `ReceiptFieldOverflow` when a field is too wide.
    function pack(
        uint256 sessionIndex,
        uint256 sequence,
        uint256 inputTokens,
        uint256 outputTokens,
        uint256 reasoningTokens
    ) internal pure returns (uint256) {
        if (
            sessionIndex > MAX_SESSION_INDEX || sequence > MAX_SEQUENCE || inputTokens > MAX_TOKENS
                || outputTokens > MAX_TOKENS || reasoningTokens > MAX_TOKENS
        ) revert ReceiptFieldOverflow();
        return (sessionIndex << SESSION_INDEX_SHIFT) | (sequence << SEQUENCE_SHIFT) | (inputTokens << INPUT_SHIFT)
            | (outputTokens << OUTPUT_SHIFT) | reasoningTokens;
    }

    /// @notice Unpacks one receipt (reserved bits are ignored; see `reserved`).
    function unpack(uint256 word)
        internal
        pure
        returns (
            uint256 sessionIndex,
            uint256 sequence,
            uint256 inputTokens,
            uint256 outputTokens,
            uint256 reasoningTokens
        )
    {
        sessionIndex = word >> SESSION_INDEX_SHIFT;
        sequence = (word >> SEQUENCE_SHIFT) & SEQUENCE_MASK;
        inputTokens = (word >> INPUT_SHIFT) & TOKEN_MASK;
        outputTokens = (word >> OUTPUT_SHIFT) & TOKEN_MASK;
        reasoningTokens = word & TOKEN_MASK;
    }

    /// @notice The reserved bits of `word` (must be zero in a valid receipt).
    function reserved(uint256 word) internal pure returns (uint256) {
        return word & RESERVED_MASK;
    }

    /// @notice `keccak256(abi.encodePacked(words))`: the EIP-712 encoding of a `uint256[]` member.
    function hashWords(uint256[] calldata words) internal pure returns (bytes32 hash) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := shl(5, words.length)
            calldatacopy(ptr, words.offset, size)
            hash := keccak256(ptr, size)
        }
    }

    /// @notice Stablecoin cost of the token counts at the per-million-token prices, rounded up.
    /// @dev Token sums are below 2^64 per call site and prices below 2^80: no overflow.
    function costUp(
        uint256 inputTokens,
        uint256 outputTokens,
        uint256 reasoningTokens,
        uint256 inputPerMTok,
        uint256 outputPerMTok,
        uint256 reasoningPerMTok
    ) internal pure returns (uint256) {
        uint256 numerator = inputTokens * inputPerMTok + outputTokens * outputPerMTok + reasoningTokens
            * reasoningPerMTok;
        unchecked {
            return numerator / 1e6 + (numerator % 1e6 == 0 ? 0 : 1);
        }
    }
}
