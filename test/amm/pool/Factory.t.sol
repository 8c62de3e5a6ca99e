// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolFactory} from "../../../src/amm/interfaces/ICognitionPoolFactory.sol";
import {PoolAddress} from "../../../src/periphery/libraries/PoolAddress.sol";
import {AmmBase} from "../utils/AmmBase.sol";

contract FactoryTest is AmmBase {
    function test_createPool_recordsSortedPoolAtCreate2Address() public view {
        (address t0, address t1) = PoolAddress.sort(address(share), address(stable));
        assertEq(pool.token0(), t0, "token0 sorted");
        assertEq(pool.token1(), t1, "token1 sorted");
        assertEq(factory.getPool(t0, t1, 3000), address(pool), "getPool");
        assertEq(factory.getPool(t1, t0, 3000), address(pool), "getPool reversed");
        assertEq(
            PoolAddress.compute(address(factory), factory.POOL_INIT_CODE_HASH(), t0, t1, 3000),
            address(pool),
            "CREATE2 address"
        );
        assertEq(pool.share(), address(share), "share");
        assertEq(pool.stablecoin(), address(stable), "stablecoin");
        assertEq(pool.factory(), address(factory), "factory");
    }

    function test_createPool_standardTiers() public {
        uint24[3] memory fees = [uint24(500), 3000, 10_000];
        int24[3] memory spacings = [int24(10), 60, 200];
        address s = address(_newShare("Two", "TWO", 2));
        for (uint256 i; i < 3; ++i) {
            ICognitionPool p = ICognitionPool(factory.createPool(s, fees[i]));
            assertEq(p.fee(), fees[i], "fee");
            assertEq(p.tickSpacing(), spacings[i], "tick spacing");
            assertEq(factory.feeAmountTickSpacing(fees[i]), spacings[i], "factory spacing");
        }
    }

    function test_createPool_emitsPoolCreated() public {
        address s = address(_newShare("Two", "TWO", 2));
        (address t0, address t1) = PoolAddress.sort(s, address(stable));
        address expected = PoolAddress.compute(address(factory), factory.POOL_INIT_CODE_HASH(), t0, t1, 500);
        vm.expectEmit(address(factory));
        emit ICognitionPoolFactory.PoolCreated(t0, t1, 500, 10, expected);
        factory.createPool(s, 500);
    }

    function test_createPool_revertsOnUnknownFee() public {
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolFactory.InvalidFeeTier.selector, uint24(100)));
        factory.createPool(address(share), 100);
    }

    function test_createPool_revertsWhenPoolExists() public {
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolFactory.PoolExists.selector, address(pool)));
        factory.createPool(address(share), 3000);
    }

    function test_createPool_revertsOnNonShare() public {
        address eoa = makeAddr("eoa");
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolFactory.NotModelShare.selector, eoa));
        factory.createPool(eoa, 3000);
        // An ERC-20 without `stablecoin()`.
        vm.expectRevert(abi.encodeWithSelector(ICognitionPoolFactory.NotModelShare.selector, address(stable)));
        factory.createPool(address(stable), 3000);
    }

    function test_parameters_emptyOutsideCreatePool() public view {
        (address t0, address t1, uint24 fee, int24 spacing, bool shareIsToken0) = factory.parameters();
        assertEq(t0, address(0), "token0");
        assertEq(t1, address(0), "token1");
        assertEq(fee, 0, "fee");
        assertEq(spacing, 0, "spacing");
        assertFalse(shareIsToken0, "flag");
    }
}
