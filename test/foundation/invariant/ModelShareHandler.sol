// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {ShareVault} from "../mocks/ShareVault.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Drives one ModelShare with deposits, transfers, claims and time warps over a fixed set of actors: four
/// EOAs and a holder contract (ShareVault) that custodies shares for the EOAs.
/// @dev Keeps an independent ghost model of the share:
///  - a ghost stream advanced with the documented linear-release rule at exactly the moments the share syncs its
///    stream (every deposit, transfer and claim; never on a warp), so ghost and share release the same amounts;
///  - per actor, the entitlement numerator `sum(balance * deltaReleased)` over every sync, i.e. the pro-rata
///    revenue of the actor's holding over time, scaled by the supply (no rounding at all);
///  - per actor, the number of share-side credits that can round down (a touch with a non-zero balance and a
///    non-zero release since the actor's last touch): the documented rounding is below one unit per credit.
contract ModelShareHandler is Test {
    uint256 internal constant USDC = 1e6;
    uint256 internal constant MAX_DEPOSIT = 1e12 * USDC;

    ModelShare public immutable share;
    MockStablecoin public immutable stablecoin;
    ShareVault public immutable vault;
    uint256 public immutable supply;
    uint256 public immutable period;
    address public immutable payer;

    address[] internal _actors;
    /// @dev The EOAs among the actors: the only ones that can use the vault.
    address[] internal _users;

    /* GHOSTS */

    uint256 public ghostDeposited;
    uint256 public ghostPaid;

    uint256 public ghostReleased;
    uint256 public ghostPending;
    uint256 public ghostLastUpdate;
    uint256 public ghostEnd;

    mapping(address actor => uint256) public ghostBalance;
    /// @dev Sum over syncs of `balance * deltaReleased`: the exact entitlement times the supply.
    mapping(address actor => uint256) public ghostEntitlementScaled;
    mapping(address actor => uint256) public ghostCheckpoint;
    mapping(address actor => uint256) public ghostClaimed;
    mapping(address actor => uint256) public roundingCredits;

    mapping(bytes32 action => uint256) public calls;

    constructor(ModelShare share_, MockStablecoin stablecoin_, ShareVault vault_, address[] memory users_) {
        share = share_;
        stablecoin = stablecoin_;
        vault = vault_;
        supply = share_.totalSupply();
        period = share_.REVENUE_STREAM_PERIOD();
        payer = makeAddr("handlerPayer");
        for (uint256 i; i < users_.length; ++i) {
            _users.push(users_[i]);
            _actors.push(users_[i]);
            ghostBalance[users_[i]] = share_.balanceOf(users_[i]);
        }
        _actors.push(address(vault_));
        ghostBalance[address(vault_)] = share_.balanceOf(address(vault_));
    }

    /* ACTIONS */

    /// @notice The payer deposits `amount` of revenue.
    function deposit(uint256 amount) external {
        amount = bound(amount, 1, MAX_DEPOSIT);
        stablecoin.mint(payer, amount);
        vm.prank(payer);
        stablecoin.approve(address(share), amount);

        _ghostSync();
        vm.prank(payer);
        share.depositRevenue(amount);
        ghostPending += amount;
        ghostLastUpdate = block.timestamp;
        ghostEnd = block.timestamp + period;
        ghostDeposited += amount;
        ++calls["deposit"];
    }

    /// @notice Moves shares between two actors. With the vault on one side this is a vault deposit or withdrawal
    /// of the EOA on the other side; vault to vault is a harvest.
    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _actor(fromSeed);
        address to = _actor(toSeed);
        if (from == address(vault) && to == address(vault)) return _harvestVault();

        _ghostSync();
        if (to == address(vault)) {
            amount = bound(amount, 0, ghostBalance[from]);
            vm.startPrank(from);
            share.approve(address(vault), amount);
            uint256 paid = _measurePaid();
            vault.deposit(amount); // harvest (claim) then transferFrom(from, vault)
            _recordClaim(address(vault), _measurePaid() - paid);
            vm.stopPrank();
            ++calls["vaultDeposit"];
        } else if (from == address(vault)) {
            amount = bound(amount, 0, vault.sharesOf(to));
            uint256 paid = _measurePaid();
            vm.prank(to);
            vault.withdraw(amount); // harvest (claim) then transfer(vault, to)
            _recordClaim(address(vault), _measurePaid() - paid);
            ++calls["vaultWithdraw"];
        } else {
            amount = bound(amount, 0, ghostBalance[from]);
            vm.prank(from);
            share.transfer(to, amount);
            ++calls[from == to ? bytes32("selfTransfer") : bytes32("transfer")];
        }
        _touch(from);
        _touch(to);
        ghostBalance[from] -= amount;
        ghostBalance[to] += amount;
    }

    /// @notice An actor claims its revenue (the vault harvests).
    function claim(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        if (actor == address(vault)) return _harvestVault();
        _ghostSync();
        vm.prank(actor);
        uint256 paid = share.claim(actor);
        _recordClaim(actor, paid);
        _touch(actor);
        ++calls["claim"];
    }

    /// @notice An EOA withdraws the revenue the vault booked to it (the vault harvests first).
    function claimFromVault(uint256 userSeed) external {
        address user = _users[userSeed % _users.length];
        _ghostSync();
        uint256 paid = _measurePaid();
        vm.prank(user);
        vault.withdrawRevenue(user);
        _recordClaim(address(vault), _measurePaid() - paid);
        _touch(address(vault));
        ++calls["claimFromVault"];
    }

    /// @notice Time passes: often one block, sometimes hours, sometimes more than a whole stream.
    function warp(uint256 seconds_) external {
        uint256 kind = seconds_ % 4;
        if (kind == 0) seconds_ = 12;
        else if (kind == 1) seconds_ = bound(seconds_, 1, 1 hours);
        else seconds_ = bound(seconds_, 1, 2 * period);
        vm.warp(block.timestamp + seconds_);
        vm.roll(block.number + seconds_ / 12 + 1);
        ++calls["warp"];
    }

    /* VIEWS FOR THE INVARIANTS */

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function users() external view returns (address[] memory) {
        return _users;
    }

    /// @notice The ghost stream's released amount now, by the linear-release rule, without syncing.
    function ghostReleasedNow() public view returns (uint256) {
        return ghostReleased + _ghostNewlyReleased();
    }

    /// @notice `actor`'s exact entitlement now, times the supply.
    function ghostEntitlementScaledNow(address actor) public view returns (uint256) {
        return ghostEntitlementScaled[actor] + ghostBalance[actor] * _ghostNewlyReleased();
    }

    /// @notice Credits of `actor` that may have rounded down, counting the one `claimable` would do now.
    function roundingCreditsNow(address actor) public view returns (uint256) {
        uint256 pendingCredit = ghostBalance[actor] != 0 && ghostReleasedNow() > ghostCheckpoint[actor] ? 1 : 0;
        return roundingCredits[actor] + pendingCredit;
    }

    /* INTERNAL */

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % _actors.length];
    }

    function _harvestVault() internal {
        _ghostSync();
        uint256 paid = vault.harvest();
        _recordClaim(address(vault), paid);
        _touch(address(vault));
        ++calls["harvest"];
    }

    function _ghostNewlyReleased() internal view returns (uint256) {
        if (ghostPending == 0 || block.timestamp <= ghostLastUpdate) return 0;
        if (block.timestamp >= ghostEnd) return ghostPending;
        return ghostPending * (block.timestamp - ghostLastUpdate) / (ghostEnd - ghostLastUpdate);
    }

    /// @dev Mirrors the share's stream sync and credits every actor's holding since the last sync.
    function _ghostSync() internal {
        uint256 newlyReleased = _ghostNewlyReleased();
        if (ghostPending == 0 || block.timestamp <= ghostLastUpdate) return;
        for (uint256 i; i < _actors.length; ++i) {
            ghostEntitlementScaled[_actors[i]] += ghostBalance[_actors[i]] * newlyReleased;
        }
        ghostReleased += newlyReleased;
        ghostPending -= newlyReleased;
        ghostLastUpdate = block.timestamp;
    }

    /// @dev The share credits `actor` up to the current release: count it if it can round.
    function _touch(address actor) internal {
        if (ghostBalance[actor] != 0 && ghostReleased > ghostCheckpoint[actor]) ++roundingCredits[actor];
        ghostCheckpoint[actor] = ghostReleased;
    }

    function _recordClaim(address actor, uint256 paid) internal {
        ghostClaimed[actor] += paid;
        ghostPaid += paid;
    }

    /// @dev Stablecoin the share has paid out so far, measured from its balance.
    function _measurePaid() internal view returns (uint256) {
        return ghostDeposited - stablecoin.balanceOf(address(share));
    }
}
