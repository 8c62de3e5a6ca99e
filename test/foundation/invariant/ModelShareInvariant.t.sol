// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BaseTest} from "../BaseTest.sol";
import {ShareVault} from "../mocks/ShareVault.sol";
import {ModelShareHandler} from "./ModelShareHandler.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";

/// @notice Invariants of a ModelShare under deposits, transfers (including into and out of a holder contract),
/// claims and time warps, checked against the handler's ghost model.
/// @dev Documented rounding: each share-side credit of an actor rounds down by less than one unit, so an actor's
/// `claimed + claimable` lies in (ghost - credits, ghost], where `ghost` is its exact pro-rata entitlement and
/// `credits` the number of its credits that could round (`roundingCreditsNow`).
contract ModelShareInvariantTest is StdInvariant, BaseTest {
    ModelShareHandler internal handler;
    ShareVault internal vault;

    function setUp() public override {
        super.setUp();
        vault = new ShareVault(share);
        vm.label(address(vault), "vault");

        // Odd holdings so that credits round.
        _transferShares(modelOwner, alice, 123_456_789_012_345_678_901_234);
        _transferShares(modelOwner, bob, 7);
        _transferShares(modelOwner, carol, 333_333_333_333_333_333_333_333);

        address[] memory users = new address[](4);
        users[0] = modelOwner;
        users[1] = alice;
        users[2] = bob;
        users[3] = carol;
        handler = new ModelShareHandler(share, stablecoin, vault, users);
        vm.label(address(handler), "handler");

        bytes4[] memory selectors = new bytes4[](5);
        selectors[0] = ModelShareHandler.deposit.selector;
        selectors[1] = ModelShareHandler.transfer.selector;
        selectors[2] = ModelShareHandler.claim.selector;
        selectors[3] = ModelShareHandler.claimFromVault.selector;
        selectors[4] = ModelShareHandler.warp.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
        targetContract(address(handler));
    }

    /* INVARIANTS */

    function invariant_totalPaidLeTotalDeposited() public view {
        assertLe(handler.ghostPaid(), handler.ghostDeposited(), "total paid <= total deposited");
        assertEq(share.depositedRevenue(), handler.ghostDeposited(), "share counts every deposit");
        assertEq(
            stablecoin.balanceOf(address(share)),
            handler.ghostDeposited() - handler.ghostPaid(),
            "share balance = deposited - paid"
        );
    }

    function invariant_stablecoinBalanceCoversEveryClaimable() public view {
        address[] memory actors = handler.actors();
        uint256 sum;
        for (uint256 i; i < actors.length; ++i) {
            sum += share.claimable(actors[i]);
        }
        assertGe(stablecoin.balanceOf(address(share)), sum, "share balance >= sum of claimable");
        assertLe(handler.ghostPaid() + sum, share.releasedRevenue(), "paid + claimable <= released");
    }

    function invariant_accruedMatchesGhostProRataWithinRounding() public view {
        address[] memory actors = handler.actors();
        uint256 supply = share.totalSupply();
        for (uint256 i; i < actors.length; ++i) {
            address actor = actors[i];
            uint256 accrued = handler.ghostClaimed(actor) + share.claimable(actor);
            uint256 ghostScaled = handler.ghostEntitlementScaledNow(actor);
            uint256 credits = handler.roundingCreditsNow(actor);
            // accrued <= ghost: rounding is always in the protocol's favour.
            assertLe(accrued * supply, ghostScaled, "accrued never above the exact pro-rata entitlement");
            // ghost - accrued < credits (one unit per credit that could round).
            assertLe(ghostScaled, (accrued + credits) * supply, "accrued within one unit per credit of the ghost");
            if (credits == 0) assertEq(accrued * supply, ghostScaled, "no credit, no rounding");
        }
    }

    function invariant_releasedPlusStreamingEqDeposited() public view {
        assertEq(share.releasedRevenue() + share.streamingRevenue(), share.depositedRevenue(), "released + streaming");
        assertEq(share.releasedRevenue(), handler.ghostReleasedNow(), "release follows the linear-release rule");
        if (share.streamingRevenue() != 0) assertGt(share.streamEnd(), block.timestamp, "streaming until the end");
    }

    function invariant_totalSupplyEqSumOfBalances() public view {
        address[] memory actors = handler.actors();
        uint256 sum;
        for (uint256 i; i < actors.length; ++i) {
            assertEq(share.balanceOf(actors[i]), handler.ghostBalance(actors[i]), "balance matches the ghost");
            sum += share.balanceOf(actors[i]);
        }
        assertEq(share.totalSupply(), SUPPLY, "supply fixed");
        assertEq(sum, share.totalSupply(), "totalSupply == sum of balances");
    }

    function invariant_holderContractCoversItsUsers() public view {
        address[] memory users = handler.users();
        uint256 shares;
        uint256 owed;
        for (uint256 i; i < users.length; ++i) {
            shares += vault.sharesOf(users[i]);
            owed += vault.revenueOf(users[i]);
        }
        assertEq(shares, share.balanceOf(address(vault)), "vault books every share it holds");
        assertEq(vault.totalHarvested(), handler.ghostClaimed(address(vault)), "vault harvested what it claimed");
        assertGe(stablecoin.balanceOf(address(vault)), owed, "vault balance covers its users' revenue");
        assertEq(stablecoin.balanceOf(address(vault)), vault.totalHarvested() - vault.totalPaid(), "vault balance");
    }

    /// @dev After each run: everyone leaves the vault, the stream runs out and everyone claims. Nothing is left
    /// anywhere but the documented dust: below one unit per rounding credit.
    function afterInvariant() public {
        address[] memory users = handler.users();
        for (uint256 i; i < users.length; ++i) {
            handler.transfer(4, i, type(uint256).max); // vault -> user: withdraw everything
        }
        vm.warp(block.timestamp + period); // beyond any stream end
        address[] memory actors = handler.actors();
        uint256 credits;
        for (uint256 i; i < actors.length; ++i) {
            handler.claim(i);
            if (i < users.length) handler.claimFromVault(i);
            credits += handler.roundingCredits(actors[i]);
        }
        for (uint256 i; i < users.length; ++i) {
            assertEq(vault.revenueOf(users[i]), 0, "vault paid each user out");
        }
        assertEq(share.streamingRevenue(), 0, "stream ran out");
        assertEq(share.balanceOf(address(vault)), 0, "vault holds no shares");

        uint256 shareDust = stablecoin.balanceOf(address(share));
        assertEq(shareDust, handler.ghostDeposited() - handler.ghostPaid(), "share dust = deposited - paid");
        assertLe(shareDust, credits, "share dust below one unit per rounding credit");
        assertLe(stablecoin.balanceOf(address(vault)), vault.creditCount() + 1, "vault dust within its rounding");
    }
}
