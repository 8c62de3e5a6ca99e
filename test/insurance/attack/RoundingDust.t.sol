// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInsurancePool} from "../../../src/insurance/interfaces/IInsurancePool.sol";
import {InsuranceBaseTest} from "../InsuranceBaseTest.sol";

/// @notice Attack: extract dust through rounding (many tiny deposits, round trips at an odd price). Defence: every
/// conversion rounds in the vault's favour (shares down on deposit and redeem, up on mint and withdraw) and claims
/// round down once per group.
contract RoundingDustAttackTest is InsuranceBaseTest {
    function setUp() public override {
        super.setUp();
        _seedHistory(derivative);
        _deposit(underwriter, 1_000_003);
        // An odd share price: a premium lands on top of the deposit.
        _buyDefault(buyer, 777);
    }

    function test_attack_tinyDepositsThenExitNeverProfit() public {
        uint256 paid;
        for (uint256 i; i < 200; ++i) {
            _deposit(attacker, 1 + (i % 3));
            paid += 1 + (i % 3);
        }
        uint256 out = _exit(attacker);
        emit log_named_int("attacker PnL", int256(out) - int256(paid));
        assertLe(out, paid, "no dust gained");
    }

    function testFuzz_attack_roundTripNeverProfits(uint256 assets, bool byMint) public {
        assets = bound(assets, 1, 1e9 * USDC);
        uint256 paid;
        if (byMint) {
            uint256 shares = pool.previewDeposit(assets) + 1;
            paid = pool.previewMint(shares);
            stablecoin.mint(attacker, paid);
            vm.startPrank(attacker);
            stablecoin.approve(address(pool), paid);
            pool.mint(shares, attacker);
            vm.stopPrank();
        } else {
            paid = assets;
            _deposit(attacker, assets);
        }
        uint256 out = _exit(attacker);
        assertLe(out, paid, "a round trip never profits");
    }

    function _exit(address who) internal returns (uint256 out) {
        uint256 shares = pool.balanceOf(who);
        vm.prank(who);
        pool.requestWithdraw(shares);
        _warp(pool.WITHDRAW_COOLDOWN());
        pool.releasePolicy(1);
        if (pool.previewRedeem(pool.maxRedeem(who)) == 0) {
            // Shares worth less than one unit: refused rather than burned for nothing; they stay queued.
            vm.prank(who);
            vm.expectRevert(abi.encodeWithSelector(IInsurancePool.ERC4626ExceededMaxRedeem.selector, who, 1, 0));
            pool.completeWithdraw(who);
            assertEq(pool.withdrawRequestOf(who).shares, shares, "nothing burned");
            return 0;
        }
        vm.prank(who);
        (, out) = pool.completeWithdraw(who);
    }
}
