// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BaseTest} from "../BaseTest.sol";
import {FlashHolder, ShareFlashLender} from "../mocks/ShareFlashLender.sol";

/// @notice The flash-holding attack: shares acquired in the block of a revenue deposit (flash loan, sandwich) and
/// given back in that block earn nothing; held across exactly one block they earn at most that block's slice of
/// the stream, `pending * 12 / REVENUE_STREAM_PERIOD * balance / totalSupply`, each step rounded down.
contract FlashHoldingTest is BaseTest {
    ShareFlashLender internal lender;
    FlashHolder internal holder;
    uint256 internal constant LENT = 900_000e18; // 90% of the supply sits in the lender

    function setUp() public override {
        super.setUp();
        lender = new ShareFlashLender(share, alice);
        holder = new FlashHolder(lender, attacker);
        _transferShares(modelOwner, address(lender), LENT);
        // A stream is already running when the attack starts.
        _deposit(5000 * USDC);
        _warp(6 hours);
    }

    /* SAME BLOCK: FLASH LOAN */

    function test_flashHolding_flashLoanAfterDepositEarnsZero() public {
        uint256 lenderBefore = share.claimable(address(lender));
        _deposit(1_000_000 * USDC);
        holder.attack(LENT, 0);

        assertEq(holder.claimedDuringLoan(), 0, "nothing claimable while holding in the deposit block");
        assertEq(share.claimable(address(lender)), lenderBefore, "lender lost nothing in the block");
        _warp(2 * period);
        assertEq(holder.claimAfter(), 0, "nothing accrued afterwards either");
        assertEq(stablecoin.balanceOf(attacker), 0, "attacker received nothing");
    }

    function test_flashHolding_flashLoanMidStreamEarnsZero() public {
        // Six hours of stream are unreleased in storage: the loan's first transfer releases them, to the holders
        // of before the loan.
        uint256 lenderBefore = share.claimable(address(lender));
        uint256 ownerBefore = share.claimable(modelOwner);
        holder.attack(LENT, 0);
        assertEq(holder.claimedDuringLoan(), 0, "mid-stream flash loan earns nothing");
        assertEq(share.claimable(address(lender)), lenderBefore, "lender keeps its accrual");
        assertEq(share.claimable(modelOwner), ownerBefore, "owner keeps its accrual");
        _warp(2 * period);
        assertEq(holder.claimAfter(), 0, "nothing accrued afterwards");
    }

    function test_flashHolding_selfDepositWhileHoldingEarnsZero() public {
        stablecoin.mint(address(holder), 1_000_000 * USDC);
        uint256 streamingBefore = share.streamingRevenue();
        holder.attack(LENT, 1_000_000 * USDC);
        assertEq(holder.claimedDuringLoan(), 0, "depositing while holding earns nothing in the block");

        _warp(2 * period);
        assertEq(holder.claimAfter(), 0, "and nothing later");
        // The attacker's own deposit went to the real holders.
        uint256 streamed = streamingBefore + 1_000_000 * USDC;
        assertApproxEqAbs(
            share.claimable(address(lender)) + share.claimable(modelOwner),
            share.releasedRevenue(),
            2,
            "all released revenue belongs to the real holders"
        );
        assertGe(share.releasedRevenue(), streamed, "self-deposit released to holders");
    }

    function testFuzz_flashHolding_sameBlockEarnsZero(uint256 amount, uint256 revenue, uint256 sinceLastSync) public {
        amount = bound(amount, 1, LENT);
        revenue = bound(revenue, 1, 1e15 * USDC);
        sinceLastSync = bound(sinceLastSync, 0, 2 * period);
        _warp(sinceLastSync);
        _deposit(revenue);
        holder.attack(amount, 0);
        assertEq(holder.claimedDuringLoan(), 0, "nothing during the loan");
        _warp(3 * period);
        assertEq(holder.claimAfter(), 0, "nothing afterwards");
    }

    /* SAME BLOCK: SANDWICH WITH PLAIN TRANSFERS */

    function test_flashHolding_sandwichInDepositBlockEarnsZero() public {
        _transferShares(modelOwner, bob, 100_000e18);
        uint256 bobBefore = share.claimable(bob);

        // Front-run: receive; victim tx: deposit; back-run: give back. One block.
        _transferShares(bob, attacker, 100_000e18);
        _deposit(1_000_000 * USDC);
        _transferShares(attacker, bob, 100_000e18);

        assertEq(share.claimable(attacker), 0, "sandwich earns nothing");
        assertEq(share.claimable(bob), bobBefore, "lender of the shares lost nothing");
        _warp(2 * period);
        assertEq(_claim(attacker), 0, "nothing to claim later");
    }

    /* ONE BLOCK */

    function test_flashHolding_oneBlockEarnsOneSlice() public {
        _transferShares(modelOwner, bob, 100_000e18);
        uint256 held = 100_000e18;

        _transferShares(bob, attacker, held);
        _deposit(1_000_000 * USDC);
        uint256 pending = share.streamingRevenue();
        _warp(BLOCK_TIME);
        _transferShares(attacker, bob, held);

        uint256 slice = pending * BLOCK_TIME / period;
        uint256 expected = slice * held / SUPPLY;
        uint256 earned = share.claimable(attacker);
        assertEq(earned, expected, "exactly the block's slice times the attacker's share, rounded down");
        assertLe(earned * period * SUPPLY, pending * BLOCK_TIME * held, "never above the exact slice");
        // ~1,003,750 USDC pending: one block is 12/86,400 of it, a tenth of that is ~13.94 USDC.
        assertLt(earned, 14 * USDC, "a block's slice of a tenth of the supply");

        _warp(2 * period);
        assertEq(_claim(attacker), expected, "nothing more accrues after giving the shares back");
    }

    function testFuzz_flashHolding_oneBlockEarnsAtMostOneSlice(
        uint256 held,
        uint256 revenue,
        uint256 sinceLastSync,
        bool receiveBeforeDeposit
    ) public {
        held = bound(held, 1, SUPPLY - LENT);
        revenue = bound(revenue, 1, 1e15 * USDC);
        sinceLastSync = bound(sinceLastSync, 0, 2 * period);
        _warp(sinceLastSync);

        // Block N: the attacker gets the shares around the deposit.
        if (receiveBeforeDeposit) _transferShares(modelOwner, attacker, held);
        _deposit(revenue);
        if (!receiveBeforeDeposit) _transferShares(modelOwner, attacker, held);
        uint256 pending = share.streamingRevenue();

        // Block N + 1: the attacker gives them back.
        _warp(BLOCK_TIME);
        _transferShares(attacker, modelOwner, held);

        uint256 expected = (pending * BLOCK_TIME / period) * held / SUPPLY;
        uint256 earned = share.claimable(attacker);
        assertEq(earned, expected, "one block's slice, rounded down twice");
        assertLe(earned * period * SUPPLY, pending * BLOCK_TIME * held, "bounded by the exact slice");

        _warp(3 * period);
        assertEq(_claim(attacker), expected, "no accrual after the block");
    }

    function testFuzz_flashHolding_kBlocksEarnAtMostKSlices(uint256 held, uint256 revenue, uint256 blocks) public {
        held = bound(held, 1, SUPPLY - LENT);
        revenue = bound(revenue, 1, 1e15 * USDC);
        blocks = bound(blocks, 1, 100);
        _deposit(revenue);
        _transferShares(modelOwner, attacker, held);
        uint256 pending = share.streamingRevenue();
        _warp(blocks * BLOCK_TIME);
        _transferShares(attacker, modelOwner, held);
        uint256 earned = share.claimable(attacker);
        assertLe(earned * period * SUPPLY, pending * blocks * BLOCK_TIME * held, "at most k slices");
    }
}
