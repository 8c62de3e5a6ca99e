// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket, MarketId, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract AdminTest is LendingBase {
    function test_createMarket_revertsTwice() public {
        vm.expectRevert(ILendingMarket.MarketAlreadyCreated.selector);
        lending.createMarket(params);
    }

    function test_createMarket_revertsIrmNotEnabled() public {
        MarketParams memory other = params;
        other.irm = address(0xdead);
        vm.expectRevert(ILendingMarket.IrmNotEnabled.selector);
        lending.createMarket(other);
    }

    function test_createMarket_revertsLltvNotEnabled() public {
        MarketParams memory other = params;
        other.lltv = 0.5e18;
        vm.expectRevert(ILendingMarket.LltvNotEnabled.selector);
        lending.createMarket(other);
    }

    function test_createMarket_revertsNotAModelShare() public {
        MarketParams memory other = params;
        other.collateralToken = address(stablecoin);
        vm.expectRevert(ILendingMarket.NotAModelShare.selector);
        lending.createMarket(other);
        other.collateralToken = makeAddr("eoa");
        vm.expectRevert(ILendingMarket.NotAModelShare.selector);
        lending.createMarket(other);
    }

    function test_createMarket_selfRepayingOnlyInTheRevenueToken() public {
        (,, bool selfRepaying) = lending.config(id);
        assertTrue(selfRepaying, "stablecoin loans against a share paid in stablecoin");
        MarketParams memory other = params;
        other.loanToken = address(share);
        lending.createMarket(other);
        (uint128 supplyCap, uint120 borrowCap, bool otherSelfRepaying) = lending.config(_id(other));
        assertFalse(otherSelfRepaying, "another loan token: revenue is only claimable");
        assertEq(supplyCap, type(uint128).max, "caps start open");
        assertEq(borrowCap, type(uint120).max, "caps start open");
    }

    function test_enableLltv_revertsAtOne() public {
        vm.prank(lendingOwner);
        vm.expectRevert(ILendingMarket.InvalidLltv.selector);
        lending.enableLltv(1e18);
    }

    function test_ownerFunctions_revertNotOwner() public {
        vm.startPrank(attacker);
        vm.expectRevert(ILendingMarket.NotOwner.selector);
        lending.enableIrm(address(1));
        vm.expectRevert(ILendingMarket.NotOwner.selector);
        lending.enableLltv(0.5e18);
        vm.expectRevert(ILendingMarket.NotOwner.selector);
        lending.setFee(params, 0.1e18);
        vm.expectRevert(ILendingMarket.NotOwner.selector);
        lending.setCaps(params, 0, 0);
        vm.expectRevert(ILendingMarket.NotOwner.selector);
        lending.setFeeRecipient(attacker);
        vm.expectRevert(ILendingMarket.NotOwner.selector);
        lending.setOwner(attacker);
        vm.stopPrank();
    }

    function test_setFee_revertsAboveMax() public {
        vm.prank(lendingOwner);
        vm.expectRevert(ILendingMarket.FeeTooHigh.selector);
        lending.setFee(params, 0.25e18 + 1);
        vm.prank(lendingOwner);
        lending.setFee(params, 0.25e18);
        (,,,,, uint128 fee) = lending.market(id);
        assertEq(fee, 0.25e18, "max fee allowed");
    }

    function test_setOwner_handsOver() public {
        vm.prank(lendingOwner);
        lending.setOwner(carol);
        assertEq(lending.owner(), carol, "new owner");
    }

    function test_setAuthorization_revertsNoChange() public {
        vm.prank(borrower);
        vm.expectRevert(ILendingMarket.AlreadySet.selector);
        lending.setAuthorization(carol, false);
        vm.prank(borrower);
        lending.setAuthorization(carol, true);
        assertTrue(lending.isAuthorized(borrower, carol), "authorized");
    }

    function test_idToMarketParams_matchesId() public view {
        (address loanToken, address collateralToken, address oracle_, address irm_, uint256 lltv) =
            lending.idToMarketParams(id);
        assertEq(keccak256(abi.encode(loanToken, collateralToken, oracle_, irm_, lltv)), MarketId.unwrap(id), "id");
    }

    function _id(MarketParams memory p) internal pure returns (MarketId) {
        return MarketId.wrap(keccak256(abi.encode(p)));
    }
}
