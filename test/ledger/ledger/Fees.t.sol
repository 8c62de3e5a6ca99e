// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IInferenceLedger} from "../../../src/inference/interfaces/IInferenceLedger.sol";
import {LedgerBaseTest} from "../LedgerBaseTest.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @notice `setFees`, `claimSubmitterFees`, `claimProtocolFees`.
contract FeesTest is LedgerBaseTest {
    uint256 internal charged;

    function setUp() public override {
        super.setUp();
        uint256 sessionId = _openSession(buyer, baseModel, 1000 * USDC);
        charged = _settle(_sign(_uniformBatch(baseModel, _ids(sessionId), 50, 1, 3), ENCLAVE_PK));
    }

    function test_setFees_updatesRates() public {
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.FeesSet(1000, 500);
        vm.prank(protocolOwner);
        ledger.setFees(1000, 500);
        assertEq(lens.protocolFeeBps(), 1000, "protocol");
        assertEq(lens.submitterFeeBps(), 500, "submitter");
        assertEq(lens.protocolFees(), charged * PROTOCOL_FEE_BPS / 10_000, "accrued fees untouched");
    }

    function test_setFees_revertsWhen_protocolFeeTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.FeeTooHigh.selector, 1001, 1000));
        vm.prank(protocolOwner);
        ledger.setFees(1001, 0);
    }

    function test_setFees_revertsWhen_submitterFeeTooHigh() public {
        vm.expectRevert(abi.encodeWithSelector(IInferenceLedger.FeeTooHigh.selector, 501, 500));
        vm.prank(protocolOwner);
        ledger.setFees(0, 501);
    }

    function test_setFees_revertsWhen_notOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, attacker));
        vm.prank(attacker);
        ledger.setFees(0, 0);
    }

    function test_claimSubmitterFees_paysAccrued() public {
        uint256 fee = charged * SUBMITTER_FEE_BPS / 10_000;
        address receiver = makeAddr("receiver");
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.SubmitterFeesClaimed(keeper, receiver, fee);
        vm.prank(keeper);
        assertEq(ledger.claimSubmitterFees(receiver), fee, "returned");
        assertEq(stablecoin.balanceOf(receiver), fee, "paid");
        assertEq(ledger.submitterFees(keeper), 0, "reset");
        vm.prank(keeper);
        assertEq(ledger.claimSubmitterFees(receiver), 0, "nothing twice");
    }

    function test_claimSubmitterFees_revertsWhen_zeroReceiver() public {
        vm.expectRevert(IInferenceLedger.ZeroAddress.selector);
        vm.prank(keeper);
        ledger.claimSubmitterFees(address(0));
    }

    function test_claimProtocolFees_paysAccrued() public {
        uint256 fee = charged * PROTOCOL_FEE_BPS / 10_000;
        address treasury = makeAddr("treasury");
        vm.expectEmit(address(ledger));
        emit IInferenceLedger.ProtocolFeesClaimed(treasury, fee);
        vm.prank(protocolOwner);
        assertEq(ledger.claimProtocolFees(treasury), fee, "returned");
        assertEq(stablecoin.balanceOf(treasury), fee, "paid");
        assertEq(lens.protocolFees(), 0, "reset");
        vm.prank(protocolOwner);
        assertEq(ledger.claimProtocolFees(treasury), 0, "nothing twice");
    }

    function test_claimProtocolFees_revertsWhen_notOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, attacker));
        vm.prank(attacker);
        ledger.claimProtocolFees(attacker);
    }

    function test_claimProtocolFees_revertsWhen_zeroReceiver() public {
        vm.expectRevert(IInferenceLedger.ZeroAddress.selector);
        vm.prank(protocolOwner);
        ledger.claimProtocolFees(address(0));
    }
}
