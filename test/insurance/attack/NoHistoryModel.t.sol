// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsurancePool, PolicyTerms} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {Batch} from "../../ledger/LedgerBaseTest.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Attack: insure a model whose usage the pool has (almost) never seen, at a price no data supports.
/// Defence: no quote below `MIN_OBSERVATIONS` settled requests.
contract NoHistoryModelAttackTest is InsuranceBaseTest {
    function test_attack_noQuoteBelowMinimumObservations() public {
        _deposit(underwriter, UNDERWRITER_DEPOSIT);
        PolicyTerms memory terms = _terms(1000, 1000);
        terms.modelId = baseModel;
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InsufficientHistory.selector, baseModel, 0, 1000));
        pool.quotePremium(attacker, terms);

        uint256[] memory ids = new uint256[](1);
        ids[0] = _openSession(attacker, baseModel, 100 * USDC);
        _settle(_sign(_uniformBatch(baseModel, ids, 999, 1, 7), ENCLAVE_PK));
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InsufficientHistory.selector, baseModel, 999, 1000));
        pool.quotePremium(attacker, terms);
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InsufficientHistory.selector, baseModel, 999, 1000));
        pool.buyPolicy(terms, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IInsurancePool.InsufficientHistory.selector, baseModel, 999, 1000));
        pool.fixedPriceStrike(baseModel);

        Batch memory last = _sign(_uniformBatch(baseModel, ids, 1, 1000, 8), ENCLAVE_PK);
        _settle(last);
        terms.aggregateLimit = 1;
        (uint256 premium,) = pool.quotePremium(attacker, terms);
        assertGt(premium, 0, "quoted from the 1,000th observation on");
        assertGt(pool.fixedPriceStrike(baseModel), 0, "fixed-price strike available");
    }
}
