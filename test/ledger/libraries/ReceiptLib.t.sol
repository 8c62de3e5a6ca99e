// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReceiptLib} from "../../../src/inference/libraries/ReceiptLib.sol";
import {UsageHistogramLib} from "../../../src/inference/libraries/UsageHistogramLib.sol";
import {Test} from "forge-std/Test.sol";

contract ReceiptLibHarness {
    function pack(uint256 a, uint256 b, uint256 c, uint256 d, uint256 e) external pure returns (uint256) {
        return ReceiptLib.pack(a, b, c, d, e);
    }

    function hashWords(uint256[] calldata words) external pure returns (bytes32) {
        return ReceiptLib.hashWords(words);
    }
}

contract ReceiptLibTest is Test {
    ReceiptLibHarness internal harness = new ReceiptLibHarness();

    function test_pack_layout() public pure {
        uint256 word = ReceiptLib.pack(0x1234, 0xabcdef012345, 0x11111111, 0x22222222, 0x33333333);
        assertEq(
            word,
            0x1234abcdef012345000000000000000000000000111111112222222233333333,
            "bit layout: index | sequence | reserved | input | output | reasoning"
        );
        assertEq(ReceiptLib.reserved(word), 0, "no reserved bits");
    }

    function test_pack_revertsWhen_fieldTooWide() public {
        vm.expectRevert(ReceiptLib.ReceiptFieldOverflow.selector);
        harness.pack(1 << 16, 1, 0, 0, 0);
        vm.expectRevert(ReceiptLib.ReceiptFieldOverflow.selector);
        harness.pack(0, 1 << 48, 0, 0, 0);
        vm.expectRevert(ReceiptLib.ReceiptFieldOverflow.selector);
        harness.pack(0, 1, 1 << 32, 0, 0);
        vm.expectRevert(ReceiptLib.ReceiptFieldOverflow.selector);
        harness.pack(0, 1, 0, 1 << 32, 0);
        vm.expectRevert(ReceiptLib.ReceiptFieldOverflow.selector);
        harness.pack(0, 1, 0, 0, 1 << 32);
    }

    function testFuzz_pack_unpackRoundTrip(uint16 index, uint48 sequence, uint32 input, uint32 output, uint32 reasoning)
        public
        pure
    {
        uint256 word = ReceiptLib.pack(index, sequence, input, output, reasoning);
        (uint256 i, uint256 s, uint256 a, uint256 b, uint256 c) = ReceiptLib.unpack(word);
        assertEq(i, index, "index");
        assertEq(s, sequence, "sequence");
        assertEq(a, input, "input");
        assertEq(b, output, "output");
        assertEq(c, reasoning, "reasoning");
        assertEq(ReceiptLib.reserved(word), 0, "reserved");
    }

    function testFuzz_hashWords_matchesEncodePacked(uint256[] calldata words) public view {
        assertEq(harness.hashWords(words), keccak256(abi.encodePacked(words)), "hash");
    }

    function test_costUp_roundsUp() public pure {
        assertEq(ReceiptLib.costUp(1, 0, 0, 1, 0, 0), 1, "1e-6 unit rounds up to 1");
        assertEq(ReceiptLib.costUp(1e6, 0, 0, 1, 0, 0), 1, "exact");
        assertEq(ReceiptLib.costUp(1e6 + 1, 0, 0, 1, 0, 0), 2, "just above");
        assertEq(ReceiptLib.costUp(0, 0, 0, 5, 5, 5), 0, "zero");
        assertEq(ReceiptLib.costUp(1000, 500, 2000, 500_000, 1_500_000, 2_000_000), 5250, "mixed");
    }

    function testFuzz_costUp_neverOverflowsAtMaxWidths(uint64 a, uint64 b, uint64 c, uint80 p, uint80 q, uint80 r)
        public
        pure
    {
        uint256 cost = ReceiptLib.costUp(a, b, c, p, q, r);
        uint256 exact = uint256(a) * p + uint256(b) * q + uint256(c) * r;
        assertGe(cost * 1e6, exact, "rounded up");
        assertLt(cost * 1e6, exact + 1e6, "by less than one unit");
    }

    function test_bucketOf_boundaries() public pure {
        assertEq(UsageHistogramLib.bucketOf(0), 0, "0");
        assertEq(UsageHistogramLib.bucketOf(1), 1, "1");
        assertEq(UsageHistogramLib.bucketOf(2), 2, "2");
        assertEq(UsageHistogramLib.bucketOf(3), 2, "3");
        assertEq(UsageHistogramLib.bucketOf(1 << 29), 30, "2^29");
        assertEq(UsageHistogramLib.bucketOf((1 << 30) - 1), 30, "2^30 - 1");
        assertEq(UsageHistogramLib.bucketOf(1 << 30), 31, "2^30");
        assertEq(UsageHistogramLib.bucketOf(type(uint64).max), 31, "max");
    }

    function testFuzz_bucketOf_logSpaced(uint256 tokens) public pure {
        tokens = bound(tokens, 1, (1 << 30) - 1);
        uint256 bucket = UsageHistogramLib.bucketOf(tokens);
        assertGe(tokens, 1 << (bucket - 1), "lower bound 2^(k-1)");
        assertLt(tokens, 1 << bucket, "upper bound 2^k");
    }
}
