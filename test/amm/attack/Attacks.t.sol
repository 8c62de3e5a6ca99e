// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {FlashBorrower, ReentrantCallee} from "../mocks/Attacker.sol";
import {AmmBase} from "../utils/AmmBase.sol";

contract AttacksTest is AmmBase {
    ReentrantCallee internal callee;

    function setUp() public override {
        super.setUp();
        lp.mint(-6000, 6000, 1e24);
        callee = new ReentrantCallee(pool);
        stable.mint(address(callee), 1e30);
        share.transfer(address(callee), 1e28);
    }

    /* PRICE LIMIT */

    function test_attack_priceLimitWrongDirectionReverts() public {
        (uint160 price,) = _price();
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.PriceLimitOutOfRange.selector, price + 1, price));
        trader.swap(true, 1e18, price + 1);
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolErrors.PriceLimitOutOfRange.selector, price - 1, price));
        trader.swap(false, 1e18, price - 1);
    }

    /* UNDERPAYING CALLBACKS */

    function test_attack_underpayingSwapCallbackReverts() public {
        trader.setShortfall(1);
        vm.expectPartialRevert(ICognitionPoolErrors.InsufficientPayment.selector);
        trader.swap(false, 1e18, _maxLimit());
        vm.expectPartialRevert(ICognitionPoolErrors.InsufficientPayment.selector);
        trader.swap(true, -1e18, _minLimit());
    }

    function test_attack_underpayingMintCallbackReverts() public {
        trader.setShortfall(1);
        vm.expectPartialRevert(ICognitionPoolErrors.InsufficientPayment.selector);
        trader.mint(-60, 60, 1e18);
    }

    function test_attack_flashSwapWithoutRepaymentReverts() public {
        FlashBorrower borrower = new FlashBorrower(pool);
        stable.mint(address(borrower), 1e30);
        share.transfer(address(borrower), 1e28);
        borrower.setDefault(true);
        vm.expectPartialRevert(ICognitionPoolErrors.InsufficientPayment.selector);
        borrower.flash(1e18);
    }

    function test_flashSwap_outputArrivesBeforePayment() public {
        FlashBorrower borrower = new FlashBorrower(pool);
        share.transfer(address(borrower), 1e28);
        stable.mint(address(borrower), 1e30);
        uint256 before1 = _balance(token1, address(borrower));
        borrower.flash(1e18);
        assertEq(borrower.outputSeenBeforePaying() - before1, 1e18, "output received inside the callback");
    }

    /* REENTRANCY */

    function _expectReentrancyBlocked(ReentrantCallee.Reentry r) internal {
        callee.setReentry(r);
        vm.expectRevert(ICognitionPoolErrors.Reentrancy.selector);
        callee.swap(true, 1e18);
        vm.expectRevert(ICognitionPoolErrors.Reentrancy.selector);
        callee.mint(-60, 60, 1e18);
    }

    function test_attack_reentrancyThroughCallbackReverts() public {
        _expectReentrancyBlocked(ReentrantCallee.Reentry.Swap);
        _expectReentrancyBlocked(ReentrantCallee.Reentry.Mint);
        _expectReentrancyBlocked(ReentrantCallee.Reentry.Burn);
        _expectReentrancyBlocked(ReentrantCallee.Reentry.Collect);
        _expectReentrancyBlocked(ReentrantCallee.Reentry.CollectRevenue);
        _expectReentrancyBlocked(ReentrantCallee.Reentry.IncreaseCardinality);
    }

    function test_slot0_reportsLockedDuringCallback() public {
        callee.setReentry(ReentrantCallee.Reentry.None);
        callee.swap(true, 1e18);
        assertTrue(callee.sawLocked(), "locked inside the callback");
        (,,,,,, bool unlocked) = pool.slot0();
        assertTrue(unlocked, "unlocked after");
    }

    /* TWAP MANIPULATION */

    function _twap(uint32 window) internal view returns (int256) {
        uint32[] memory ago = new uint32[](2);
        ago[0] = window;
        (int56[] memory c,) = pool.observe(ago);
        return (c[1] - c[0]) / int56(uint56(window));
    }

    /// @dev Bound (documented on `ICognitionPool.observe`): a tick moved by `d` and held for `s` seconds moves a
    /// `w`-second TWAP by at most `d * s / w`; a move made and undone within a block moves it by nothing, because
    /// an observation records the tick that held before the block's first change.
    function test_attack_oneBlockManipulationBoundsThirtyMinuteTwap() public {
        pool.increaseObservationCardinalityNext(200);
        for (uint256 i; i < 150; ++i) {
            vm.warp(block.timestamp + 12);
            trader.swap(i % 2 == 0, 1e18, i % 2 == 0 ? _minLimit() : _maxLimit());
        }
        int256 honest = _twap(1800);

        // Block N: push the price ~ -5900 ticks (to the range edge) and read in the same block.
        vm.warp(block.timestamp + 12);
        (, int24 tickBefore) = _price();
        trader.swap(true, 1e30, TickMath.getSqrtRatioAtTick(-5900));
        (, int24 tickAfter) = _price();
        int256 moved = int256(tickBefore) - tickAfter;
        assertGt(moved, 5000, "large manipulation");
        assertApproxEqAbs(_twap(1800), honest, 1, "same block: TWAP unaffected");

        // Undone within the same block: still nothing.
        uint256 snapshot = vm.snapshotState();
        trader.swap(false, 1e30, TickMath.getSqrtRatioAtTick(tickBefore));
        vm.warp(block.timestamp + 12);
        assertApproxEqAbs(_twap(1800), honest, 2, "undone in the block: TWAP unaffected");
        vm.revertToState(snapshot);

        // Held for one 12-second block: bounded by moved * 12 / 1800.
        vm.warp(block.timestamp + 12);
        int256 shift = honest - _twap(1800);
        assertGt(shift, 0, "some effect");
        assertLe(shift, moved * 12 / 1800 + 2, "at most moved * 12 s / 30 min");
    }
}
