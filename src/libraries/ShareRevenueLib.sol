// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {IModelShare} from "../registry/interfaces/IModelShare.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice The revenue pass-through of a contract that holds a model share for its users (a pool, a lending market,
/// an insurance vault): what it harvested from the share, indexed per unit of stake.
struct RevenueIndex {
    /// @dev Revenue per unit of stake since the start, in stablecoin units x 2^128 (rounded down at each harvest).
    uint256 perStakeX128;
    /// @dev Harvested revenue x 2^128 not indexed yet: the division remainder, or revenue harvested while nothing
    /// was staked. Indexed at the next harvest with stake.
    uint256 carriedX128;
    /// @dev Sum of the accounts' stakes.
    uint256 totalStake;
}

/// @notice One user's part of a `RevenueIndex`.
struct RevenueAccount {
    uint256 stake;
    /// @dev `perStakeX128` when the account was last credited.
    uint256 checkpointX128;
    /// @dev Credited and not yet paid.
    uint256 owed;
}

/// @title ShareRevenueLib
/// @notice Claims a model share's revenue for the holding contract and credits it to the contract's users by their
/// stake, O(1) per operation. Harvest before any stake changes (every entry point of the holder does, first): each
/// harvested amount is then split over exactly the stakes that were in place while it accrued, so a user who joins
/// earns nothing from before, and one who leaves keeps what it earned. Credits round down; the index carries its
/// division remainder, so what is paid never exceeds what was harvested and the holder keeps at most one unit of dust
/// per credit.
library ShareRevenueLib {
    uint256 internal constant Q128 = 1 << 128;

    /// @notice Claims the holder's revenue from `share` and indexes it. Returns the amount claimed.
    function harvest(RevenueIndex storage self, IModelShare share) internal returns (uint256 harvested) {
        harvested = claimAll(address(share));
        index(self, harvested);
    }

    /// @notice Claims all of this contract's released revenue from `share` (`IModelShare(share).claim(address(this))`
    /// as a lean call; the share's own error bubbles up). For holders that credit revenue by a rule of their own (the
    /// pool credits it by in-range liquidity, as fee growth), and for `harvest`.
    function claimAll(address share) internal returns (uint256 claimed) {
        bytes4 selector = IModelShare.claim.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, address())
            if iszero(and(gt(returndatasize(), 0x1f), call(gas(), share, 0, 0x00, 0x24, 0x00, 0x20))) {
                let m := mload(0x40)
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            claimed := mload(0x00)
        }
    }

    /// @notice `IModelShare(share).streamEnd()`: when everything deposited so far is released. A holder that last
    /// claimed at or after it has nothing new to claim, and can skip the call to `claim`.
    function streamEndOf(address share) internal view returns (uint256 end) {
        bytes4 selector = IModelShare.streamEnd.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), share, 0x00, 0x04, 0x00, 0x20))) {
                let m := mload(0x40)
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            end := mload(0x00)
        }
    }

    /// @notice `IModelShare(share).claimable(address(this))` as a lean static call (the share's own error bubbles up):
    /// what this contract can claim from `share` now, for holders that index revenue before claiming it.
    function claimableOf(address share) internal view returns (uint256 amount) {
        bytes4 selector = IModelShare.claimable.selector;
        assembly ("memory-safe") {
            mstore(0x00, selector)
            mstore(0x04, address())
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), share, 0x00, 0x24, 0x00, 0x20))) {
                let m := mload(0x40)
                returndatacopy(m, 0x00, returndatasize())
                revert(m, returndatasize())
            }
            amount := mload(0x00)
        }
    }

    /// @notice Indexes `amount` of revenue (already received) over the current total stake; with no stake it is
    /// carried to the next harvest with stake.
    function index(RevenueIndex storage self, uint256 amount) internal {
        uint256 toSplitX128 = self.carriedX128 + amount * Q128;
        uint256 totalStake = self.totalStake;
        if (totalStake == 0) {
            self.carriedX128 = toSplitX128;
            return;
        }
        uint256 perStakeX128 = toSplitX128 / totalStake;
        self.perStakeX128 += perStakeX128;
        self.carriedX128 = toSplitX128 - perStakeX128 * totalStake;
    }

    /// @notice Credits `account` with what its stake earned since its checkpoint (rounded down). Returns its owed.
    function credit(RevenueIndex storage self, RevenueAccount storage account) internal returns (uint256 owed) {
        uint256 perStakeX128 = self.perStakeX128;
        owed = account.owed;
        uint256 delta = perStakeX128 - account.checkpointX128;
        if (delta == 0) return owed;
        owed += Math.mulDiv(account.stake, delta, Q128);
        account.owed = owed;
        account.checkpointX128 = perStakeX128;
    }

    /// @notice Credits `account`, then sets its stake to `stake` (the total follows).
    function setStake(RevenueIndex storage self, RevenueAccount storage account, uint256 stake) internal {
        credit(self, account);
        self.totalStake = self.totalStake - account.stake + stake;
        account.stake = stake;
    }

    /// @notice Credits `account` and takes all it is owed (the caller pays it out). Returns the amount.
    function take(RevenueIndex storage self, RevenueAccount storage account) internal returns (uint256 amount) {
        amount = credit(self, account);
        account.owed = 0;
    }

    /// @notice What `account` is owed as of the last harvest, rounded down (a view of `credit`).
    function owedOf(RevenueIndex storage self, RevenueAccount storage account) internal view returns (uint256) {
        return account.owed + Math.mulDiv(account.stake, self.perStakeX128 - account.checkpointX128, Q128);
    }
}
