// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {ICognitionRouter} from "../../../src/periphery/interfaces/ICognitionRouter.sol";
import {PeripheryBase} from "../utils/PeripheryBase.sol";

contract RouterTest is PeripheryBase {
    function setUp() public override {
        super.setUp();
        lp.mint(-6000, 6000, 1e22);
    }

    function _in(address tokenIn, address tokenOut, uint256 amountIn, uint256 minOut, uint160 limit)
        internal
        pure
        returns (ICognitionRouter.ExactInputSingleParams memory)
    {
        return ICognitionRouter.ExactInputSingleParams(
            tokenIn, tokenOut, 3000, address(0xBEEF), type(uint256).max, amountIn, minOut, limit
        );
    }

    function _out(address tokenIn, address tokenOut, uint256 amountOut, uint256 maxIn, uint160 limit)
        internal
        pure
        returns (ICognitionRouter.ExactOutputSingleParams memory)
    {
        return ICognitionRouter.ExactOutputSingleParams(
            tokenIn, tokenOut, 3000, address(0xBEEF), type(uint256).max, amountOut, maxIn, limit
        );
    }

    function test_computePoolAddress_matchesFactory() public view {
        assertEq(router.computePoolAddress(token1, token0, 3000), address(pool), "either order");
    }

    function test_exactInputSingle_bothDirections() public {
        uint256 before = _balance(token1, address(0xBEEF));
        vm.prank(alice);
        uint256 out = router.exactInputSingle(_in(token0, token1, 1e18, 0, 0));
        assertEq(_balance(token1, address(0xBEEF)) - before, out, "output to recipient");
        assertGt(out, 0.99e18, "near price 1 less fee");
        vm.prank(alice);
        uint256 out0 = router.exactInputSingle(_in(token1, token0, 1e18, 0, 0));
        assertGt(out0, 0.99e18, "other direction");
    }

    function test_exactOutputSingle_paysOnlyWhatIsNeeded() public {
        uint256 before = _balance(token0, alice);
        vm.prank(alice);
        uint256 paid = router.exactOutputSingle(_out(token0, token1, 1e18, 2e18, 0));
        assertEq(before - _balance(token0, alice), paid, "input charged");
        assertEq(_balance(token1, address(0xBEEF)), 1e18, "exact output");
    }

    function test_exactInputSingle_slippageErrorCarriesAmounts() public {
        uint256 snapshot = vm.snapshotState();
        vm.prank(alice);
        uint256 out = router.exactInputSingle(_in(token0, token1, 1e18, 0, 0));
        vm.revertToState(snapshot);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICognitionRouter.TooLittleReceived.selector, out, out + 1));
        router.exactInputSingle(_in(token0, token1, 1e18, out + 1, 0));
    }

    function test_exactOutputSingle_revertsOnSlippage() public {
        uint256 snapshot = vm.snapshotState();
        vm.prank(alice);
        uint256 paid = router.exactOutputSingle(_out(token0, token1, 1e18, 2e18, 0));
        vm.revertToState(snapshot);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICognitionRouter.TooMuchRequested.selector, paid, paid - 1));
        router.exactOutputSingle(_out(token0, token1, 1e18, paid - 1, 0));
    }

    function test_exactOutputSingle_revertsWhenNotFilledWithoutLimit() public {
        // Far more than the pool holds: without a limit the partial fill is refused.
        vm.prank(alice);
        vm.expectPartialRevert(ICognitionRouter.OutputNotFilled.selector);
        router.exactOutputSingle(_out(token0, token1, 1e40, type(uint256).max, 0));
    }

    function test_exactOutputSingle_partialFillAllowedWithLimit() public {
        uint160 limit = TickMath.getSqrtRatioAtTick(-60);
        vm.prank(alice);
        router.exactOutputSingle(_out(token0, token1, 1e40, type(uint256).max, limit));
        (uint160 price,) = _price();
        assertEq(price, limit, "stopped at the limit");
    }

    function test_exactInputSingle_revertsAfterDeadline() public {
        ICognitionRouter.ExactInputSingleParams memory p = _in(token0, token1, 1e18, 0, 0);
        p.deadline = block.timestamp - 1;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICognitionRouter.DeadlineExpired.selector, block.timestamp - 1));
        router.exactInputSingle(p);
    }

    function test_exactInputSingle_revertsUnknownPool() public {
        ICognitionRouter.ExactInputSingleParams memory p = _in(token0, token1, 1e18, 0, 0);
        p.fee = 500;
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(ICognitionRouter.PoolNotFound.selector, token0, token1, uint24(500)));
        router.exactInputSingle(p);
    }

    function test_exactInputSingle_revertsWrongDirectionLimit() public {
        vm.prank(alice);
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.PriceLimitOutOfRange.selector, PRICE_ONE + 1, PRICE_ONE)
        );
        router.exactInputSingle(_in(token0, token1, 1e18, 0, PRICE_ONE + 1));
    }

    function test_cognitionSwapCallback_rejectsStrangers() public {
        vm.expectRevert(abi.encodeWithSelector(ICognitionRouter.UnauthorizedCallback.selector, address(this)));
        router.cognitionSwapCallback(1, 0, "");
    }

    function test_exactInputSingle_revertsWithoutAllowance() public {
        address carol = makeAddr("carol");
        stable.mint(carol, 1e18);
        vm.prank(carol);
        vm.expectRevert(abi.encodeWithSelector(ICognitionRouter.PaymentFailed.selector, address(stable)));
        router.exactInputSingle(_in(address(stable), address(share), 1e18, 0, 0));
    }
}
