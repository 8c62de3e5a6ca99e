// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BaseTest} from "../BaseTest.sol";

contract ClaimableTest is BaseTest {
    function test_claimable_zeroForNonHolder() public {
        _deposit(1000 * USDC);
        _warp(period);
        assertEq(share.claimable(attacker), 0, "non-holder");
    }

    function test_claimable_growsWithTimeOnly() public {
        _deposit(1000 * USDC);
        uint256 last;
        for (uint256 i = 1; i <= 8; ++i) {
            _warp(period / 8);
            uint256 now_ = share.claimable(modelOwner);
            assertGt(now_, last, "strictly increasing while streaming");
            last = now_;
        }
        assertEq(last, 1000 * USDC, "everything at the end");
    }

    /// @dev Random holdings, random deposits at random times and random transfers; at the end each holder's
    /// claimable equals what claim pays, to the unit.
    function testFuzz_claimable_equalsWhatClaimPays(uint256 seed, uint256 steps) public {
        steps = bound(steps, 1, 12);
        address[3] memory holders = [alice, bob, modelOwner];
        _transferShares(modelOwner, alice, bound(seed, 0, SUPPLY / 2));
        _transferShares(modelOwner, bob, bound(seed >> 128, 0, SUPPLY / 2));
        for (uint256 i; i < steps; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (r % 3 == 0) _deposit(bound(r >> 8, 1, 1e9 * USDC));
            address from = holders[(r >> 16) % 3];
            address to = holders[(r >> 24) % 3];
            _transferShares(from, to, bound(r >> 32, 0, share.balanceOf(from)));
            _warp(bound(r >> 64, 0, period));
            if ((r >> 96) % 2 == 0) {
                address claimer = holders[(r >> 100) % 3];
                uint256 expected = share.claimable(claimer);
                assertEq(_claim(claimer), expected, "mid-run claim pays claimable");
            }
        }
        for (uint256 i; i < 3; ++i) {
            uint256 expected = share.claimable(holders[i]);
            assertEq(_claim(holders[i]), expected, "claim pays claimable");
            assertEq(share.claimable(holders[i]), 0, "nothing left after claim");
        }
    }
}
