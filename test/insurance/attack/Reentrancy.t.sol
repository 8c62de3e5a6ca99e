// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {InsurancePool} from "../../../src/insurance/InsurancePool.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Test} from "forge-std/Test.sol";

/// @notice A 6-decimal stablecoin that calls `hook` once, after the next balance change, when armed.
contract HookStablecoin is ERC20 {
    address public hook;

    constructor() ERC20("Hook USD", "hUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function arm(address hook_) external {
        hook = hook_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        address target = hook;
        if (target != address(0)) {
            hook = address(0);
            ReentrantUnderwriter(target).onTransfer();
        }
    }
}

/// @notice What the pool reads of a ledger at construction.
contract StubLedger {
    uint256 public constant SETTLEMENT_GRACE = 1 hours;
    address public immutable stablecoin;
    address public constant modelRegistry = address(0xBEEF);

    constructor(address stablecoin_) {
        stablecoin = stablecoin_;
    }
}

/// @notice An underwriter that re-enters the pool from the token's transfer hook.
contract ReentrantUnderwriter {
    InsurancePool internal immutable pool;
    HookStablecoin internal immutable token;
    bytes internal _reentry;
    bool public reentered;
    bytes public reentryError;

    constructor(InsurancePool pool_, HookStablecoin token_) {
        pool = pool_;
        token = token_;
        token_.approve(address(pool_), type(uint256).max);
    }

    function deposit(uint256 assets, bytes calldata reentry) external returns (uint256) {
        _reentry = reentry;
        token.arm(address(this));
        return pool.deposit(assets, address(this));
    }

    function requestWithdraw(uint256 shares) external {
        pool.requestWithdraw(shares);
    }

    function completeWithdraw(bytes calldata reentry) external returns (uint256 shares, uint256 assets) {
        _reentry = reentry;
        token.arm(address(this));
        return pool.completeWithdraw(address(this));
    }

    /// @dev Arms the hook for the next transfer of the token (a payout someone else triggers).
    function arm(bytes calldata reentry) external {
        _reentry = reentry;
        token.arm(address(this));
    }

    function onTransfer() external {
        bytes memory data = _reentry;
        if (data.length == 0) return;
        bool ok;
        (ok, reentryError) = address(pool).call(data);
        reentered = ok;
    }
}

/// @notice Attack: re-enter the vault from a token hook (an ERC-777-style stablecoin) in the middle of a deposit or
/// a payout. Defences: the queue's exits hold the lock and pay last; a deposit pulls first and then re-reads the
/// vault before minting, so a nested deposit is accounted and both mint at the same price.
contract ReentrancyAttackTest is Test {
    HookStablecoin internal token;
    InsurancePool internal pool;
    ReentrantUnderwriter internal attacker;
    address internal underwriter = makeAddr("underwriter");

    function setUp() public {
        token = new HookStablecoin();
        pool = new InsurancePool(address(new StubLedger(address(token))), 2000, 500, 20_000, 15_000);
        attacker = new ReentrantUnderwriter(pool, token);
        token.mint(underwriter, 1000e6);
        vm.startPrank(underwriter);
        token.approve(address(pool), type(uint256).max);
        pool.deposit(1000e6, underwriter);
        vm.stopPrank();
    }

    function test_attack_nestedDepositIsAccountedAtTheSamePrice() public {
        token.mint(address(attacker), 200e6);
        attacker.deposit(100e6, abi.encodeCall(pool.deposit, (100e6, address(attacker))));
        assertTrue(attacker.reentered(), "the nested deposit ran");
        assertEq(pool.totalAssets(), 1200e6, "both deposits accounted");
        assertEq(token.balanceOf(address(pool)), 1200e6, "assets held");
        assertEq(
            pool.totalSupply(), pool.balanceOf(underwriter) + pool.balanceOf(address(attacker)), "supply = balances"
        );
        assertEq(pool.balanceOf(address(attacker)), 200e6 * 1e6, "both at the unmoved price");
        assertLe(pool.convertToAssets(pool.balanceOf(address(attacker))), 200e6, "attacker PnL <= 0");
    }

    function test_attack_reentrantExitDuringPayoutIsRefused() public {
        token.mint(address(attacker), 100e6);
        attacker.deposit(100e6, "");
        attacker.requestWithdraw(pool.balanceOf(address(attacker)));
        vm.warp(block.timestamp + pool.WITHDRAW_COOLDOWN());
        (, uint256 assets) = attacker.completeWithdraw(abi.encodeCall(pool.completeWithdraw, (address(attacker))));
        assertFalse(attacker.reentered(), "the nested exit was refused");
        assertEq(bytes4(attacker.reentryError()), bytes4(keccak256("ReentrancyGuardReentrantCall()")), "by the lock");
        assertEq(assets, 100e6, "paid once");
        assertEq(token.balanceOf(address(attacker)), 100e6, "attacker PnL = 0");
        assertEq(pool.totalAssets(), 1000e6, "the other underwriter's assets intact");
    }

    /// @dev A keeper completes the attacker's withdrawal (`completeWithdrawFor`); the payout's hook re-enters with a
    /// second completion, a cancel (to take the queued shares back after being paid) or a new request: each refused.
    function test_attack_reentryDuringCompleteWithdrawForIsRefused() public {
        bytes[3] memory reentries = [
            abi.encodeCall(pool.completeWithdrawFor, (address(attacker))),
            abi.encodeCall(pool.cancelWithdraw, ()),
            abi.encodeCall(pool.requestWithdraw, (1))
        ];
        token.mint(address(attacker), 300e6);
        for (uint256 i; i < reentries.length; ++i) {
            attacker.deposit(100e6, "");
            attacker.requestWithdraw(pool.balanceOf(address(attacker)));
            vm.warp(block.timestamp + pool.WITHDRAW_COOLDOWN());
            attacker.arm(reentries[i]);
            uint256 before = token.balanceOf(address(attacker));
            vm.prank(underwriter);
            (, uint256 assets) = pool.completeWithdrawFor(address(attacker));
            assertFalse(attacker.reentered(), "the nested call was refused");
            assertEq(
                bytes4(attacker.reentryError()), bytes4(keccak256("ReentrancyGuardReentrantCall()")), "by the lock"
            );
            assertEq(assets, 100e6, "paid once");
            assertEq(token.balanceOf(address(attacker)) - before, 100e6, "attacker PnL = 0");
            assertEq(pool.balanceOf(address(attacker)), 0, "no share left or taken back");
            assertEq(pool.totalAssets(), 1000e6, "the other underwriter's assets intact");
        }
    }
}
