// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlashLoanCallback} from "../../../src/lending/interfaces/ILendingCallbacks.sol";
import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {LendingBase} from "../LendingBase.t.sol";

/// @dev Borrows every share the market holds for one flash loan and claims the share's revenue with them.
contract ShareFlashClaimer is IFlashLoanCallback {
    IModelShare internal share;
    uint256 public claimedDuringLoan;

    function run(ILendingMarket lending, IModelShare share_, uint256 amount) external {
        share = share_;
        lending.flashLoan(address(share_), amount, "");
    }

    function onLendingFlashLoan(uint256 assets, bytes calldata) external {
        claimedDuringLoan = share.claim(address(this));
        share.approve(msg.sender, assets);
    }
}

/// @notice The market lends what it holds, posted collateral included. Holding all of it for one flash loan must not
/// earn the shares' revenue, nor take any from the borrowers who posted them.
contract FlashCollateralAttackTest is LendingBase {
    uint256 internal constant COLLATERAL = SUPPLY / 10;

    function test_attack_flashLoanOfPostedShares_earnsNoRevenue_borrowersKeepTheirs() public {
        _supply(lender, 100_000e6);
        _supplyCollateral(borrower, COLLATERAL);
        _borrow(borrower, 50e6);
        _deposit(1000e6);
        _warp(period / 2);

        ShareFlashClaimer attackerContract = new ShareFlashClaimer();
        uint256 held = share.balanceOf(address(lending));
        assertEq(held, COLLATERAL, "the market holds the posted shares");
        attackerContract.run(lending, share, held);

        assertEq(attackerContract.claimedDuringLoan(), 0, "holding the shares for no time earns nothing");
        assertEq(stablecoin.balanceOf(address(attackerContract)), 0, "attacker PnL = 0");
        assertEq(share.balanceOf(address(lending)), COLLATERAL, "every share back");

        // The market still earns its 10% of the half-released 1,000 mUSD for its borrower.
        lending.accrueInterest(params); // interest to now, so the change below is the repayment alone
        uint256 debtBefore = _debtOf(borrower);
        lending.settleRevenue(params, borrower);
        assertApproxEqAbs(
            lending.revenueHarvested(address(share)), 50e6, 2, "the posted shares' revenue reached the market"
        );
        assertApproxEqAbs(debtBefore - _debtOf(borrower), 50e6, 2, "and repaid the borrower's debt");
    }
}
