// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IFlashLoanCallback} from "../../../src/lending/interfaces/ILendingCallbacks.sol";
import {ILendingMarket} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract FlashBorrower is IFlashLoanCallback {
    bool public repay = true;
    uint256 public seen;

    function setRepay(bool repay_) external {
        repay = repay_;
    }

    function run(ILendingMarket lending, address token, uint256 assets) external {
        lending.flashLoan(token, assets, abi.encode(token));
    }

    function onLendingFlashLoan(uint256 assets, bytes calldata data) external {
        address token = abi.decode(data, (address));
        seen = IERC20(token).balanceOf(address(this));
        if (repay) IERC20(token).approve(msg.sender, assets);
    }
}

contract FlashLoanTest is LendingBase {
    function test_flashLoan_lendsAndTakesBack() public {
        _supply(lender, 1000e6);
        FlashBorrower flash = new FlashBorrower();
        flash.run(lending, address(stablecoin), 1000e6);
        assertEq(flash.seen(), 1000e6, "held during the callback");
        assertEq(stablecoin.balanceOf(address(lending)), 1000e6, "all back");
    }

    function test_flashLoan_revertsWithoutRepayment() public {
        _supply(lender, 1000e6);
        FlashBorrower flash = new FlashBorrower();
        flash.setRepay(false);
        vm.expectRevert();
        flash.run(lending, address(stablecoin), 1000e6);
    }

    function test_flashLoan_revertsZero() public {
        vm.expectRevert(ILendingMarket.ZeroAmount.selector);
        lending.flashLoan(address(stablecoin), 0, "");
    }
}
