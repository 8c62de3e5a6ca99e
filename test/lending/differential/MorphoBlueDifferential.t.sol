// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {LendingBase} from "../LendingBase.t.sol";
import {IMorphoBlue, MorphoBlueDeployer} from "../utils/MorphoBlueDeployer.sol";

/// @notice Differential test of the accounting against Morpho Blue's own code (built from its npm package): the same
/// random sequences of supply / withdraw / supplyCollateral / borrow / repay / withdrawCollateral / liquidate (by
/// assets and by shares), time warps, price moves and a fee, on a market whose collateral earns no revenue (the one
/// deliberate difference, revenue credit, is then idle). After every step both must have succeeded or both failed,
/// with the same amounts, the same market totals and the same positions, to the wei.
contract MorphoBlueDifferentialTest is LendingBase, MorphoBlueDeployer {
    IMorphoBlue internal morpho;
    address[] internal actors;
    /// @dev Each actor's twin on Morpho Blue (its own balances, so the two sides never compete for tokens).
    address[] internal twins;
    bytes32 internal rawId;
    /// @dev Steps where both markets accepted the call, per op (a run must exercise the accounting, not only reverts).
    mapping(uint256 op => uint256) internal succeeded;

    function setUp() public override {
        super.setUp();
        morpho = IMorphoBlue(_deployMorphoBlue(lendingOwner));
        vm.startPrank(lendingOwner);
        morpho.enableIrm(address(irm));
        morpho.enableLltv(LLTV);
        morpho.setFeeRecipient(lendingOwner);
        vm.stopPrank();
        morpho.createMarket(params);
        rawId = keccak256(abi.encode(params));
        vm.startPrank(lendingOwner);
        morpho.setFee(params, 0.1e18);
        lending.setFee(params, 0.1e18);
        vm.stopPrank();
        irm.setRate(0.5e18 / uint256(365 days)); // high, to make interest and rounding matter

        actors = [lender, lender2, borrower, borrower2, liquidator];
        for (uint256 i; i < actors.length; ++i) {
            twins.push(makeAddr(string.concat("morphoTwin", vm.toString(i))));
            _transferShares(modelOwner, actors[i], 10_000e18);
            _transferShares(modelOwner, twins[i], 10_000e18);
            stablecoin.mint(actors[i], 1e15);
            stablecoin.mint(twins[i], 1e15);
            vm.startPrank(twins[i]);
            stablecoin.approve(address(morpho), type(uint256).max);
            share.approve(address(morpho), type(uint256).max);
            vm.stopPrank();
        }
    }

    function testFuzz_differential_sameAccountingAsMorphoBlue(uint256 seed) public {
        for (uint256 step; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            _step(r % 14, (r >> 8) % actors.length, r >> 16);
            _compare(step);
        }
    }

    /// The fixed seeds below must exercise every kind of call, including both liquidation modes.
    function test_differential_fixedSeedsExerciseEveryCall() public {
        for (uint256 seed; seed < 40; ++seed) {
            testFuzz_differential_sameAccountingAsMorphoBlue(seed);
        }
        for (uint256 op; op < 14; ++op) {
            if (op == 10 || op == 11) continue;
            assertGt(succeeded[op], 0, string.concat("op exercised: ", vm.toString(op)));
        }
    }

    function _step(uint256 op, uint256 who, uint256 x) internal {
        if (op == 10) {
            vm.warp(block.timestamp + bound(x, 1, 60 days));
            return;
        }
        if (op == 11) {
            oracle.setPrice(bound(x, 0.3e24, 1.5e24));
            return;
        }
        bytes memory ours = _call(false, op, who, x);
        bytes memory theirs = _call(true, op, who, x);
        vm.prank(actors[who]);
        (bool okOurs, bytes memory retOurs) = address(lending).call(ours);
        vm.prank(twins[who]);
        (bool okTheirs, bytes memory retTheirs) = address(morpho).call(theirs);
        assertEq(okOurs, okTheirs, string.concat("both succeed or both fail, op ", vm.toString(op)));
        if (okOurs && retOurs.length > 0) assertEq(retOurs, retTheirs, "same amounts returned");
        if (okOurs) ++succeeded[op];
    }

    /// @dev The call for one side: amounts are bounded from our side's state, which must equal Morpho Blue's.
    function _call(bool onMorpho, uint256 op, uint256 who, uint256 x) internal view returns (bytes memory) {
        address actor = onMorpho ? twins[who] : actors[who];
        (uint256 supplyShares, uint256 borrowShares, uint256 collateral) = lending.position(id, actors[who]);
        uint256 targetIndex = (x >> 200) % actors.length;
        address target = onMorpho ? twins[targetIndex] : actors[targetIndex];
        (, uint256 targetBorrowShares, uint256 targetCollateral) = lending.position(id, actors[targetIndex]);
        uint256 a;
        uint256 s;
        if (op == 0) a = bound(x, 1, 1e12);
        else if (op == 1) s = bound(x, 1, 1e18);
        else if (op == 2) s = bound(x, 1, supplyShares + 1);
        else if (op == 3) a = bound(x, 1, 1e12);
        else if (op == 4) a = bound(x, 1, 2000e18);
        else if (op == 5) a = bound(x, 1, collateral * oracle.price() / 1e36 * LLTV / 1e18 + 1);
        else if (op == 6) s = bound(x, 1, (collateral * oracle.price() / 1e36 * LLTV / 1e18) * 1e6 / 2 + 1);
        else if (op == 7) s = bound(x, 1, borrowShares + 1);
        else if (op == 8) a = bound(x, 1, 1e10);
        else if (op == 9) a = bound(x, 1, collateral + 1);
        else if (op == 12) a = bound(x, 1, targetCollateral + 1);
        else s = bound(x, 1, targetBorrowShares + 1);

        if (op <= 1) {
            return onMorpho
                ? abi.encodeCall(morpho.supply, (params, a, s, actor, ""))
                : abi.encodeCall(lending.supply, (params, a, s, actor));
        }
        if (op <= 3) {
            return onMorpho
                ? abi.encodeCall(morpho.withdraw, (params, a, s, actor, actor))
                : abi.encodeCall(lending.withdraw, (params, a, s, actor, actor));
        }
        if (op == 4) {
            return onMorpho
                ? abi.encodeCall(morpho.supplyCollateral, (params, a, actor, ""))
                : abi.encodeCall(lending.supplyCollateral, (params, a, actor));
        }
        if (op <= 6) {
            return onMorpho
                ? abi.encodeCall(morpho.borrow, (params, a, s, actor, actor))
                : abi.encodeCall(lending.borrow, (params, a, s, actor, actor));
        }
        if (op <= 8) {
            return onMorpho
                ? abi.encodeCall(morpho.repay, (params, a, s, actor, ""))
                : abi.encodeCall(lending.repay, (params, a, s, actor));
        }
        if (op == 9) {
            return onMorpho
                ? abi.encodeCall(morpho.withdrawCollateral, (params, a, actor, actor))
                : abi.encodeCall(lending.withdrawCollateral, (params, a, actor, actor));
        }
        return onMorpho
            ? abi.encodeCall(morpho.liquidate, (params, target, a, s, ""))
            : abi.encodeCall(lending.liquidate, (params, target, a, s, ""));
    }

    function _compare(uint256 step) internal view {
        (uint128 a, uint128 b, uint128 c, uint128 d, uint128 e, uint128 f) = lending.market(id);
        (uint128 a2, uint128 b2, uint128 c2, uint128 d2, uint128 e2, uint128 f2) = morpho.market(rawId);
        string memory at = string.concat(" after step ", vm.toString(step));
        assertEq(a, a2, string.concat("totalSupplyAssets", at));
        assertEq(b, b2, string.concat("totalSupplyShares", at));
        assertEq(c, c2, string.concat("totalBorrowAssets", at));
        assertEq(d, d2, string.concat("totalBorrowShares", at));
        assertEq(e, e2, string.concat("lastUpdate", at));
        assertEq(f, f2, string.concat("fee", at));
        for (uint256 i; i <= actors.length; ++i) {
            bool fee = i == actors.length;
            (uint256 s, uint256 bs, uint256 col) = lending.position(id, fee ? lendingOwner : actors[i]);
            (uint256 s2, uint128 bs2, uint128 col2) = morpho.position(rawId, fee ? lendingOwner : twins[i]);
            assertEq(s, s2, string.concat("supplyShares", at));
            assertEq(bs, bs2, string.concat("borrowShares", at));
            assertEq(col, col2, string.concat("collateral", at));
        }
    }
}
