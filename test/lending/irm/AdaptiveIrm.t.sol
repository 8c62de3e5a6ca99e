// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AdaptiveIrm} from "../../../src/lending/AdaptiveIrm.sol";
import {Market, MarketId, MarketParams} from "../../../src/lending/interfaces/ILendingMarket.sol";
import {LendingBase} from "../LendingBase.t.sol";

contract AdaptiveIrmTest is LendingBase {
    AdaptiveIrm internal adaptive;
    MarketParams internal p;
    uint256 internal initial;
    uint256 internal minRate;
    uint256 internal maxRate;

    function setUp() public override {
        super.setUp();
        adaptive = new AdaptiveIrm(address(this));
        p = params;
        p.irm = address(adaptive);
        initial = adaptive.INITIAL_RATE_AT_TARGET();
        minRate = adaptive.MIN_RATE_AT_TARGET();
        maxRate = adaptive.MAX_RATE_AT_TARGET();
    }

    function _market(uint256 supplied, uint256 borrowed, uint256 lastUpdate) internal pure returns (Market memory m) {
        m.totalSupplyAssets = uint128(supplied);
        m.totalBorrowAssets = uint128(borrowed);
        m.lastUpdate = uint128(lastUpdate);
    }

    function test_borrowRate_firstCallStartsAtInitialRate() public {
        uint256 rate = adaptive.borrowRate(p, _market(100, 90, block.timestamp));
        assertEq(rate, initial, "the curve passes through rateAtTarget at 90%");
        assertEq(adaptive.rateAtTarget(MarketId.wrap(keccak256(abi.encode(p)))), initial, "state started");
    }

    function test_borrowRate_revertsNotLendingMarket() public {
        vm.prank(attacker);
        vm.expectRevert(AdaptiveIrm.NotLendingMarket.selector);
        adaptive.borrowRate(p, _market(100, 90, block.timestamp));
    }

    function test_curve_endpoints() public view {
        assertEq(adaptive.curve(initial, adaptive.utilizationError(0)), initial / 4, "a quarter at 0%");
        assertEq(adaptive.curve(initial, adaptive.utilizationError(1e18)), initial * 4, "four times at 100%");
    }

    function test_rateAtTarget_doublesInAboutFiveDaysAtFullUtilization() public {
        adaptive.borrowRate(p, _market(100, 100, block.timestamp));
        uint256 start = block.timestamp;
        _warp(5 days);
        adaptive.borrowRate(p, _market(100, 100, start));
        uint256 after5Days = adaptive.rateAtTarget(MarketId.wrap(keccak256(abi.encode(p))));
        // e^(50 * 5 / 365) = 1.984
        assertApproxEqRel(after5Days, initial * 1984 / 1000, 1e15, "x1.98 after 5 days");
    }

    function test_rateAtTarget_decaysToMinimumWhenIdle() public {
        adaptive.borrowRate(p, _market(100, 0, block.timestamp));
        uint256 start = block.timestamp;
        _warp(365 days);
        uint256 rate = adaptive.borrowRate(p, _market(100, 0, start));
        assertEq(adaptive.rateAtTarget(MarketId.wrap(keccak256(abi.encode(p)))), minRate, "clamped at the minimum");
        assertGe(rate, minRate / 4, "rate stays above the floor");
    }

    function test_wExp_knownValues() public view {
        assertEq(adaptive.wExp(0), 1e18, "e^0");
        assertApproxEqRel(adaptive.wExp(1e18), 2.718281828459045235e18, 3e12, "e^1");
        assertApproxEqRel(adaptive.wExp(-1e18), 0.367879441171442321e18, 3e12, "e^-1");
        assertApproxEqRel(adaptive.wExp(10e18), 22_026.465794806716516e18, 3e12, "e^10");
        assertEq(adaptive.wExp(-50e18), 0, "below the lower bound");
    }

    function testFuzz_curve_monotonicInUtilization(uint256 u1, uint256 u2, uint256 rateAtTarget) public view {
        u1 = bound(u1, 0, 1e18);
        u2 = bound(u2, u1, 1e18);
        rateAtTarget = bound(rateAtTarget, minRate, maxRate);
        assertLe(
            adaptive.curve(rateAtTarget, adaptive.utilizationError(u1)),
            adaptive.curve(rateAtTarget, adaptive.utilizationError(u2)),
            "higher utilization, higher rate"
        );
    }

    function testFuzz_borrowRate_bounded(uint256 u1, uint256 e1, uint256 u2, uint256 e2) public {
        u1 = bound(u1, 0, 100);
        u2 = bound(u2, 0, 100);
        e1 = bound(e1, 0, 10 * 365 days);
        e2 = bound(e2, 0, 10 * 365 days);
        adaptive.borrowRate(p, _market(100, u1, block.timestamp));
        uint256 t1 = block.timestamp;
        vm.warp(block.timestamp + e1);
        uint256 r1 = adaptive.borrowRate(p, _market(100, u1, t1));
        uint256 t2 = block.timestamp;
        vm.warp(block.timestamp + e2);
        uint256 r2 = adaptive.borrowRate(p, _market(100, u2, t2));
        assertGe(r1, minRate / 4, "rate >= floor");
        assertLe(r1, maxRate * 4, "rate <= ceiling");
        assertGe(r2, minRate / 4, "rate >= floor");
        assertLe(r2, maxRate * 4, "rate <= ceiling");
    }

    function testFuzz_borrowRate_monotonicInUtilizationForOneState(uint256 u1, uint256 u2, uint256 elapsed) public {
        u1 = bound(u1, 0, 1000);
        u2 = bound(u2, u1, 1000);
        elapsed = bound(elapsed, 0, 30 days);
        adaptive.borrowRate(p, _market(1000, 900, block.timestamp));
        uint256 t = block.timestamp;
        vm.warp(block.timestamp + elapsed);
        assertLe(
            adaptive.borrowRateView(p, _market(1000, u1, t)),
            adaptive.borrowRateView(p, _market(1000, u2, t)),
            "higher utilization over the period, higher average rate"
        );
    }

    function test_adaptiveIrm_inTheLendingMarket() public {
        AdaptiveIrm live = new AdaptiveIrm(address(lending));
        vm.prank(lendingOwner);
        lending.enableIrm(address(live));
        MarketParams memory q = params;
        q.irm = address(live);
        lending.createMarket(q);
        stablecoin.mint(lender, 1000e6);
        vm.prank(lender);
        lending.supply(q, 1000e6, 0, lender);
        _transferShares(modelOwner, borrower, 10_000e18);
        vm.startPrank(borrower);
        lending.supplyCollateral(q, 10_000e18, borrower);
        lending.borrow(q, 950e6, 0, borrower, borrower);
        vm.stopPrank();
        _warp(30 days);
        lending.accrueInterest(q);
        (,, uint128 borrowAssets,,,) = lending.market(MarketId.wrap(keccak256(abi.encode(q))));
        // 95% utilization: the rate starts at 4% x (1 + 3 x 0.5) = 10% a year and rises; a month of 10% is 7.9166e6
        assertGt(uint256(borrowAssets), uint256(950e6) + 7_916_666, "interest above the start rate");
    }
}
