// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PremiumLib} from "../../../src/insurance/libraries/PremiumLib.sol";
import {Test} from "forge-std/Test.sol";

/// @notice PremiumLib by hand-computed figures (the numbers the sdk must reproduce) and properties.
contract PremiumLibTest is Test {
    function test_bucketUpperTokens_isTheBucketsTop() public pure {
        assertEq(PremiumLib.bucketUpperTokens(0), 0, "bucket 0: no tokens");
        assertEq(PremiumLib.bucketUpperTokens(1), 1, "bucket 1: [1, 2)");
        assertEq(PremiumLib.bucketUpperTokens(2), 3, "bucket 2: [2, 4)");
        assertEq(PremiumLib.bucketUpperTokens(11), 2047, "bucket 11: [1024, 2048)");
        assertEq(PremiumLib.bucketUpperTokens(30), (1 << 30) - 1, "bucket 30");
        assertEq(PremiumLib.bucketUpperTokens(31), type(uint256).max, "bucket 31: unbounded");
    }

    /// @dev 10 requests with no tokens, 20 in [1024, 2048), 1 with 2^30 or more; strike 1,000, limit 4,000: excess
    /// 0 x 10 + 1,047 x 20 + 4,000 x 1 = 24,940 over 31 requests. 3 requests at $1.50/MTok x 80%: 2,896.26 -> 2,897
    /// (up). Premium: 2,897 x 1.2 = 3,476.4 -> 3,477, plus 5% a year on 10,000 for 7 days = 9.59 -> 10: 3,487.
    function test_premium_handComputedExample() public pure {
        uint64[32] memory histogram;
        histogram[0] = 10;
        histogram[11] = 20;
        histogram[31] = 1;
        (uint256 excessSum, uint256 observations) = PremiumLib.excessTokens(histogram, 1000, 4000);
        assertEq(excessSum, 24_940, "excess tokens");
        assertEq(observations, 31, "observations");
        uint256 expected = PremiumLib.expectedClaims(excessSum, observations, 3, 1_500_000, 8000);
        assertEq(expected, 2897, "expected claims, rounded up");
        assertEq(PremiumLib.capitalCharge(10_000, 500, 7 days), 10, "capital charge, rounded up");
        assertEq(PremiumLib.premium(expected, 10_000, 2000, 10_000, 500, 7 days), 3487, "premium");
        assertEq(
            PremiumLib.premium(expected, 25_000, 2000, 10_000, 500, 7 days), 8701, "2.5x experience: 2,897 x 3 + 10"
        );
    }

    function test_experienceBps_isTheLossRatioAtLeastOne() public pure {
        assertEq(PremiumLib.experienceBps(0, 0), 10_000, "no history: 1x");
        assertEq(PremiumLib.experienceBps(50, 100), 10_000, "no discount below 1x");
        assertEq(PremiumLib.experienceBps(301, 100), 30_100, "claims over expected");
        assertEq(PremiumLib.experienceBps(1, 3), 10_000, "rounded up, floored at 1x");
    }

    function testFuzz_excessTokens_fallsAsTheStrikeRises(uint64[32] memory histogram, uint256 low, uint256 high)
        public
        pure
    {
        for (uint256 k; k < 32; ++k) {
            histogram[k] = uint64(bound(histogram[k], 0, 1e12));
        }
        low = bound(low, 0, type(uint32).max);
        high = bound(high, low, type(uint32).max);
        (uint256 atLow,) = PremiumLib.excessTokens(histogram, low, 4000);
        (uint256 atHigh,) = PremiumLib.excessTokens(histogram, high, 4000);
        assertGe(atLow, atHigh, "a higher strike never insures more");
    }

    function testFuzz_expectedClaims_coversTheExactMean(
        uint256 excessSum,
        uint256 observations,
        uint256 requests,
        uint256 rate,
        uint256 coinsurance
    ) public pure {
        excessSum = bound(excessSum, 0, 1e30);
        observations = bound(observations, 1, 1e18);
        requests = bound(requests, 0, type(uint32).max);
        rate = bound(rate, 0, type(uint48).max);
        coinsurance = bound(coinsurance, 1, 9000);
        uint256 expected = PremiumLib.expectedClaims(excessSum, observations, requests, rate, coinsurance);
        uint256 denominator = observations * 1e6 * 10_000;
        uint256 numerator = requests * excessSum * rate * coinsurance;
        assertGe(expected * denominator, numerator, "never below the exact value");
        assertLt((expected == 0 ? 0 : expected - 1) * denominator, numerator + (expected == 0 ? 1 : 0), "by < 1 unit");
    }
}
