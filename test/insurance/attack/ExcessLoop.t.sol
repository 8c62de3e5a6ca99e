// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReceiptLib} from "../../../src/inference/libraries/ReceiptLib.sol";
import {InsurancePool} from "../../../src/insurance/InsurancePool.sol";
import {Batch} from "../../ledger/LedgerBaseTest.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Exposes the pool's unrolled excess loop, to be compared with a plain reference.
contract ExcessSumHarness is InsurancePool {
    constructor(address ledger_) InsurancePool(ledger_, 2000, 500, 20_000, 15_000) {}

    function excessSum(uint256[] calldata receipts, uint256 n, uint256 strike, uint256 limit)
        external
        pure
        returns (uint256)
    {
        return _excessSum(receipts, n, strike, limit);
    }
}

/// @notice Attack on the unrolled excess loop (four receipts a pass, clamped to [strike, strike + limit], less
/// n x strike) and on the ledger handing an insured group's bounds to the pool from memory: for any batch size and
/// any token counts the ledger accepts, the pool pays what a plain per-receipt formula gives, for exactly the
/// receipts that settle now (not a stale prefix, not another session's receipts).
contract ExcessLoopAttackTest is InsuranceBaseTest {
    uint256 internal constant MAX_TOKENS = ReceiptLib.MAX_TOKENS;
    /// @dev $1.50/MTok (the lower of output and reasoning, as in CoverGroup.t.sol) x 80% co-insurance.
    uint256 internal constant RATE_PER_MTOK = 1_500_000;
    uint256 internal constant COINSURANCE_BPS = 8000;

    ExcessSumHarness internal harness;
    address internal secondBuyer = makeAddr("secondBuyer");
    address internal plainBuyer = makeAddr("plainBuyer");

    function setUp() public override {
        super.setUp();
        harness = new ExcessSumHarness(address(ledger));
    }

    /* REFERENCE */

    /// @dev The plain formula: per receipt min(max(generated - strike, 0), limit), summed.
    function _reference(uint256[] memory receipts, uint256 n, uint256 strike, uint256 limit)
        internal
        pure
        returns (uint256 sum)
    {
        for (uint256 i; i < n; ++i) {
            uint256 generated = ((receipts[i] >> 32) & MAX_TOKENS) + (receipts[i] & MAX_TOKENS);
            uint256 excess = generated > strike ? generated - strike : 0;
            sum += excess < limit ? excess : limit;
        }
    }

    /// @dev An edge value for a strike or a per-request limit (limits are at least 1).
    function _edgeTerm(uint256 draw, bool isLimit) internal pure returns (uint256) {
        uint256 pick = draw % 6;
        uint256 value;
        if (pick == 0) value = 0;
        else if (pick == 1) value = 1;
        else if (pick == 2) value = isLimit ? 4000 : 1000;
        else if (pick == 3) value = MAX_TOKENS - 1;
        else if (pick == 4) value = MAX_TOKENS;
        else value = (draw >> 8) % (MAX_TOKENS + 1);
        return isLimit && value == 0 ? 1 : value;
    }

    /// @dev Generated tokens at an edge around `strike` and `strike + limit`, or the largest the ledger accepts
    /// (2 x (2^32 - 1): output and reasoning each at most 2^32 - 1), split into output and reasoning.
    function _edgeReceipt(uint256 draw, uint256 sequence, uint256 strike, uint256 limit)
        internal
        pure
        returns (uint256)
    {
        uint256 most = 2 * MAX_TOKENS;
        uint256 pick = draw % 9;
        uint256 generated;
        if (pick == 0) generated = 0;
        else if (pick == 1) generated = strike == 0 ? 0 : strike - 1;
        else if (pick == 2) generated = strike;
        else if (pick == 3) generated = strike + 1;
        else if (pick == 4) generated = strike + limit;
        else if (pick == 5) generated = strike + limit + 1;
        else if (pick == 6) generated = most;
        else if (pick == 7) generated = strike + limit - 1;
        else generated = (draw >> 8) % (most + 1);
        if (generated > most) generated = most;
        uint256 output = generated < MAX_TOKENS ? generated : MAX_TOKENS;
        // Which part carries the tokens should not matter: swap them on a draw bit.
        (uint256 a, uint256 b) = (draw >> 200) & 1 == 0 ? (output, generated - output) : (generated - output, output);
        return ReceiptLib.pack((draw >> 100) % 4, sequence, (draw >> 120) % (MAX_TOKENS + 1), a, b);
    }

    /* THE LOOP AGAINST THE REFERENCE */

    /// @dev Batch sizes 1 to 40 (every n mod 4), the pool summing only the first `n` of them (its requests left),
    /// strikes and limits at 0, 1, the defaults, 2^32 - 2, 2^32 - 1 or any, receipts at every edge.
    function testFuzz_excessSum_matchesReference(uint256 seed, uint256 length, uint256 counted) public view {
        uint256 size = bound(length, 1, 40);
        uint256 n = bound(counted, 0, size);
        uint256 strike = _edgeTerm(uint256(keccak256(abi.encode(seed, "strike"))), false);
        uint256 limit = _edgeTerm(uint256(keccak256(abi.encode(seed, "limit"))), true);
        uint256[] memory receipts = new uint256[](size);
        for (uint256 i; i < size; ++i) {
            receipts[i] = _edgeReceipt(uint256(keccak256(abi.encode(seed, i))), i + 1, strike, limit);
        }
        assertEq(harness.excessSum(receipts, n, strike, limit), _reference(receipts, n, strike, limit), "excess sum");
    }

    /// @dev Every size 1..40 at the widest terms (strike and limit 2^32 - 1) with every receipt at the most the
    /// ledger accepts: n x strike is subtracted from a sum of n clamped values >= n x strike; no wrap.
    function test_excessSum_widestTermsEverySize() public view {
        for (uint256 size = 1; size <= 40; ++size) {
            uint256[] memory receipts = new uint256[](size);
            for (uint256 i; i < size; ++i) {
                receipts[i] = ReceiptLib.pack(0, i + 1, MAX_TOKENS, MAX_TOKENS, MAX_TOKENS);
            }
            // 2 x (2^32 - 1) generated, strike 2^32 - 1: excess 2^32 - 1 each, the limit exactly.
            assertEq(harness.excessSum(receipts, size, MAX_TOKENS, MAX_TOKENS), size * MAX_TOKENS, "all at limit");
            // Strike above every receipt's tokens is impossible (strike < 2^32 < most): strike 0 pays the limit.
            assertEq(harness.excessSum(receipts, size, 0, MAX_TOKENS), size * MAX_TOKENS, "strike 0");
            assertEq(harness.excessSum(receipts, size, 0, 1), size, "limit 1");
            // n = 0 (no requests left) sums nothing whatever the receipts.
            assertEq(harness.excessSum(receipts, 0, MAX_TOKENS, MAX_TOKENS), 0, "none counted");
        }
    }

    /// @dev Receipts past the first `n` are never read, whatever they hold (the tail a group's request cap cuts off).
    function test_excessSum_ignoresTheUncountedTail() public view {
        uint256[] memory receipts = new uint256[](9);
        for (uint256 i; i < 9; ++i) {
            receipts[i] = ReceiptLib.pack(0, i + 1, 0, i < 5 ? 1001 : MAX_TOKENS, i < 5 ? 0 : MAX_TOKENS);
        }
        assertEq(harness.excessSum(receipts, 5, 1000, 4000), 5, "one token above the strike, five receipts");
    }

    /* THROUGH SETTLEMENT: BOUNDS FROM MEMORY, MIXED SESSIONS, STALE PREFIX */

    /// @dev Generated tokens around the default policy's strike (1,000) and strike + limit (5,000), or the most.
    function _defaultEdge(uint256 draw) internal pure returns (uint256 output, uint256 reasoning) {
        uint256[8] memory edges = [uint256(0), 999, 1000, 1001, 4999, 5000, 5001, 2 * MAX_TOKENS];
        uint256 pick = draw % 9;
        uint256 generated = pick < 8 ? edges[pick] : (draw >> 8) % 7000;
        output = generated < MAX_TOKENS ? generated : MAX_TOKENS;
        reasoning = generated - output;
    }

    function _excessOf(uint256 output, uint256 reasoning) internal pure returns (uint256) {
        uint256 generated = output + reasoning;
        uint256 excess = generated > 1000 ? generated - 1000 : 0;
        return excess < 4000 ? excess : 4000;
    }

    struct Mixed {
        uint256 insuredA;
        uint256 plainB;
        uint256 insuredC;
        uint256 staleA;
        uint256 newA;
        uint256 countB;
        uint256 countC;
        uint256 excessA;
        uint256 excessC;
    }

    /// @dev One batch of three groups: insured A (after a stale prefix of receipts already settled, re-sent with
    /// other, huge token counts), uninsured B and insured C (another buyer's policy), 3 to 40 new receipts in all.
    /// The pool pays A's formula over its new receipts only and C's over C's only; B is charged in full; the
    /// stale prefix and the other sessions' receipts never reach A's claim.
    function testFuzz_settle_mixedGroupsPayEachInsuredGroupItsOwnExcess(uint256 seed, uint256 sizes) public {
        _seedHistory(derivative);
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
        Mixed memory m;
        m.staleA = sizes % 5; // 0..4 receipts of A already settled
        m.newA = 1 + (sizes >> 8) % 20;
        m.countB = 1 + (sizes >> 16) % 10;
        m.countC = 1 + (sizes >> 24) % 10; // 3 to 40 new receipts in all
        (uint256 policyA,) = _buyDefault(buyer, 500);
        (uint256 policyC,) = _buyDefault(secondBuyer, 500);
        m.insuredA = _openInsured(buyer, policyA, 1_000_000 * USDC);
        m.insuredC = _openInsured(secondBuyer, policyC, 1_000_000 * USDC);
        m.plainB = _openSession(plainBuyer, derivative, 1_000_000 * USDC);
        if (m.staleA != 0) _settle(_heavy(m.insuredA, 1, m.staleA, 500, 600)); // below the strike: no claim

        Batch memory batch;
        batch.modelId = derivative;
        batch.sessionIds = new uint256[](3);
        (batch.sessionIds[0], batch.sessionIds[1], batch.sessionIds[2]) = (m.insuredA, m.plainB, m.insuredC);
        batch.receipts = new uint256[](m.staleA + m.newA + m.countB + m.countC);
        uint256 k;
        for (uint256 i; i < m.staleA; ++i) {
            // Already settled: re-sent with the most tokens a receipt can carry, skipped by the ledger.
            batch.receipts[k++] = ReceiptLib.pack(0, i + 1, 100, MAX_TOKENS, MAX_TOKENS);
        }
        for (uint256 i; i < m.newA; ++i) {
            (uint256 output, uint256 reasoning) = _defaultEdge(uint256(keccak256(abi.encode(seed, "A", i))));
            m.excessA += _excessOf(output, reasoning);
            batch.receipts[k++] = ReceiptLib.pack(0, m.staleA + i + 1, 100, output, reasoning);
        }
        for (uint256 i; i < m.countB; ++i) {
            batch.receipts[k++] = ReceiptLib.pack(1, i + 1, 100, MAX_TOKENS, MAX_TOKENS);
        }
        for (uint256 i; i < m.countC; ++i) {
            (uint256 output, uint256 reasoning) = _defaultEdge(uint256(keccak256(abi.encode(seed, "C", i))));
            m.excessC += _excessOf(output, reasoning);
            batch.receipts[k++] = ReceiptLib.pack(2, i + 1, 100, output, reasoning);
        }
        batch.requestsCommitment = keccak256(abi.encode(seed, sizes));
        batch = _sign(batch, DERIVATIVE_ENCLAVE_PK);

        uint256 limitA = pool.sessionCover(m.insuredA).limitLeft;
        uint256 limitC = pool.sessionCover(m.insuredC).limitLeft;
        uint256 assetsBefore = pool.totalAssets();
        _settle(batch);

        uint256 paidA = m.excessA * RATE_PER_MTOK * COINSURANCE_BPS / (1e6 * 1e4);
        uint256 paidC = m.excessC * RATE_PER_MTOK * COINSURANCE_BPS / (1e6 * 1e4);
        if (paidA > limitA) paidA = limitA;
        if (paidC > limitC) paidC = limitC;
        assertEq(limitA - pool.sessionCover(m.insuredA).limitLeft, paidA, "A: its own new receipts only");
        assertEq(limitC - pool.sessionCover(m.insuredC).limitLeft, paidC, "C: its own receipts only");
        assertEq(assetsBefore - pool.totalAssets(), paidA + paidC, "the pool pays A's and C's claims, nothing else");
        assertEq(pool.sessionCover(m.insuredA).requestsLeft, 500 - m.staleA - m.newA, "A: every settled request");
        assertEq(pool.sessionCover(m.insuredC).requestsLeft, 500 - m.countC, "C: every request");
        assertEq(lens.getSession(m.plainB).lastSequence, m.countB, "B settled");
    }
}
