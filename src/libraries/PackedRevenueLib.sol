// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice A holder's revenue index over one revenue source, in two slots (the packed sibling of `RevenueIndex`);
/// the second carries 128 bits the holder keeps (an amount and a time), in the word every indexing writes anyway.
/// @dev Bounds: a source's cumulative revenue is at most 2^96 stablecoin units (ModelShare refuses deposits past it),
/// so `indexedTotal` and every account's `owed` fit 96 bits; stakes are ModelShare balances, at most 2^128.
struct PackedRevenueIndex {
    /// @dev Revenue per unit of stake since the start, in stablecoin units x 2^128, kept modulo 2^160: only the
    /// difference with an account's checkpoint is ever used (see `credit` for why 160 bits suffice).
    uint160 perStakeX128;
    /// @dev Revenue indexed so far, in stablecoin units.
    uint96 indexedTotal;
    /// @dev Sum of the accounts' stakes (kept by the holder, passed to every call).
    uint128 totalStake;
    /// @dev Kept by the holder (never touched by the library): what it has claimed from the source so far, say,
    /// in stablecoin units (at most 2^96, as `indexedTotal`).
    uint96 claimed;
    /// @dev Kept by the holder (never touched by the library): its last indexing time, say.
    uint32 indexedAt;
}

/// @notice One account's part of a `PackedRevenueIndex`, in one slot; its stake is kept by the holder (a lending
/// position's collateral), so the credit and the stake cannot disagree.
struct PackedRevenueAccount {
    /// @dev `perStakeX128` (mod 2^160) when the account was last credited.
    uint160 checkpointX128;
    /// @dev Credited and not yet paid, in stablecoin units.
    uint96 owed;
}

/// @title PackedRevenueLib
/// @notice `ShareRevenueLib`'s per-stake revenue index with packed storage, for holders whose users' stakes already
/// live in their own storage: the index is two slots, an account one slot (checkpoint and owed), the stake is read
/// from the holder. Same rule as `ShareRevenueLib`: index before any stake changes, so each amount is split over
/// exactly the stakes in place while it accrued; credits round down and so does the split (its remainder, below one
/// unit, is dropped: see `index`), so what is credited never exceeds what was indexed. Revenue that arrives while
/// nothing is staked is not indexed (`index` returns false): the holder leaves it unindexed and offers it again at the
/// next indexing with stake.
library PackedRevenueLib {
    uint256 internal constant Q128 = 1 << 128;

    /// @notice Indexes `amount` over the current total stake. Returns false, changing nothing, when nothing is staked.
    /// @dev The split rounds down: the remainder `amount * 2^128 mod totalStake`, worth less than `totalStake / 2^128`
    /// of a unit (below one unit, as stakes are below 2^128; ~3e-16 of a unit for a million shares of 18 decimals),
    /// is counted as indexed and never credited: it stays with the holder as dust. It is not carried to the next
    /// indexing (that would take a word) nor left unindexed to be offered again: the next split would then credit
    /// part of it a second time, so credits could exceed what arrived.
    function index(PackedRevenueIndex storage self, uint256 amount) internal returns (bool) {
        uint256 totalStake = self.totalStake;
        if (totalStake == 0) return false;
        uint256 indexedTotal = uint256(self.indexedTotal) + amount;
        // Cannot fail within the bounds above (a panic, not an error of the holder's ABI).
        assert(indexedTotal <= type(uint96).max);
        unchecked {
            // amount < 2^96: no overflow; the index is kept modulo 2^160 by design.
            self.perStakeX128 = uint160(self.perStakeX128 + amount * Q128 / totalStake);
        }
        self.indexedTotal = uint96(indexedTotal);
        return true;
    }

    /// @notice Credits `account`, whose stake is `stake`, with what it earned since its checkpoint (rounded down).
    /// Returns its owed. One slot read, and written only when the index moved.
    /// @dev The difference `perStakeX128 - checkpointX128` is taken modulo 2^160. It is exact while the index rose by
    /// less than 2^160 since the checkpoint. The rise times the stake / 2^128 is what the stake earned, at most the
    /// 2^96 units the source can ever pay, so the rise is below 2^224 / stake: exact for every stake of 2^64 or more
    /// (18.4 shares of 18 decimals). A smaller stake sees a wrapped (smaller) difference only if the index rose by
    /// 2^160, i.e. 2^32 units of revenue per unit of total stake were indexed while it was held: then it is credited
    /// less, never more, so the holder still never credits more than it indexed.
    function credit(PackedRevenueIndex storage self, PackedRevenueAccount storage account, uint256 stake)
        internal
        returns (uint256 owed)
    {
        uint160 perStakeX128 = self.perStakeX128;
        PackedRevenueAccount memory a = account;
        owed = a.owed;
        if (a.checkpointX128 == perStakeX128) return owed;
        uint256 delta;
        unchecked {
            delta = uint160(perStakeX128 - a.checkpointX128);
        }
        if (stake != 0) owed += Math.mulDiv(stake, delta, Q128);
        assert(owed <= type(uint96).max);
        account.checkpointX128 = perStakeX128;
        account.owed = uint96(owed);
    }

    /// @notice Credits `account`, then moves its stake from `oldStake` to `newStake` in the total (the holder stores
    /// the stake itself).
    function setStake(
        PackedRevenueIndex storage self,
        PackedRevenueAccount storage account,
        uint256 oldStake,
        uint256 newStake
    ) internal {
        credit(self, account, oldStake);
        uint256 totalStake = self.totalStake - oldStake + newStake;
        assert(totalStake <= type(uint128).max);
        self.totalStake = uint128(totalStake);
    }

    /// @notice Sets what `account` is owed (after a `credit`: the holder spent part of it). At most the credit.
    function setOwed(PackedRevenueAccount storage account, uint256 owed) internal {
        account.owed = uint96(owed);
    }

    /// @notice Credits `account` and takes all it is owed (the caller pays it out). Returns the amount.
    function take(PackedRevenueIndex storage self, PackedRevenueAccount storage account, uint256 stake)
        internal
        returns (uint256 amount)
    {
        amount = credit(self, account, stake);
        if (amount != 0) account.owed = 0;
    }

    /// @notice What `account` is owed as of the last indexing, rounded down (a view of `credit`).
    function owedOf(PackedRevenueIndex storage self, PackedRevenueAccount storage account, uint256 stake)
        internal
        view
        returns (uint256)
    {
        uint256 delta;
        unchecked {
            delta = uint160(self.perStakeX128 - account.checkpointX128);
        }
        return account.owed + Math.mulDiv(stake, delta, Q128);
    }
}
