// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ILendingMarket, MarketId, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

interface ITokenHook {
    function onTokenReceived() external;
}

/// @notice A loan token that calls the receiver back on every transfer (an ERC-777-style hook).
contract HookToken is ERC20 {
    address public hooked;

    constructor() ERC20("Hook", "HOOK") {}

    function setHooked(address hooked_) external {
        hooked = hooked_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (to == hooked && from != address(0)) ITokenHook(to).onTokenReceived();
    }
}

/// @notice Re-enters the market from the token hook: withdraws again, borrows without collateral.
contract ReentrantLender is ITokenHook {
    ILendingMarket internal immutable lending;
    HookToken internal immutable token;
    MarketParams internal params;
    uint256 public reentries;
    uint256 public reentriesThatWorked;

    constructor(ILendingMarket lending_, HookToken token_, MarketParams memory params_) {
        lending = lending_;
        token = token_;
        params = params_;
        token_.approve(address(lending_), type(uint256).max);
    }

    function supply(uint256 assets) external {
        lending.supply(params, assets, 0, address(this));
    }

    function withdraw(uint256 assets) external {
        lending.withdraw(params, assets, 0, address(this), address(this));
    }

    function onTokenReceived() external {
        if (msg.sender != address(token) || reentries > 0) return;
        ++reentries;
        (bool withdrew,) =
            address(lending).call(abi.encodeCall(lending.withdraw, (params, 100e6, 0, address(this), address(this))));
        (bool borrowed,) =
            address(lending).call(abi.encodeCall(lending.borrow, (params, 100e6, 0, address(this), address(this))));
        if (withdrew) ++reentriesThatWorked;
        if (borrowed) ++reentriesThatWorked;
    }
}

contract ReentrancyAttackTest is LendingBase {
    function test_attack_reentrancyThroughLoanTokenHook_pnlNonPositive() public {
        HookToken token = new HookToken();
        MarketParams memory p = params;
        p.loanToken = address(token);
        lending.createMarket(p);
        token.mint(lender, 1000e6);
        vm.startPrank(lender);
        token.approve(address(lending), 1000e6);
        lending.supply(p, 1000e6, 0, lender);
        vm.stopPrank();

        ReentrantLender evil = new ReentrantLender(lending, token, p);
        token.setHooked(address(evil));
        token.mint(address(evil), 100e6);
        evil.supply(100e6);
        evil.withdraw(100e6);
        assertEq(evil.reentries(), 1, "the hook re-entered");
        assertEq(evil.reentriesThatWorked(), 0, "the re-entered calls found the books already updated");
        int256 pnl = int256(token.balanceOf(address(evil))) - 100e6;
        emit log_named_int("attacker PnL (units)", pnl);
        assertLe(pnl, 0, "attacker PnL <= 0");
        (uint128 supplyAssets,,,,,) = lending.market(MarketId.wrap(keccak256(abi.encode(p))));
        assertEq(supplyAssets, 1000e6, "the honest lender's supply is intact");
        assertEq(token.balanceOf(address(lending)), 1000e6, "and backed");
    }
}
