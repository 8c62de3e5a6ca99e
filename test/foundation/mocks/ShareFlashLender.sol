// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @notice Receiver of a ShareFlashLender loan.
interface IShareFlashBorrower {
    /// @dev Must leave `amount` shares approved to the lender before returning.
    function onShareFlashLoan(uint256 amount, bytes calldata data) external;
}

/// @title ShareFlashLender
/// @notice Holder contract that lends its ModelShares for the length of one call, free of charge (the
/// friendliest possible lender for an attacker). It claims its own revenue like any holder.
contract ShareFlashLender {
    error NotRepaid(uint256 balanceBefore, uint256 balanceAfter);
    error NotOwner();

    IModelShare public immutable share;
    address public immutable owner;

    constructor(IModelShare share_, address owner_) {
        share = share_;
        owner = owner_;
    }

    function flashLoan(IShareFlashBorrower borrower, uint256 amount, bytes calldata data) external {
        uint256 balanceBefore = share.balanceOf(address(this));
        share.transfer(address(borrower), amount);
        borrower.onShareFlashLoan(amount, data);
        share.transferFrom(address(borrower), address(this), amount);
        uint256 balanceAfter = share.balanceOf(address(this));
        if (balanceAfter != balanceBefore) revert NotRepaid(balanceBefore, balanceAfter);
    }

    function claim(address receiver) external returns (uint256) {
        if (msg.sender != owner) revert NotOwner();
        return share.claim(receiver);
    }
}

/// @title FlashHolder
/// @notice The attacker's contract: borrows shares, optionally deposits revenue while holding them, claims
/// everything it can and repays.
contract FlashHolder is IShareFlashBorrower {
    IModelShare public immutable share;
    ShareFlashLender public immutable lender;
    address public immutable beneficiary;
    uint256 public claimedDuringLoan;

    constructor(ShareFlashLender lender_, address beneficiary_) {
        lender = lender_;
        share = lender_.share();
        beneficiary = beneficiary_;
    }

    /// @notice Borrows `amount` shares; if `selfDeposit` is non-zero, deposits that much revenue while holding.
    function attack(uint256 amount, uint256 selfDeposit) external {
        lender.flashLoan(this, amount, abi.encode(selfDeposit));
    }

    function onShareFlashLoan(uint256 amount, bytes calldata data) external {
        uint256 selfDeposit = abi.decode(data, (uint256));
        if (selfDeposit != 0) {
            IERC20(share.stablecoin()).approve(address(share), selfDeposit);
            share.depositRevenue(selfDeposit);
        }
        claimedDuringLoan += share.claim(beneficiary);
        share.approve(address(lender), amount);
    }

    /// @notice Claims whatever this contract accrued, after the loan.
    function claimAfter() external returns (uint256) {
        return share.claim(beneficiary);
    }
}
