// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {FullMath} from "../../libraries/FullMath.sol";

/// @title PremiumLib
/// @notice The compute-insurance premium (docs/insurance.md §3), pure so that the sdk mirrors it to the unit:
/// premium = expected claims x experience x (1 + loading), rounded up, + a capital charge on the aggregate limit for
/// the period, rounded up. Expected claims come from the model's 32-bucket log2 histogram of generated tokens per
/// request, each bucket represented by its upper bound (the pool's side of the bucket).
library PremiumLib {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant YEAR = 365 days;
    /// @dev Prices are per million tokens.
    uint256 internal constant MTOK = 1e6;
    uint256 internal constant BUCKETS = 32;

    /// @notice Generated tokens a request of histogram bucket `bucket` is taken to have: the bucket's upper bound
    /// (0 for bucket 0, 2^k - 1 for bucket k in [1, 30], unbounded for bucket 31).
    function bucketUpperTokens(uint256 bucket) internal pure returns (uint256) {
        if (bucket == 0) return 0;
        if (bucket >= BUCKETS - 1) return type(uint256).max;
        return (1 << bucket) - 1;
    }

    /// @notice The insured excess tokens of one request of `tokens` generated tokens: above `strikeTokens`, at most
    /// `limitTokens`.
    function insuredExcess(uint256 tokens, uint256 strikeTokens, uint256 limitTokens) internal pure returns (uint256) {
        if (tokens <= strikeTokens) return 0;
        uint256 excess = tokens - strikeTokens;
        return excess < limitTokens ? excess : limitTokens;
    }

    /// @notice Sum over the histogram's requests of their insured excess tokens (each at its bucket's upper bound),
    /// and the number of requests.
    function excessTokens(uint64[32] memory histogram, uint256 strikeTokens, uint256 limitTokens)
        internal
        pure
        returns (uint256 excessSum, uint256 observations)
    {
        for (uint256 k; k < BUCKETS; ++k) {
            uint256 count = histogram[k];
            if (count == 0) continue;
            observations += count;
            excessSum += count * insuredExcess(bucketUpperTokens(k), strikeTokens, limitTokens);
        }
    }

    /// @notice Expected claims of a policy, rounded up: `requests` x mean insured excess tokens x `ratePerMTok` /
    /// 1e6 x `coinsuranceBps` / 1e4. Zero without observations.
    function expectedClaims(
        uint256 excessSum,
        uint256 observations,
        uint256 requests,
        uint256 ratePerMTok,
        uint256 coinsuranceBps
    ) internal pure returns (uint256) {
        if (observations == 0) return 0;
        return FullMath.mulDivUp(requests * excessSum, ratePerMTok * coinsuranceBps, observations * MTOK * BPS);
    }

    /// @notice The experience factor in bps: the buyer's past claims over their expected claims, at least 1x (never
    /// a discount below the population), rounded up; 1x without history.
    function experienceBps(uint256 claims, uint256 expected) internal pure returns (uint256) {
        if (expected == 0) return BPS;
        uint256 ratio = FullMath.mulDivUp(claims, BPS, expected);
        return ratio > BPS ? ratio : BPS;
    }

    /// @notice Capital charge on `aggregateLimit` for `period` seconds at `capitalChargeBps` a year, rounded up.
    function capitalCharge(uint256 aggregateLimit, uint256 capitalChargeBps, uint256 period)
        internal
        pure
        returns (uint256)
    {
        return FullMath.mulDivUp(aggregateLimit, capitalChargeBps * period, BPS * YEAR);
    }

    /// @notice The premium: `expected` x `experience` x (1 + `loadingBps`), rounded up, plus the capital charge.
    function premium(
        uint256 expected,
        uint256 experience,
        uint256 loadingBps,
        uint256 aggregateLimit,
        uint256 capitalChargeBps,
        uint256 period
    ) internal pure returns (uint256) {
        return FullMath.mulDivUp(expected, experience * (BPS + loadingBps), BPS * BPS)
            + capitalCharge(aggregateLimit, capitalChargeBps, period);
    }
}
