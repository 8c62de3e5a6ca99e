// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {BaseTest} from "../BaseTest.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

contract PermitTest is BaseTest {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    address internal signer;
    uint256 internal signerKey;

    function setUp() public override {
        super.setUp();
        (signer, signerKey) = makeAddrAndKey("permitSigner");
        _transferShares(modelOwner, signer, 1000e18);
    }

    function _domainSeparator(ModelShare target) internal view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(target.name())), keccak256("1"), block.chainid, address(target))
        );
    }

    function _digest(address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", _domainSeparator(share), structHash));
    }

    function _sign(uint256 key, address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (uint8 v, bytes32 r, bytes32 s)
    {
        return vm.sign(key, _digest(owner, spender, value, nonce, deadline));
    }

    function test_DOMAIN_SEPARATOR_matchesEip712() public view {
        assertEq(share.DOMAIN_SEPARATOR(), _domainSeparator(share), "domain separator");
    }

    function test_DOMAIN_SEPARATOR_differsPerClone() public {
        (, address other) = _registerModel(alice, "base-model", SUPPLY);
        assertTrue(ModelShare(other).DOMAIN_SEPARATOR() != share.DOMAIN_SEPARATOR(), "each clone has its own domain");
    }

    function test_DOMAIN_SEPARATOR_followsChainId() public {
        bytes32 before = share.DOMAIN_SEPARATOR();
        vm.chainId(block.chainid + 1);
        assertTrue(share.DOMAIN_SEPARATOR() != before, "domain changes on a fork");
        assertEq(share.DOMAIN_SEPARATOR(), _domainSeparator(share), "recomputed for the new chain id");
    }

    function test_permit_setsAllowance() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _sign(signerKey, signer, bob, 500e18, 0, deadline);

        vm.expectEmit(address(share));
        emit IERC20.Approval(signer, bob, 500e18);
        vm.prank(attacker); // anyone may relay a permit
        share.permit(signer, bob, 500e18, deadline, v, r, s);

        assertEq(share.allowance(signer, bob), 500e18, "allowance");
        assertEq(share.nonces(signer), 1, "nonce used");

        vm.prank(bob);
        share.transferFrom(signer, bob, 500e18);
        assertEq(share.balanceOf(bob), 500e18, "permit allowance spendable");
    }

    function test_permit_acceptsDeadlineEqualToNow() public {
        (uint8 v, bytes32 r, bytes32 s) = _sign(signerKey, signer, bob, 1, 0, block.timestamp);
        share.permit(signer, bob, 1, block.timestamp, v, r, s);
        assertEq(share.allowance(signer, bob), 1, "allowance at the deadline");
    }

    function testFuzz_permit_revertsWhenExpired(uint256 lateBy) public {
        lateBy = bound(lateBy, 1, 365 days);
        uint256 deadline = block.timestamp;
        (uint8 v, bytes32 r, bytes32 s) = _sign(signerKey, signer, bob, 1, 0, deadline);
        vm.warp(deadline + lateBy);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.PermitExpired.selector, deadline));
        share.permit(signer, bob, 1, deadline, v, r, s);
    }

    function test_permit_revertsForWrongSigner() public {
        (address wrong, uint256 wrongKey) = makeAddrAndKey("wrongSigner");
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _sign(wrongKey, signer, attacker, 1000e18, 0, deadline);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidPermitSigner.selector, wrong, signer));
        share.permit(signer, attacker, 1000e18, deadline, v, r, s);
        assertEq(share.nonces(signer), 0, "nonce not consumed");
    }

    function test_permit_revertsOnReplayedNonce() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _sign(signerKey, signer, bob, 10e18, 0, deadline);
        share.permit(signer, bob, 10e18, deadline, v, r, s);
        vm.prank(bob);
        share.transferFrom(signer, bob, 10e18);

        // Replayed, the signature is checked against nonce 1 and recovers some unrelated address.
        address recovered = ecrecover(_digest(signer, bob, 10e18, 1, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidPermitSigner.selector, recovered, signer));
        share.permit(signer, bob, 10e18, deadline, v, r, s);
        assertEq(share.allowance(signer, bob), 0, "allowance not restored");
    }

    function test_permit_revertsOnChangedValue() public {
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _sign(signerKey, signer, bob, 1e18, 0, deadline);
        address recovered = ecrecover(_digest(signer, bob, 1000e18, 0, deadline), v, r, s);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidPermitSigner.selector, recovered, signer));
        share.permit(signer, bob, 1000e18, deadline, v, r, s);
    }

    function test_permit_revertsOnOtherCloneSignature() public {
        (, address other) = _registerModel(alice, "other", SUPPLY);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _sign(signerKey, signer, bob, 1e18, 0, deadline);
        bytes32 otherDigest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                _domainSeparator(ModelShare(other)),
                keccak256(abi.encode(PERMIT_TYPEHASH, signer, bob, 1e18, 0, deadline))
            )
        );
        address recovered = ecrecover(otherDigest, v, r, s);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidPermitSigner.selector, recovered, signer));
        ModelShare(other).permit(signer, bob, 1e18, deadline, v, r, s);
    }

    function test_permit_revertsOnMalformedSignature() public {
        vm.expectRevert(abi.encodeWithSelector(IModelShare.InvalidPermitSigner.selector, address(0), signer));
        share.permit(signer, bob, 1, block.timestamp, 27, bytes32(0), bytes32(0));
    }
}
