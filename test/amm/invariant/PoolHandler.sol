// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {PoolActor} from "../utils/PoolActor.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Drives one pool with LPs, traders, time and revenue; records ghost state for the invariants.
contract PoolHandler is Test {
    struct Pos {
        PoolActor actor;
        int24 lower;
        int24 upper;
    }

    ICognitionPool public immutable pool;
    ModelShare public immutable share;
    MockStablecoin public immutable stable;
    int24 internal immutable spacing;

    PoolActor[] public actors;
    Pos[] internal _positions;
    mapping(bytes32 => bool) internal _known;

    /// @dev Set if any call ever lowered a fee-growth accumulator.
    bool public feeGrowthDecreased;
    uint256 public swaps;
    uint256 public crossings;

    constructor(ICognitionPool pool_, ModelShare share_, MockStablecoin stable_, PoolActor[] memory actors_) {
        pool = pool_;
        share = share_;
        stable = stable_;
        spacing = pool_.tickSpacing();
        actors = actors_;
    }

    modifier watchFeeGrowth() {
        uint256 g0 = pool.feeGrowthGlobal0X128();
        uint256 g1 = pool.feeGrowthGlobal1X128();
        _;
        if (pool.feeGrowthGlobal0X128() < g0 || pool.feeGrowthGlobal1X128() < g1) feeGrowthDecreased = true;
    }

    function positionCount() external view returns (uint256) {
        return _positions.length;
    }

    function position(uint256 i) external view returns (PoolActor actor, int24 lower, int24 upper) {
        Pos memory p = _positions[i];
        return (p.actor, p.lower, p.upper);
    }

    function positionLiquidity(uint256 i) public view returns (uint128 liquidity) {
        Pos memory p = _positions[i];
        (liquidity,,,,) = pool.positions(keccak256(abi.encodePacked(address(p.actor), p.lower, p.upper)));
    }

    /// @dev Setup only (not a fuzzed action): mints and tracks a position.
    function seedPosition(PoolActor actor, int24 lower, int24 upper, uint128 liquidity) external {
        actor.mint(lower, upper, liquidity);
        _track(actor, lower, upper);
    }

    function _track(PoolActor actor, int24 lower, int24 upper) internal {
        bytes32 key = keccak256(abi.encode(actor, lower, upper));
        if (!_known[key]) {
            _known[key] = true;
            _positions.push(Pos(actor, lower, upper));
        }
    }

    /* ACTIONS */

    function mint(uint256 actorSeed, uint256 lowerSeed, uint256 widthSeed, uint256 liquiditySeed)
        external
        watchFeeGrowth
    {
        PoolActor actor = actors[actorSeed % actors.length];
        int24 lower = (int24(int256(bound(lowerSeed, 0, 60))) - 30) * spacing;
        int24 upper = lower + int24(int256(bound(widthSeed, 1, 20))) * spacing;
        uint128 liquidity = uint128(bound(liquiditySeed, 1e6, 1e24));
        actor.mint(lower, upper, liquidity);
        _track(actor, lower, upper);
    }

    function burn(uint256 positionSeed, uint256 fractionSeed) external watchFeeGrowth {
        if (_positions.length == 0) return;
        uint256 i = positionSeed % _positions.length;
        uint128 liquidity = positionLiquidity(i);
        if (liquidity == 0) return;
        Pos memory p = _positions[i];
        p.actor.burn(p.lower, p.upper, uint128(bound(fractionSeed, 0, liquidity)));
    }

    function collect(uint256 positionSeed) external watchFeeGrowth {
        if (_positions.length == 0) return;
        Pos memory p = _positions[positionSeed % _positions.length];
        p.actor.collect(p.lower, p.upper);
    }

    function swap(uint256 actorSeed, bool zeroForOne, uint256 amountSeed, bool exactIn, uint256 limitSeed)
        external
        watchFeeGrowth
    {
        PoolActor actor = actors[actorSeed % actors.length];
        int256 amount = int256(bound(amountSeed, 1, 1e23));
        (uint160 price, int24 tickBefore,,,,,) = pool.slot0();
        uint160 limit = zeroForOne
            ? uint160(bound(limitSeed, TickMath.MIN_SQRT_RATIO + 1, price - 1))
            : uint160(bound(limitSeed, price + 1, TickMath.MAX_SQRT_RATIO - 1));
        if (zeroForOne ? price <= TickMath.MIN_SQRT_RATIO + 1 : price >= TickMath.MAX_SQRT_RATIO - 1) return;
        actor.swap(zeroForOne, exactIn ? amount : -amount, limit);
        (, int24 tickAfter,,,,,) = pool.slot0();
        ++swaps;
        if (tickAfter != tickBefore) ++crossings;
    }

    function warp(uint256 secondsSeed) external watchFeeGrowth {
        vm.warp(block.timestamp + bound(secondsSeed, 1, 2 hours));
    }

    function depositRevenue(uint256 amountSeed) external watchFeeGrowth {
        uint256 amount = bound(amountSeed, 1, 1e15);
        stable.mint(address(this), amount);
        stable.approve(address(share), amount);
        share.depositRevenue(amount);
    }

    function collectRevenue() external watchFeeGrowth {
        pool.collectRevenue();
    }
}
