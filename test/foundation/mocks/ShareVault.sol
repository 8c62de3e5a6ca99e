// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {RevenueAccount, RevenueIndex, ShareRevenueLib} from "../../../src/libraries/ShareRevenueLib.sol";
import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title ShareVault
/// @notice Minimal holder contract (the shape of an AMM pool or a lending market): custodies ModelShares for its
/// users, claims the share's revenue for itself and passes it on by the shares each user deposited, through
/// ShareRevenueLib. Every external function harvests first.
contract ShareVault {
    using ShareRevenueLib for RevenueIndex;

    IModelShare public immutable share;
    IERC20 public immutable stablecoin;

    RevenueIndex internal _index;
    mapping(address user => RevenueAccount) internal _accounts;
    uint256 public totalHarvested;
    uint256 public totalPaid;
    /// @dev Number of user credits that could round down: the bound on the vault's dust.
    uint256 public creditCount;

    constructor(IModelShare share_) {
        share = share_;
        stablecoin = IERC20(share_.stablecoin());
    }

    /// @notice Pulls `amount` shares from the caller (needs an allowance) and books them to the caller.
    function deposit(uint256 amount) external {
        _harvest();
        RevenueAccount storage account = _accounts[msg.sender];
        _countCredit(account);
        _index.setStake(account, account.stake + amount);
        share.transferFrom(msg.sender, address(this), amount);
    }

    /// @notice Sends `amount` of the caller's shares back to the caller.
    function withdraw(uint256 amount) external {
        _harvest();
        RevenueAccount storage account = _accounts[msg.sender];
        _countCredit(account);
        _index.setStake(account, account.stake - amount);
        share.transfer(msg.sender, amount);
    }

    /// @notice Claims the vault's revenue from the share and books it to the users.
    function harvest() external returns (uint256 harvested) {
        return _harvest();
    }

    /// @notice Pays the caller's revenue to `receiver`.
    function withdrawRevenue(address receiver) external returns (uint256 amount) {
        _harvest();
        RevenueAccount storage account = _accounts[msg.sender];
        _countCredit(account);
        amount = _index.take(account);
        totalPaid += amount;
        stablecoin.transfer(receiver, amount);
    }

    function totalShares() external view returns (uint256) {
        return _index.totalStake;
    }

    function sharesOf(address user) external view returns (uint256) {
        return _accounts[user].stake;
    }

    /// @notice Revenue booked to `user` so far (harvested revenue only), rounded down.
    function revenueOf(address user) external view returns (uint256) {
        return _index.owedOf(_accounts[user]);
    }

    function _harvest() internal returns (uint256 harvested) {
        harvested = _index.harvest(share);
        totalHarvested += harvested;
    }

    /// @dev A credit that can round down is about to happen: count it for the dust bound.
    function _countCredit(RevenueAccount storage account) internal {
        if (account.stake != 0 && _index.perStakeX128 != account.checkpointX128) ++creditCount;
    }
}
