// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {OracleDifferentialHarness} from "../mocks/ReferenceOracle.sol";
import {Test} from "forge-std/Test.sol";

/// @notice `Oracle.observeSingle` (packed-slot reads, one-slot binary search over ages) returns what the previous
/// v3-structured implementation returned, or reverts with the same error, on random histories: grown and
/// partly filled rings, wrapped rings, timestamps across 2^32, zero liquidity, targets on and between
/// observations and before the oldest.
contract OracleReferenceTest is Test {
    OracleDifferentialHarness internal oracle;

    function setUp() public {
        oracle = new OracleDifferentialHarness();
    }

    function _bothAgree(uint32 secondsAgo) private view {
        (bool okCompact, bytes memory compact) =
            address(oracle).staticcall(abi.encodeCall(oracle.observeCompact, (secondsAgo)));
        (bool okReference, bytes memory expected) =
            address(oracle).staticcall(abi.encodeCall(oracle.observeReference, (secondsAgo)));
        assertEq(okCompact, okReference, "both succeed or both revert");
        assertEq(compact, expected, "same cumulatives, or the same revert data");
    }

    function testFuzz_observeSingle_matchesReference(uint256 seed, uint32 start, uint8 writes, uint8 growTo) public {
        oracle.initialize(start, int24(int256(seed % 1000)) - 500, uint128(seed % 3) * 1e18);
        oracle.grow(uint16(bound(growTo, 1, 24)));
        uint256 n = bound(writes, 0, 60);
        for (uint256 i; i < n; ++i) {
            seed = uint256(keccak256(abi.encode(seed, i)));
            // Mostly short gaps, sometimes none (same block), sometimes long ones.
            uint32 advance = uint32(seed % 7 == 0 ? 0 : seed % 5 == 0 ? seed % 1e6 : seed % 40);
            int24 nextTick = int24(int256(seed >> 32) % 887_272);
            uint128 nextLiquidity = (seed >> 100) % 4 == 0 ? 0 : uint128(seed >> 128) % 1e30;
            oracle.update(advance, nextTick, nextLiquidity);
            if ((seed >> 200) % 9 == 0) oracle.grow(uint16(bound(seed >> 210, 1, 32)));
        }
        oracle.advanceTime(uint32(seed % 50));
        uint32 span;
        unchecked {
            span = oracle.time() - start; // modulo 2^32, like the oracle's timestamps
        }
        for (uint256 k; k < 12; ++k) {
            seed = uint256(keccak256(abi.encode(seed, "ago")));
            // Inside the recorded span (boundaries included) and a little before it.
            uint32 secondsAgo = uint32(bound(seed, 0, uint256(span) + 20));
            _bothAgree(secondsAgo);
        }
        _bothAgree(0);
        _bothAgree(span);
    }

    function test_observeSingle_matchesReference_acrossTimestampOverflow() public {
        oracle.initialize(type(uint32).max - 100, 7, 5e17);
        oracle.grow(4);
        oracle.update(60, -3, 0);
        oracle.update(60, 11, 2e18); // wraps past 2^32
        oracle.update(60, 2, 1e18);
        oracle.advanceTime(5);
        for (uint32 ago; ago <= 200; ++ago) {
            _bothAgree(ago);
        }
    }
}
