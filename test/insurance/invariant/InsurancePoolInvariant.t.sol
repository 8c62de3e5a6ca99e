// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ReceiptLib} from "../../../src/inference/libraries/ReceiptLib.sol";
import {PolicyTerms} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {Batch} from "../../ledger/LedgerBaseTest.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";
import {IInsuranceDriver, InsurancePoolHandler} from "./InsurancePoolHandler.sol";

/// forge-config: default.invariant.runs = 24
/// forge-config: default.invariant.depth = 64
/// @notice Invariants of the InsurancePool under random deposits, mints, queued withdrawals, policy sales, insured
/// settlements, releases and time.
contract InsurancePoolInvariantTest is InsuranceBaseTest, IInsuranceDriver {
    InsurancePoolHandler internal handler;

    function setUp() public override {
        super.setUp();
        _seedHistory(derivative);
        handler = new InsurancePoolHandler(pool, stablecoin, IInsuranceDriver(address(this)), derivative);
        // Some capital to start with, so that policies sell from the first call.
        _deposit(underwriter, 10_000 * USDC);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = InsurancePoolHandler.deposit.selector;
        selectors[1] = InsurancePoolHandler.mint.selector;
        selectors[2] = InsurancePoolHandler.requestWithdraw.selector;
        selectors[3] = InsurancePoolHandler.cancelWithdraw.selector;
        selectors[4] = InsurancePoolHandler.redeem.selector;
        selectors[5] = InsurancePoolHandler.withdraw.selector;
        selectors[6] = InsurancePoolHandler.buyAndUse.selector;
        selectors[7] = InsurancePoolHandler.warp.selector;
        selectors[8] = InsurancePoolHandler.release.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    /* DRIVER */

    function creditLimitFor(address who, PolicyTerms memory terms) external view returns (uint256) {
        return _creditLimit(who, terms);
    }

    function openInsuredFor(address who, uint256 policyId, uint256 budget) external returns (uint256) {
        return _openInsured(who, policyId, budget);
    }

    function settleFor(uint256 sessionId, uint256 firstSequence, uint256[] memory outputs, uint256[] memory reasonings)
        external
    {
        _settle(_batchOf(sessionId, firstSequence, outputs, reasonings));
    }

    function reattestNow() external {
        _reattest();
    }

    /* INVARIANTS */

    function invariant_assetsAreDepositsPlusPremiumsMinusClaimsMinusWithdrawals() public view {
        assertEq(
            pool.totalAssets(),
            10_000 * USDC + handler.ghostDeposits() + handler.ghostPremiums() - handler.ghostClaims()
                - handler.ghostWithdrawals(),
            "vault assets"
        );
        (uint256 premiums, uint256 claims) = pool.totals();
        assertEq(premiums, handler.ghostPremiums(), "premium total");
        assertEq(claims, handler.ghostClaims(), "claim total");
    }

    function invariant_poolHoldsItsAssets() public view {
        assertGe(stablecoin.balanceOf(address(pool)), pool.totalAssets(), "never pays more than it holds");
    }

    function invariant_noPayoutBeyondLimitsOrCoinsurance() public view {
        assertEq(handler.payoutsBeyondTerms(), 0, "payout above excess x co-insurance");
        assertEq(handler.claimsBeyondLimit(), 0, "payout above a policy's aggregate limit");
    }

    /// @dev Sales keep exposure <= capital x leverage; claims lower both, so with leverage the bound is on the
    /// capital before claims.
    function invariant_exposureWithinCapacity() public view {
        (, uint256 claims) = pool.totals();
        assertLe(pool.exposure() * 10_000, (pool.totalAssets() + claims) * LEVERAGE_BPS, "exposure <= capacity");
        assertLe(pool.exposure(), pool.modelExposure(derivative), "net exposure within the model's gross");
    }

    function invariant_sharePriceMovesOnlyByPremiumsAndClaims() public view {
        assertEq(handler.priceMovedWithoutPremiumOrClaim(), 0, "share price moved otherwise");
    }

    function invariant_queueNeverTakesRequiredCapital() public view {
        assertEq(handler.requiredCapitalTaken(), 0, "a withdrawal left less than the required capital");
    }

    function invariant_eip4626PreviewsMaxAndRoundTrips() public view {
        assertEq(handler.previewMismatches(), 0, "an action differed from its preview");
        assertEq(handler.maxReverted(), 0, "using a max* reverted");
        assertEq(handler.roundTripProfits(), 0, "shares worth more than they cost");
    }

    function invariant_supplyIsSumOfBalances() public view {
        uint256 sum = pool.balanceOf(underwriter) + pool.balanceOf(address(pool));
        uint256 queued = pool.withdrawRequestOf(underwriter).shares;
        for (uint256 i; i < 3; ++i) {
            address who = handler.underwriterAt(i);
            sum += pool.balanceOf(who);
            queued += pool.withdrawRequestOf(who).shares;
        }
        assertEq(pool.totalSupply(), sum, "supply = balances");
        assertEq(pool.balanceOf(address(pool)), queued, "escrow = queued shares");
    }
}
