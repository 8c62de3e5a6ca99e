// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../../../src/amm/interfaces/ICognitionPoolErrors.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {AmmBase} from "../utils/AmmBase.sol";
import {PoolActor} from "../utils/PoolActor.sol";

contract InitializeTest is AmmBase {
    ICognitionPool internal fresh;

    function setUp() public override {
        super.setUp();
        fresh = ICognitionPool(factory.createPool(address(share), 500));
    }

    function test_initialize_setsPriceTickAndOracle() public {
        uint160 price = TickMath.getSqrtRatioAtTick(-12_345) + 7;
        vm.expectEmit(address(fresh));
        emit ICognitionPool.Initialize(price, -12_345);
        fresh.initialize(price);
        (uint160 p, int24 tick, uint16 index, uint16 card, uint16 cardNext, uint8 feeProtocol, bool unlocked) =
            fresh.slot0();
        assertEq(p, price, "price");
        assertEq(tick, -12_345, "tick");
        assertEq(index, 0, "observation index");
        assertEq(card, 1, "cardinality");
        assertEq(cardNext, 1, "cardinality next");
        assertEq(feeProtocol, 0, "no protocol fee");
        assertTrue(unlocked, "unlocked");
        (uint32 ts,,, bool initialized) = fresh.observations(0);
        assertEq(ts, uint32(block.timestamp), "first observation now");
        assertTrue(initialized, "observation initialized");
    }

    function test_initialize_revertsTwice() public {
        fresh.initialize(PRICE_ONE);
        vm.expectRevert(ICognitionPoolErrors.AlreadyInitialized.selector);
        fresh.initialize(PRICE_ONE);
    }

    function test_initialize_revertsOutOfRangePrice() public {
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.SqrtPriceOutOfRange.selector, TickMath.MIN_SQRT_RATIO - 1)
        );
        fresh.initialize(TickMath.MIN_SQRT_RATIO - 1);
        vm.expectRevert(
            abi.encodeWithSelector(ICognitionPoolErrors.SqrtPriceOutOfRange.selector, TickMath.MAX_SQRT_RATIO)
        );
        fresh.initialize(TickMath.MAX_SQRT_RATIO);
    }

    function test_uninitializedPool_revertsOnUse() public {
        PoolActor actor = _newActorOn(fresh, share, "early");
        vm.expectRevert(ICognitionPoolErrors.NotInitialized.selector);
        actor.mint(-10, 10, 1e18);
        vm.expectRevert(ICognitionPoolErrors.NotInitialized.selector);
        actor.swap(true, 1e18, _minLimit());
        vm.expectRevert(ICognitionPoolErrors.NotInitialized.selector);
        fresh.observe(new uint32[](1));
        vm.expectRevert(ICognitionPoolErrors.NotInitialized.selector);
        fresh.increaseObservationCardinalityNext(10);
    }
}
