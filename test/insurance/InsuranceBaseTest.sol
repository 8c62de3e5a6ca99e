// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReceiptLib} from "../../src/inference/libraries/ReceiptLib.sol";
import {InsurancePool} from "../../src/insurance/InsurancePool.sol";
import {PolicyTerms} from "../../src/insurance/interfaces/IInsurancePool.sol";
import {Batch, LedgerBaseTest} from "../ledger/LedgerBaseTest.sol";

/// @notice The ledger suite plus an InsurancePool set as the ledger's coverage, with a settled usage history on the
/// fine-tune (`HISTORY_REQUESTS` requests of 50..1,000 output and 0..4,000 reasoning tokens) and named actors.
abstract contract InsuranceBaseTest is LedgerBaseTest {
    /* CONSTANTS */

    uint256 internal constant LOADING_BPS = 2000;
    uint256 internal constant CAPITAL_CHARGE_BPS = 500;
    uint256 internal constant LEVERAGE_BPS = 20_000;
    uint256 internal constant MODEL_EXPOSURE_BPS = 15_000;
    uint256 internal constant HISTORY_REQUESTS = 1024;
    uint256 internal constant UNDERWRITER_DEPOSIT = 100_000 * USDC;

    /* ACTORS */

    address internal underwriter = makeAddr("underwriter");
    address internal otherUnderwriter = makeAddr("otherUnderwriter");

    InsurancePool internal pool;

    function setUp() public virtual override {
        super.setUp();
        pool = new InsurancePool(address(ledger), LOADING_BPS, CAPITAL_CHARGE_BPS, LEVERAGE_BPS, MODEL_EXPOSURE_BPS);
        vm.label(address(pool), "pool");
        vm.prank(protocolOwner);
        ledger.setCoverage(address(pool));
    }

    /* HISTORY */

    /// @dev Settles `HISTORY_REQUESTS` uninsured requests on `modelId` (16 sessions of fresh buyers).
    function _seedHistory(uint256 modelId) internal {
        uint256[] memory ids = new uint256[](16);
        for (uint256 i; i < 16; ++i) {
            ids[i] = _openSession(makeAddr(string.concat("historyBuyer", vm.toString(i))), modelId, 1000 * USDC);
        }
        uint256 perSession = HISTORY_REQUESTS / 16 / 4;
        uint256 pk = modelId == derivative ? DERIVATIVE_ENCLAVE_PK : ENCLAVE_PK;
        for (uint256 b; b < 4; ++b) {
            _settle(_sign(_uniformBatch(modelId, ids, perSession, 1 + b * perSession, 100 + b), pk));
        }
    }

    /* UNDERWRITERS */

    function _deposit(address who, uint256 assets) internal returns (uint256 shares) {
        stablecoin.mint(who, assets);
        vm.startPrank(who);
        stablecoin.approve(address(pool), type(uint256).max);
        shares = pool.deposit(assets, who);
        vm.stopPrank();
    }

    /* BUYERS */

    /// @dev Terms on the fine-tune: 7 days, strike 1,000 generated tokens, 4,000 per-request limit, 80% co-insurance,
    /// `requests` requests, aggregate limit `limit`.
    function _terms(uint256 requests, uint256 limit) internal view returns (PolicyTerms memory) {
        return PolicyTerms({
            modelId: derivative,
            period: 7 days,
            strikeTokens: 1000,
            limitTokens: 4000,
            coinsuranceBps: 8000,
            requests: requests,
            aggregateLimit: limit
        });
    }

    /// @dev The largest aggregate limit a buyer without history may take for `terms` (its premium), found by fixed
    /// point: the premium grows with the limit by the capital charge only.
    function _creditLimit(address who, PolicyTerms memory terms) internal view returns (uint256 limit) {
        terms.aggregateLimit = 1;
        (uint256 premium,) = pool.quotePremium(who, terms);
        for (uint256 i; i < 4; ++i) {
            terms.aggregateLimit = premium;
            (premium,) = pool.quotePremium(who, terms);
        }
        return premium < terms.aggregateLimit ? premium : terms.aggregateLimit;
    }

    /// @dev Buys `terms` for `who` (funding the premium) and returns the policy and premium.
    function _buy(address who, PolicyTerms memory terms) internal returns (uint256 policyId, uint256 premium) {
        (uint256 quoted,) = pool.quotePremium(who, terms);
        stablecoin.mint(who, quoted);
        vm.startPrank(who);
        stablecoin.approve(address(pool), quoted);
        (policyId, premium) = pool.buyPolicy(terms, quoted);
        vm.stopPrank();
    }

    /// @dev Buys a policy of `requests` requests at the largest limit the buyer's credit allows.
    function _buyDefault(address who, uint256 requests) internal returns (uint256 policyId, uint256 premium) {
        PolicyTerms memory terms = _terms(requests, 1);
        terms.aggregateLimit = _creditLimit(who, terms);
        return _buy(who, terms);
    }

    /// @dev Opens a session of `who` on the fine-tune under `policyId`.
    function _openInsured(address who, uint256 policyId, uint256 budget) internal returns (uint256 sessionId) {
        _fund(who, budget);
        vm.prank(who);
        sessionId = ledger.openSession(derivative, derivativeGateway, budget, block.timestamp + 2 days, policyId);
    }

    /// @dev A one-session batch on the fine-tune with the given (output, reasoning) per receipt, sequences from
    /// `firstSequence`.
    function _batchOf(uint256 sessionId, uint256 firstSequence, uint256[] memory outputs, uint256[] memory reasonings)
        internal
        returns (Batch memory batch)
    {
        batch.modelId = derivative;
        batch.sessionIds = _ids(sessionId);
        batch.receipts = new uint256[](outputs.length);
        for (uint256 i; i < outputs.length; ++i) {
            batch.receipts[i] = ReceiptLib.pack(0, firstSequence + i, 100, outputs[i], reasonings[i]);
        }
        batch.requestsCommitment = keccak256(abi.encode(sessionId, firstSequence));
        return _sign(batch, DERIVATIVE_ENCLAVE_PK);
    }

    /// @dev `n` requests each generating `output` + `reasoning` tokens.
    function _heavy(uint256 sessionId, uint256 firstSequence, uint256 n, uint256 output, uint256 reasoning)
        internal
        returns (Batch memory)
    {
        uint256[] memory outputs = new uint256[](n);
        uint256[] memory reasonings = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            outputs[i] = output;
            reasonings[i] = reasoning;
        }
        return _batchOf(sessionId, firstSequence, outputs, reasonings);
    }
}
