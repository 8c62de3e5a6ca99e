// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ModelRegistry} from "../../../src/registry/ModelRegistry.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {IModelShare} from "../../../src/registry/interfaces/IModelShare.sol";
import {BaseTest} from "../BaseTest.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract DepositRevenueTest is BaseTest {
    function test_depositRevenue_revertsOnZero() public {
        vm.prank(payer);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.ZeroAmount.selector));
        share.depositRevenue(0);
    }

    function test_depositRevenue_revertsWithoutAllowance() public {
        stablecoin.mint(payer, 10 * USDC);
        vm.prank(payer);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(share), 0, 10 * USDC)
        );
        share.depositRevenue(10 * USDC);
    }

    function test_depositRevenue_pullsStablecoinAndStartsStream() public {
        stablecoin.mint(payer, 1000 * USDC);
        vm.startPrank(payer);
        stablecoin.approve(address(share), 1000 * USDC);
        vm.expectEmit(address(share));
        emit IModelShare.RevenueDeposited(payer, 1000 * USDC, block.timestamp + period);
        share.depositRevenue(1000 * USDC);
        vm.stopPrank();

        assertEq(stablecoin.balanceOf(address(share)), 1000 * USDC, "share holds the deposit");
        assertEq(stablecoin.balanceOf(payer), 0, "payer paid");
        assertEq(share.depositedRevenue(), 1000 * USDC, "deposited");
        assertEq(share.streamingRevenue(), 1000 * USDC, "all streaming in the deposit block");
        assertEq(share.releasedRevenue(), 0, "nothing released in the deposit block");
        assertEq(share.streamEnd(), block.timestamp + period, "stream end");
        assertEq(share.claimable(modelOwner), 0, "nothing claimable in the deposit block");
    }

    function test_depositRevenue_streamsLinearlyOverPeriod() public {
        uint256 start = block.timestamp;
        _deposit(1000 * USDC);

        vm.warp(start + period / 4);
        assertEq(share.releasedRevenue(), 250 * USDC, "a quarter released");
        assertEq(share.streamingRevenue(), 750 * USDC, "three quarters streaming");
        assertEq(share.claimable(modelOwner), 250 * USDC, "sole holder accrues a quarter");

        vm.warp(start + period - 1);
        uint256 almost = uint256(1000 * USDC) * (period - 1) / period;
        assertEq(share.releasedRevenue(), almost, "all but the last second released");

        vm.warp(start + period);
        assertEq(share.releasedRevenue(), 1000 * USDC, "fully released at the end");
        assertEq(share.streamingRevenue(), 0, "nothing streaming at the end");

        vm.warp(start + 10 * period);
        assertEq(share.releasedRevenue(), 1000 * USDC, "nothing more after the end");
        assertEq(share.claimable(modelOwner), 1000 * USDC, "sole holder accrues everything");
    }

    function test_depositRevenue_midStreamRestartsStreamForPendingPlusNew() public {
        uint256 start = block.timestamp;
        _deposit(1000 * USDC);
        vm.warp(start + period / 2);
        _deposit(600 * USDC);

        assertEq(share.releasedRevenue(), 500 * USDC, "first half of the first deposit released");
        assertEq(share.streamingRevenue(), 1100 * USDC, "rest of the first + the second streaming");
        assertEq(share.streamEnd(), start + period / 2 + period, "stream restarted for a full period");

        vm.warp(start + period); // half of the new stream
        assertEq(share.releasedRevenue(), 500 * USDC + 550 * USDC, "half of pending + new released");
        vm.warp(start + period / 2 + period);
        assertEq(share.releasedRevenue(), 1600 * USDC, "everything released at the new end");
        assertEq(share.claimable(modelOwner), 1600 * USDC, "sole holder accrues everything");
    }

    function testFuzz_depositRevenue_midStreamRestartsStream(uint256 first, uint256 second, uint256 gap, uint256 t)
        public
    {
        first = bound(first, 1, 1e15 * USDC);
        second = bound(second, 1, 1e15 * USDC);
        gap = bound(gap, 1, 2 * period);
        t = bound(t, 0, 2 * period);
        uint256 start = block.timestamp;
        _deposit(first);
        vm.warp(start + gap);
        _deposit(second);

        uint256 releasedAtSecond = _releaseSlice(first, start, start + gap, start + period);
        uint256 pending = first - releasedAtSecond + second;
        assertEq(share.releasedRevenue(), releasedAtSecond, "released at the second deposit");
        assertEq(share.streamingRevenue(), pending, "pending + new restarts");

        vm.warp(start + gap + t);
        uint256 expected = releasedAtSecond + _releaseSlice(pending, start + gap, start + gap + t, start + gap + period);
        assertEq(share.releasedRevenue(), expected, "released along the restarted stream");
        assertEq(share.releasedRevenue() + share.streamingRevenue(), first + second, "conserved");
    }

    /// @dev The period is a deployment parameter: a share deployed with any period in bounds (a minute on a local
    /// chain, a day in production) streams over exactly that period.
    function testFuzz_depositRevenue_streamsOverTheDeploymentPeriod(uint256 periodSeconds, uint256 amount, uint256 t)
        public
    {
        periodSeconds = bound(periodSeconds, 1 minutes, 30 days);
        amount = bound(amount, 1, 1e15 * USDC);
        t = bound(t, 0, 2 * periodSeconds);
        ModelRegistry fresh = new ModelRegistry(address(stablecoin), periodSeconds);
        vm.prank(modelOwner);
        (, address shareAddress) = fresh.registerModel(_params("stream-period", SUPPLY));
        ModelShare target = ModelShare(shareAddress);

        uint256 start = block.timestamp;
        _depositInto(target, amount);
        assertEq(target.streamEnd(), start + periodSeconds, "ends one deployment period after the deposit");

        vm.warp(start + t);
        uint256 expected = _releaseSlice(amount, start, start + t, start + periodSeconds);
        assertEq(target.releasedRevenue(), expected, "released linearly over the deployment period");
        assertEq(target.claimable(modelOwner), expected, "sole holder accrues what was released");
        assertEq(target.releasedRevenue() + target.streamingRevenue(), amount, "conserved");
    }

    function test_depositRevenue_sameBlockDepositsAdd() public {
        _deposit(100 * USDC);
        _deposit(50 * USDC);
        assertEq(share.streamingRevenue(), 150 * USDC, "both streaming");
        assertEq(share.streamEnd(), block.timestamp + period, "one period from now");
    }

    function test_depositRevenue_afterStreamEndedStartsFresh() public {
        _deposit(100 * USDC);
        _warp(2 * period);
        _deposit(40 * USDC);
        assertEq(share.releasedRevenue(), 100 * USDC, "first stream fully released");
        assertEq(share.streamingRevenue(), 40 * USDC, "only the new deposit streams");
        _warp(period / 2);
        assertEq(share.releasedRevenue(), 120 * USDC, "half of the new deposit released");
    }

    function test_depositRevenue_anyoneMayDeposit() public {
        stablecoin.mint(attacker, 5 * USDC);
        vm.startPrank(attacker);
        stablecoin.approve(address(share), 5 * USDC);
        share.depositRevenue(5 * USDC);
        vm.stopPrank();
        assertEq(share.depositedRevenue(), 5 * USDC, "deposit from a non-holder counts");
    }

    function test_depositRevenue_acceptsUpToUint96() public {
        _deposit(type(uint96).max);
        assertEq(share.depositedRevenue(), type(uint96).max, "deposited up to the cap");
        _warp(period);
        assertEq(share.claimable(modelOwner), type(uint96).max, "sole holder accrues all of it");
    }

    function test_depositRevenue_revertsOnOverflow() public {
        _deposit(type(uint96).max - 5);
        _warp(period / 2);
        stablecoin.mint(payer, 6);
        vm.startPrank(payer);
        stablecoin.approve(address(share), 6);
        vm.expectRevert(abi.encodeWithSelector(IModelShare.RevenueOverflow.selector));
        share.depositRevenue(6);
        vm.stopPrank();
    }

    /// @dev Documents a design property (see the report): because every deposit restarts the stream for pending +
    /// new, anyone can slow the release down with dust deposits (1 unit an hour leaves ~36% of a stream pending
    /// after its nominal end). Nothing is lost: one period after the last deposit everything is released.
    function test_depositRevenue_dustDepositsDelayButNeverLoseRevenue() public {
        uint256 start = block.timestamp;
        _deposit(1000 * USDC);
        for (uint256 i = 1; i <= 24; ++i) {
            vm.warp(start + i * 1 hours);
            _deposit(1);
        }
        assertEq(block.timestamp, start + period, "nominal end of the first stream");
        assertLt(share.releasedRevenue(), 650 * USDC, "dust deposits held back more than a third");
        assertGt(share.streamingRevenue(), 350 * USDC, "still streaming");

        vm.warp(block.timestamp + period);
        assertEq(share.releasedRevenue(), 1000 * USDC + 24, "everything released a period after the last deposit");
        assertEq(share.claimable(modelOwner), 1000 * USDC + 24, "and accrued to the holders");
    }
}
