// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RevenueAccount, RevenueIndex, ShareRevenueLib} from "../../../src/libraries/ShareRevenueLib.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Test} from "forge-std/Test.sol";

/// @notice A holder's books over ShareRevenueLib, fed revenue directly: stakes, revenue arrivals and payouts.
contract RevenueBooks {
    using ShareRevenueLib for RevenueIndex;

    RevenueIndex internal _index;
    mapping(uint256 user => RevenueAccount) internal _accounts;
    uint256 public totalIndexed;
    uint256 public taken;
    uint256 public credits;

    function receiveRevenue(uint256 amount) external {
        _index.index(amount);
        totalIndexed += amount;
    }

    function setStake(uint256 user, uint256 stake) external {
        _count(user);
        _index.setStake(_accounts[user], stake);
    }

    function take(uint256 user) external returns (uint256 amount) {
        _count(user);
        amount = _index.take(_accounts[user]);
        taken += amount;
    }

    function owedOf(uint256 user) external view returns (uint256) {
        return _index.owedOf(_accounts[user]);
    }

    function stakeOf(uint256 user) external view returns (uint256) {
        return _accounts[user].stake;
    }

    function totalStake() external view returns (uint256) {
        return _index.totalStake;
    }

    function carriedX128() external view returns (uint256) {
        return _index.carriedX128;
    }

    function _count(uint256 user) internal {
        if (_accounts[user].stake != 0 && _accounts[user].checkpointX128 != _index.perStakeX128) ++credits;
    }
}

contract ShareRevenueLibTest is Test {
    /// @dev A stake unit that divides revenue x 2^128 exactly, so splits in these examples are exact.
    uint256 internal constant ONE = 1 << 60;

    RevenueBooks internal books;

    function setUp() public {
        books = new RevenueBooks();
    }

    function test_index_splitsByStake() public {
        books.setStake(1, ONE);
        books.setStake(2, 3 * ONE);
        books.receiveRevenue(400e6);
        assertEq(books.owedOf(1), 100e6, "a quarter");
        assertEq(books.owedOf(2), 300e6, "three quarters");
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

    function test_index_withoutStakeIsCarriedToTheNextStake() public {
        books.receiveRevenue(70e6);
        assertEq(books.carriedX128(), 70e6 << 128, "carried");
        books.setStake(1, 5 * ONE);
        books.receiveRevenue(30e6);
        assertEq(books.owedOf(1), 100e6, "the first stake after an empty period receives what arrived meanwhile");
    }

    function test_index_roundsDownAndCarriesTheRemainder() public {
        books.setStake(1, 1);
        books.setStake(2, 1);
        books.setStake(3, 1);
        books.receiveRevenue(100);
        assertEq(books.owedOf(1) + books.owedOf(2) + books.owedOf(3), 99, "credits round down");
        books.receiveRevenue(2);
        assertEq(books.owedOf(1) + books.owedOf(2) + books.owedOf(3), 102, "the remainder is carried, not lost");
    }

    function testFuzz_take_neverPaysMoreThanIndexed(uint256[3] memory stakes, uint256[4] memory amounts) public {
        for (uint256 round; round < 4; ++round) {
            for (uint256 user; user < 3; ++user) {
                books.setStake(user, bound(uint256(keccak256(abi.encode(stakes[user], round))), 0, 1e30));
            }
            books.receiveRevenue(bound(amounts[round], 0, 1e15));
        }
        uint256 paid;
        for (uint256 user; user < 3; ++user) {
            books.setStake(user, 0);
            paid += books.take(user);
        }
        assertLe(paid, books.totalIndexed(), "paid <= indexed");
        // Dust: one unit per credit, plus less than one unit carried (or what arrived while nothing was staked).
        assertLe(books.totalIndexed() - paid, books.credits() + 1 + (books.carriedX128() >> 128), "the rest is dust");
    }
}

/// @notice Handler for the invariant suite: any user stakes, unstakes and takes; revenue arrives at any time.
contract RevenueBooksHandler is Test {
    RevenueBooks public books;
    uint256 public ghostTaken;

    constructor(RevenueBooks books_) {
        books = books_;
    }

    function setStake(uint256 user, uint256 stake) external {
        books.setStake(user % 4, bound(stake, 0, 1e30));
    }

    function receiveRevenue(uint256 amount) external {
        books.receiveRevenue(bound(amount, 0, 1e15));
    }

    function take(uint256 user) external {
        ghostTaken += books.take(user % 4);
    }
}

contract ShareRevenueLibInvariantTest is StdInvariant, Test {
    RevenueBooks internal books;
    RevenueBooksHandler internal handler;

    function setUp() public {
        books = new RevenueBooks();
        handler = new RevenueBooksHandler(books);
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
        // Nothing stranded: what is neither paid nor owed is rounding dust or revenue carried for the next stake.
        assertLe(
            books.totalIndexed() - books.taken() - owed,
            books.credits() + 4 + (books.carriedX128() >> 128),
            "the rest is dust or carried"
        );
    }

    function invariant_totalStakeIsTheSumOfStakes() public view {
        uint256 sum;
        for (uint256 user; user < 4; ++user) {
            sum += books.stakeOf(user);
        }
        assertEq(books.totalStake(), sum, "total stake");
    }
}
