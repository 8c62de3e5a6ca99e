// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {PackedRevenueAccount, PackedRevenueIndex, PackedRevenueLib} from "../../../src/libraries/PackedRevenueLib.sol";
import {stdError} from "forge-std/StdError.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

/// @notice A holder's books over PackedRevenueLib, fed revenue directly. The holder keeps the stakes (as the lending
/// market keeps collateral) and keeps revenue that arrives while nothing is staked unindexed, offering it again.
contract PackedRevenueBooks {
    using PackedRevenueLib for PackedRevenueIndex;
    using PackedRevenueLib for PackedRevenueAccount;

    PackedRevenueIndex internal _index;
    mapping(uint256 user => PackedRevenueAccount) internal _accounts;
    mapping(uint256 user => uint256) public stakeOf;
    /// @dev Revenue received and not indexed yet (nothing was staked when it arrived).
    uint256 public unindexed;
    uint256 public received;
    uint256 public taken;
    uint256 public credits;

    function receiveRevenue(uint256 amount) external {
        received += amount;
        uint256 toIndex = unindexed + amount;
        if (toIndex == 0) return;
        if (_index.index(toIndex)) unindexed = 0;
        else unindexed = toIndex;
    }

    function setStake(uint256 user, uint256 stake) external {
        _count(user);
        _index.setStake(_accounts[user], stakeOf[user], stake);
        stakeOf[user] = stake;
    }

    function take(uint256 user) external returns (uint256 amount) {
        _count(user);
        amount = _index.take(_accounts[user], stakeOf[user]);
        taken += amount;
    }

    function spend(uint256 user, uint256 amount) external {
        uint256 owed = _index.credit(_accounts[user], stakeOf[user]);
        _accounts[user].setOwed(owed - amount);
        taken += amount;
    }

    /// @dev Moves the index as if `risen` x 2^128 per unit of stake had been indexed (to test the 160-bit wrap).
    function riseIndex(uint256 risenX128) external {
        unchecked {
            _index.perStakeX128 += uint160(risenX128);
        }
    }

    function owedOf(uint256 user) external view returns (uint256) {
        return _index.owedOf(_accounts[user], stakeOf[user]);
    }

    function totalStake() external view returns (uint256) {
        return _index.totalStake;
    }

    function totalIndexed() external view returns (uint256) {
        return _index.indexedTotal;
    }

    function _count(uint256 user) internal {
        if (stakeOf[user] != 0 && _accounts[user].checkpointX128 != _index.perStakeX128) ++credits;
    }
}

/// @dev Stakes the fuzzers use: zero, or 2^64 up to 1e30 (stakes below 2^64 are exact unless the index rises by
/// 2^160 while they are held; the dust-stake test covers that case).
function boundStake(uint256 seed) pure returns (uint256) {
    if (seed % 5 == 0) return 0;
    return (1 << 64) + seed % (1e30 - (1 << 64));
}

contract PackedRevenueLibTest is Test {
    /// @dev A stake unit that divides revenue x 2^128 exactly, so splits in these examples are exact.
    uint256 internal constant ONE = 1 << 60;

    PackedRevenueBooks internal books;

    function setUp() public {
        books = new PackedRevenueBooks();
    }

    function test_index_splitsByStake() public {
        books.setStake(1, ONE);
        books.setStake(2, 3 * ONE);
        books.receiveRevenue(400e6);
        assertEq(books.owedOf(1), 100e6, "a quarter");
        assertEq(books.owedOf(2), 300e6, "three quarters");
        assertEq(books.totalIndexed(), 400e6, "indexed");
    }

    function test_setStake_lateJoinerEarnsNothingFromBefore() public {
        books.setStake(1, ONE);
        books.receiveRevenue(100e6);
        books.setStake(2, ONE);
        assertEq(books.owedOf(2), 0, "nothing from before joining");
        books.receiveRevenue(100e6);
        assertEq(books.owedOf(1), 150e6, "all of the first, half of the second");
        assertEq(books.owedOf(2), 50e6, "half of the second");
    }

    function test_setStake_leaverKeepsWhatItEarned() public {
        books.setStake(1, ONE);
        books.setStake(2, ONE);
        books.receiveRevenue(100e6);
        books.setStake(1, 0);
        books.receiveRevenue(100e6);
        assertEq(books.owedOf(1), 50e6, "kept its half, nothing after leaving");
        assertEq(books.take(1), 50e6, "paid");
        assertEq(books.take(1), 0, "never paid twice");
    }

    function test_index_withoutStakeIsLeftToTheHolderThenIndexed() public {
        books.receiveRevenue(70e6);
        assertEq(books.totalIndexed(), 0, "not indexed without stake");
        assertEq(books.unindexed(), 70e6, "left to the holder");
        books.setStake(1, 5 * ONE);
        books.receiveRevenue(30e6);
        assertEq(books.owedOf(1), 100e6, "the first stake after an empty period receives what arrived meanwhile");
        assertEq(books.totalIndexed(), 100e6, "all indexed");
    }

    /// Each split rounds down and its remainder (here 2^-96 and 2^-95 of a unit) is dropped: 102 split three ways is
    /// 34 each exactly, but the two rounded-down splits sum to 2^-128 per unit of stake short of it, which costs each
    /// credit its last unit. Credits stay within the one-unit-per-credit dust, never above.
    function test_index_roundsDownAndDropsTheSubUnitRemainder() public {
        books.setStake(1, 1 << 32);
        books.setStake(2, 1 << 32);
        books.setStake(3, 1 << 32);
        books.receiveRevenue(100);
        assertEq(books.owedOf(1) + books.owedOf(2) + books.owedOf(3), 99, "credits round down");
        books.receiveRevenue(2);
        uint256 credited = books.owedOf(1) + books.owedOf(2) + books.owedOf(3);
        assertEq(books.totalIndexed(), 102, "all of it counted as indexed");
        assertLe(credited, 102, "never more than indexed");
        assertGe(credited, 102 - 3, "at most a unit per credit less");
    }

    /// With dust stakes the dropped remainder can likewise cost a credit its last unit, never add one.
    function test_index_droppedRemainderOnlyRoundsDown() public {
        books.setStake(1, 1);
        books.setStake(2, 1);
        books.setStake(3, 1);
        books.receiveRevenue(100);
        books.receiveRevenue(2);
        uint256 credited = books.owedOf(1) + books.owedOf(2) + books.owedOf(3);
        assertLe(credited, 102, "never more than indexed");
        assertGe(credited, 102 - 3, "at most a unit per credit less");
    }

    function test_spend_keepsTheRest() public {
        books.setStake(1, ONE);
        books.receiveRevenue(100e6);
        books.spend(1, 30e6);
        assertEq(books.owedOf(1), 70e6, "the rest stays owed");
        assertEq(books.take(1), 70e6, "and is paid once");
    }

    /// The checkpoint is kept modulo 2^160: a stake credited across the wrap of the index is credited exactly.
    function test_credit_exactAcrossTheIndexWrap() public {
        books.setStake(1, ONE);
        books.riseIndex(type(uint160).max - 5); // the index sits just below 2^160
        books.setStake(2, ONE); // checkpoint near the top
        assertEq(books.owedOf(2), 0, "nothing yet");
        books.receiveRevenue(200e6); // the index wraps
        assertEq(books.owedOf(2), 100e6, "half, across the wrap");
    }

    /// A stake of 2^64 or more is credited exactly for any revenue the source can pay (2^96 units).
    function testFuzz_credit_exactForStakesOf2e64(uint256 stake, uint256 other, uint256 amount) public {
        stake = bound(stake, 1 << 64, type(uint128).max / 2);
        other = bound(other, 0, type(uint128).max / 2);
        amount = bound(amount, 0, type(uint96).max);
        books.setStake(1, stake);
        books.setStake(2, other);
        books.receiveRevenue(amount);
        uint256 expected = amount * stake / (stake + other); // rounds down, like the index (within a unit)
        assertApproxEqAbs(books.owedOf(1), expected, 1, "exact up to rounding");
        assertLe(books.owedOf(1) + books.owedOf(2), amount, "never more than indexed");
    }

    /// A stake below 2^64 whose index rose by 2^160 or more sees a wrapped difference: credited less, never more.
    function test_credit_dustStakeAcrossAFullWrapIsCreditedLessNeverMore() public {
        books.setStake(1, 1);
        books.setStake(2, ONE);
        books.riseIndex(1 << 160); // a full turn: 2^32 units per unit of stake, which a dust stake would earn
        books.receiveRevenue(10);
        assertLe(books.owedOf(1), 10, "at most what was indexed");
    }

    function test_index_revertsPast96Bits() public {
        books.setStake(1, ONE);
        books.receiveRevenue(type(uint96).max);
        vm.expectRevert(stdError.assertionError);
        books.receiveRevenue(1);
    }

    function testFuzz_take_neverPaysMoreThanIndexed(uint256[3] memory stakes, uint256[4] memory amounts) public {
        for (uint256 round; round < 4; ++round) {
            for (uint256 user; user < 3; ++user) {
                books.setStake(user, boundStake(uint256(keccak256(abi.encode(stakes[user], round)))));
            }
            books.receiveRevenue(bound(amounts[round], 0, 1e15));
        }
        uint256 paid;
        for (uint256 user; user < 3; ++user) {
            books.setStake(user, 0);
            paid += books.take(user);
        }
        assertLe(paid, books.totalIndexed(), "paid <= indexed");
        assertEq(books.totalIndexed() + books.unindexed(), books.received(), "received = indexed + left unindexed");
        // Dust: one unit per credit, plus the dropped split remainders (each below totalStake / 2^128 of a unit).
        assertLe(books.totalIndexed() - paid, books.credits() + 1, "the rest is dust");
    }
}

/// @notice Handler for the invariant suite: any user stakes, unstakes and takes; revenue arrives at any time.
contract PackedRevenueBooksHandler is Test {
    PackedRevenueBooks public books;
    uint256 public ghostTaken;

    constructor(PackedRevenueBooks books_) {
        books = books_;
    }

    function setStake(uint256 user, uint256 stake) external {
        books.setStake(user % 4, boundStake(stake));
    }

    function receiveRevenue(uint256 amount) external {
        books.receiveRevenue(bound(amount, 0, 1e15));
    }

    function take(uint256 user) external {
        ghostTaken += books.take(user % 4);
    }
}

contract PackedRevenueLibInvariantTest is StdInvariant, Test {
    PackedRevenueBooks internal books;
    PackedRevenueBooksHandler internal handler;

    function setUp() public {
        books = new PackedRevenueBooks();
        handler = new PackedRevenueBooksHandler(books);
        targetContract(address(handler));
    }

    /// @dev Nothing is paid twice and nothing is paid that did not arrive: paid plus owed never exceeds indexed.
    function invariant_paidPlusOwedNeverExceedsIndexed() public view {
        uint256 owed;
        for (uint256 user; user < 4; ++user) {
            owed += books.owedOf(user);
        }
        assertEq(handler.ghostTaken(), books.taken(), "ghost taken");
        assertLe(books.taken() + owed, books.totalIndexed(), "paid + owed <= indexed");
        assertEq(books.totalIndexed() + books.unindexed(), books.received(), "nothing lost before indexing");
        // Nothing stranded: what is neither paid nor owed is rounding dust (a unit per credit and per stake still
        // held, plus the dropped split remainders, each below totalStake / 2^128 of a unit).
        assertLe(books.totalIndexed() - books.taken() - owed, books.credits() + 4, "the rest is dust");
    }

    function invariant_totalStakeIsTheSumOfStakes() public view {
        uint256 sum;
        for (uint256 user; user < 4; ++user) {
            sum += books.stakeOf(user);
        }
        assertEq(books.totalStake(), sum, "total stake");
    }
}
