// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

/// @title UsageHistogramLib
/// @notice Log-spaced histogram of generated tokens per request: 32 buckets of 64-bit counts, four per slot.
/// Bucket 0 counts requests with no generated tokens, bucket k in [1, 30] those with generated tokens in
/// [2^(k-1), 2^k), bucket 31 those with 2^30 or more.
library UsageHistogramLib {
    uint256 internal constant BUCKETS = 32;
    uint256 internal constant SLOTS = 8;
    uint256 internal constant LAST_BUCKET = 31;
    uint256 internal constant LANE_MASK = 0xffffffffffffffff;

    /// @notice Thrown when a bucket count would exceed 64 bits.
    error HistogramOverflow();

    /// @notice Bucket of a request that generated `tokens` tokens: its bit length, capped at 31.
    function bucketOf(uint256 tokens) internal pure returns (uint256 bucket) {
        assembly ("memory-safe") {
            // Bit length by binary search (valid for tokens < 2^64).
            let b := shl(5, gt(tokens, 0xffffffff))
            b := or(b, shl(4, gt(shr(b, tokens), 0xffff)))
            b := or(b, shl(3, gt(shr(b, tokens), 0xff)))
            b := or(b, shl(2, gt(shr(b, tokens), 0xf)))
            b := or(b, shl(1, gt(shr(b, tokens), 0x3)))
            b := or(b, gt(shr(b, tokens), 0x1))
            // b = floor(log2(tokens)) for tokens > 0; the bucket is b + 1, 0 for tokens = 0.
            bucket := add(b, iszero(iszero(tokens)))
            if gt(bucket, 31) { bucket := 31 }
        }
    }

    /// @notice Adds the in-memory `counts` (one word per bucket) to the packed storage `slots`, writing only slots
    /// that change. Reverts with `HistogramOverflow` when a bucket would exceed 64 bits.
    function addTo(uint256[SLOTS] storage slots, uint256[BUCKETS] memory counts) internal {
        for (uint256 s; s < SLOTS; ++s) {
            uint256 c0 = counts[4 * s];
            uint256 c1 = counts[4 * s + 1];
            uint256 c2 = counts[4 * s + 2];
            uint256 c3 = counts[4 * s + 3];
            if (c0 | c1 | c2 | c3 == 0) continue;
            uint256 packed = slots[s];
            uint256 n0 = (packed & LANE_MASK) + c0;
            uint256 n1 = ((packed >> 64) & LANE_MASK) + c1;
            uint256 n2 = ((packed >> 128) & LANE_MASK) + c2;
            uint256 n3 = (packed >> 192) + c3;
            if ((n0 | n1 | n2 | n3) > LANE_MASK) revert HistogramOverflow();
            slots[s] = n0 | (n1 << 64) | (n2 << 128) | (n3 << 192);
        }
    }

    /// @notice The 32 bucket counts of the packed storage `slots`.
    function read(uint256[SLOTS] storage slots) internal view returns (uint64[BUCKETS] memory buckets) {
        for (uint256 s; s < SLOTS; ++s) {
            uint256 packed = slots[s];
            for (uint256 l; l < 4; ++l) {
                buckets[4 * s + l] = uint64(packed >> (64 * l));
            }
        }
    }
}
