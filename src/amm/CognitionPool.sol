// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {FullMath} from "../libraries/FullMath.sol";
import {ShareRevenueLib} from "../libraries/ShareRevenueLib.sol";
import {ICognitionMintCallback, ICognitionSwapCallback} from "./interfaces/ICognitionCallbacks.sol";
import {ICognitionPool} from "./interfaces/ICognitionPool.sol";
import {ICognitionPoolFactory} from "./interfaces/ICognitionPoolFactory.sol";
import {CustomRevert} from "./libraries/CustomRevert.sol";
import {LiquidityMath} from "./libraries/LiquidityMath.sol";
import {Oracle} from "./libraries/Oracle.sol";
import {Position} from "./libraries/Position.sol";
import {SqrtPriceMath} from "./libraries/SqrtPriceMath.sol";
import {SwapMath} from "./libraries/SwapMath.sol";
import {Tick} from "./libraries/Tick.sol";
import {TickBitmap} from "./libraries/TickBitmap.sol";
import {TickMath} from "./libraries/TickMath.sol";

/// @title CognitionPool
/// @notice Concentrated-liquidity pool of a model share against its revenue stablecoin. See `ICognitionPool`.
contract CognitionPool is ICognitionPool {
    using Tick for mapping(int24 => Tick.Info);
    using TickBitmap for mapping(int16 => uint256);
    using Position for mapping(bytes32 => Position.Info);
    using Position for Position.Info;
    using Oracle for Oracle.Observation[65_535];

    struct Slot0 {
        uint160 sqrtPriceX96;
        int24 tick;
        uint16 observationIndex;
        uint16 observationCardinality;
        uint16 observationCardinalityNext;
    }

    /// @dev In-range liquidity, packed with the revenue bookkeeping read alongside it.
    struct LiquidityState {
        uint128 liquidity;
        uint32 revenueAccruedAt;
        uint96 pendingRevenue;
    }

    struct SwapState {
        int256 amountSpecifiedRemaining;
        int256 amountCalculated;
        uint160 sqrtPriceX96;
        int24 tick;
        // Fee growth of the input token, written back at the end.
        uint256 feeGrowthGlobalX128;
        uint128 liquidity;
    }

    struct SwapStep {
        uint160 sqrtPriceStartX96;
        int24 tickNext;
        bool initialized;
        uint160 sqrtPriceNextX96;
        uint256 amountIn;
        uint256 amountOut;
        uint256 feeAmount;
    }

    uint256 private constant Q128 = 1 << 128;
    /// @dev How long revenue held while no liquidity was in range takes to be released (see `ICognitionPool`).
    uint256 private constant REVENUE_RELEASE_PERIOD = 1 days;

    /* IMMUTABLES */

    /// @inheritdoc ICognitionPool
    address public immutable factory;
    /// @inheritdoc ICognitionPool
    address public immutable token0;
    /// @inheritdoc ICognitionPool
    address public immutable token1;
    /// @inheritdoc ICognitionPool
    uint24 public immutable fee;
    /// @inheritdoc ICognitionPool
    int24 public immutable tickSpacing;
    /// @inheritdoc ICognitionPool
    uint128 public immutable maxLiquidityPerTick;
    bool private immutable _shareIsToken0;

    /* STORAGE */

    Slot0 private _slot0;
    LiquidityState private _liquidityState;
    /// @inheritdoc ICognitionPool
    uint256 public feeGrowthGlobal0X128;
    /// @inheritdoc ICognitionPool
    uint256 public feeGrowthGlobal1X128;
    mapping(int24 => Tick.Info) private _ticks;
    /// @inheritdoc ICognitionPool
    mapping(int16 => uint256) public tickBitmap;
    /// @inheritdoc ICognitionPool
    mapping(bytes32 => Position.Info) public positions;
    /// @inheritdoc ICognitionPool
    Oracle.Observation[65_535] public observations;

    bool private transient _locked;

    /// @dev One entry at a time into the state-changing functions (transient, so free of refunds games).
    modifier lock() {
        _lock();
        _;
        _locked = false;
    }

    constructor() {
        (address t0, address t1, uint24 fee_, int24 spacing, bool shareIsToken0) =
            ICognitionPoolFactory(msg.sender).parameters();
        factory = msg.sender;
        token0 = t0;
        token1 = t1;
        fee = fee_;
        tickSpacing = spacing;
        _shareIsToken0 = shareIsToken0;
        maxLiquidityPerTick = Tick.tickSpacingToMaxLiquidityPerTick(spacing);
    }

    /* VIEWS */

    /// @inheritdoc ICognitionPool
    function share() external view returns (address) {
        return _shareIsToken0 ? token0 : token1;
    }

    /// @inheritdoc ICognitionPool
    function stablecoin() external view returns (address) {
        return _shareIsToken0 ? token1 : token0;
    }

    /// @inheritdoc ICognitionPool
    function slot0() external view returns (uint160, int24, uint16, uint16, uint16, uint8, bool) {
        Slot0 memory s = _slot0;
        return (
            s.sqrtPriceX96,
            s.tick,
            s.observationIndex,
            s.observationCardinality,
            s.observationCardinalityNext,
            0,
            !_locked
        );
    }

    /// @inheritdoc ICognitionPool
    function ticks(int24 tick)
        external
        view
        returns (uint128 liquidityGross, int128 liquidityNet, uint256, uint256, int56, uint160, uint32, bool)
    {
        Tick.Info storage info = _ticks[tick];
        (liquidityGross, liquidityNet) = (info.liquidityGross, info.liquidityNet);
        return (
            liquidityGross,
            liquidityNet,
            info.feeGrowthOutside0X128,
            info.feeGrowthOutside1X128,
            0,
            0,
            0,
            liquidityGross != 0
        );
    }

    /// @inheritdoc ICognitionPool
    function liquidity() external view returns (uint128) {
        return _liquidityState.liquidity;
    }

    /// @inheritdoc ICognitionPool
    function revenueState() external view returns (uint96 pendingRevenue, uint32 accruedAt) {
        LiquidityState memory ls = _liquidityState;
        return (ls.pendingRevenue, ls.revenueAccruedAt);
    }

    /// @inheritdoc ICognitionPool
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s)
    {
        Slot0 memory s = _slot0;
        return observations.observe(
            uint32(block.timestamp),
            secondsAgos,
            s.tick,
            s.observationIndex,
            _liquidityState.liquidity,
            s.observationCardinality
        );
    }

    /* ACTIONS */

    /// @inheritdoc ICognitionPool
    function initialize(uint160 sqrtPriceX96) external {
        if (_slot0.sqrtPriceX96 != 0) CustomRevert.revertWith(uint32(AlreadyInitialized.selector));
        int24 tick = TickMath.getTickAtSqrtRatio(sqrtPriceX96);
        (uint16 cardinality, uint16 cardinalityNext) = observations.initialize(uint32(block.timestamp));
        _slot0 = Slot0(sqrtPriceX96, tick, 0, cardinality, cardinalityNext);
        emit Initialize(sqrtPriceX96, tick);
    }

    /// @inheritdoc ICognitionPool
    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external
        lock
        returns (uint256 amount0, uint256 amount1)
    {
        if (amount == 0) CustomRevert.revertWith(uint32(ZeroLiquidity.selector));
        if (amount > uint128(type(int128).max)) CustomRevert.revertWith(uint32(LiquidityOverflow.selector));
        (, int256 amount0Int, int256 amount1Int) = _modifyPosition(recipient, tickLower, tickUpper, int128(amount));
        amount0 = uint256(amount0Int);
        amount1 = uint256(amount1Int);

        uint256 balance0Before;
        uint256 balance1Before;
        if (amount0 > 0) balance0Before = _balance(token0);
        if (amount1 > 0) balance1Before = _balance(token1);
        ICognitionMintCallback(msg.sender).cognitionMintCallback(amount0, amount1, data);
        if (amount0 > 0) _checkPaid(token0, balance0Before, amount0);
        if (amount1 > 0) _checkPaid(token1, balance1Before, amount1);

        emit Mint(msg.sender, recipient, tickLower, tickUpper, amount, amount0, amount1);
    }

    /// @inheritdoc ICognitionPool
    function burn(int24 tickLower, int24 tickUpper, uint128 amount)
        external
        lock
        returns (uint256 amount0, uint256 amount1)
    {
        if (amount > uint128(type(int128).max)) CustomRevert.revertWith(uint32(LiquidityOverflow.selector));
        (Position.Info storage position, int256 amount0Int, int256 amount1Int) =
            _modifyPosition(msg.sender, tickLower, tickUpper, -int128(amount));
        amount0 = uint256(-amount0Int);
        amount1 = uint256(-amount1Int);
        if (amount0 > 0 || amount1 > 0) {
            // Bounded by the pool's reserves; wraps only like the fee credit (see Position.update). One
            // read-modify-write of the packed slot.
            unchecked {
                (uint128 owed0, uint128 owed1) = (position.tokensOwed0, position.tokensOwed1);
                (position.tokensOwed0, position.tokensOwed1) = (owed0 + uint128(amount0), owed1 + uint128(amount1));
            }
        }
        emit Burn(msg.sender, tickLower, tickUpper, amount, amount0, amount1);
    }

    /// @inheritdoc ICognitionPool
    function collect(
        address recipient,
        int24 tickLower,
        int24 tickUpper,
        uint128 amount0Requested,
        uint128 amount1Requested
    ) external lock returns (uint128 amount0, uint128 amount1) {
        Position.Info storage position = positions.get(msg.sender, tickLower, tickUpper);
        uint128 owed0 = position.tokensOwed0;
        uint128 owed1 = position.tokensOwed1;
        amount0 = amount0Requested > owed0 ? owed0 : amount0Requested;
        amount1 = amount1Requested > owed1 ? owed1 : amount1Requested;
        unchecked {
            if (amount0 > 0 || amount1 > 0) {
                position.tokensOwed0 = owed0 - amount0;
                position.tokensOwed1 = owed1 - amount1;
            }
        }
        if (amount0 > 0) _transfer(token0, recipient, amount0);
        if (amount1 > 0) _transfer(token1, recipient, amount1);
        emit Collect(msg.sender, recipient, tickLower, tickUpper, amount0, amount1);
    }

    /// @inheritdoc ICognitionPool
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external lock returns (int256 amount0, int256 amount1) {
        if (amountSpecified == 0) CustomRevert.revertWith(uint32(ZeroAmount.selector));
        Slot0 memory start = _slot0;
        if (start.sqrtPriceX96 == 0) CustomRevert.revertWith(uint32(NotInitialized.selector));
        if (zeroForOne
                ? sqrtPriceLimitX96 >= start.sqrtPriceX96 || sqrtPriceLimitX96 <= TickMath.MIN_SQRT_RATIO
                : sqrtPriceLimitX96 <= start.sqrtPriceX96 || sqrtPriceLimitX96 >= TickMath.MAX_SQRT_RATIO) {
            CustomRevert.revertWith(uint32(PriceLimitOutOfRange.selector), sqrtPriceLimitX96, start.sqrtPriceX96);
        }

        uint128 liquidityStart = _liquidityState.liquidity;
        SwapState memory state = SwapState({
            amountSpecifiedRemaining: amountSpecified,
            amountCalculated: 0,
            sqrtPriceX96: start.sqrtPriceX96,
            tick: start.tick,
            feeGrowthGlobalX128: zeroForOne ? feeGrowthGlobal0X128 : feeGrowthGlobal1X128,
            liquidity: liquidityStart
        });
        _computeSwap(state, zeroForOne, sqrtPriceLimitX96);

        if (state.tick != start.tick) {
            (uint16 index, uint16 cardinality) = observations.write(
                start.observationIndex,
                uint32(block.timestamp),
                start.tick,
                liquidityStart,
                start.observationCardinality,
                start.observationCardinalityNext
            );
            _slot0 = Slot0(state.sqrtPriceX96, state.tick, index, cardinality, start.observationCardinalityNext);
        } else {
            _slot0.sqrtPriceX96 = state.sqrtPriceX96;
        }
        if (liquidityStart != state.liquidity) _liquidityState.liquidity = state.liquidity;
        if (zeroForOne) feeGrowthGlobal0X128 = state.feeGrowthGlobalX128;
        else feeGrowthGlobal1X128 = state.feeGrowthGlobalX128;

        unchecked {
            (amount0, amount1) = zeroForOne == (amountSpecified > 0)
                ? (amountSpecified - state.amountSpecifiedRemaining, state.amountCalculated)
                : (state.amountCalculated, amountSpecified - state.amountSpecifiedRemaining);
        }

        // Output first, then the callback pays the input (which makes every swap a possible flash swap).
        if (zeroForOne) {
            if (amount1 < 0) _transfer(token1, recipient, uint256(-amount1));
            uint256 balance0Before = _balance(token0);
            ICognitionSwapCallback(msg.sender).cognitionSwapCallback(amount0, amount1, data);
            _checkPaid(token0, balance0Before, uint256(amount0));
        } else {
            if (amount0 < 0) _transfer(token0, recipient, uint256(-amount0));
            uint256 balance1Before = _balance(token1);
            ICognitionSwapCallback(msg.sender).cognitionSwapCallback(amount0, amount1, data);
            _checkPaid(token1, balance1Before, uint256(amount1));
        }

        emit Swap(msg.sender, recipient, amount0, amount1, state.sqrtPriceX96, state.liquidity, state.tick);
    }

    /// @inheritdoc ICognitionPool
    function increaseObservationCardinalityNext(uint16 observationCardinalityNext) external lock {
        uint16 previous = _slot0.observationCardinalityNext;
        uint16 next = observations.grow(previous, observationCardinalityNext);
        if (next != previous) {
            _slot0.observationCardinalityNext = next;
            emit IncreaseObservationCardinalityNext(previous, next);
        }
    }

    /// @inheritdoc ICognitionPool
    function collectRevenue() external lock returns (uint256 claimed) {
        uint256 growthX128;
        (claimed, growthX128) = _claimRevenue();
        _addStableGrowth(growthX128);
    }

    /* INTERNAL */

    /// @dev The swap loop (whitepaper 6.2.3): step to the next initialized tick or word boundary, or the limit,
    /// until the amount is used up; cross initialized ticks on the way. Mutates `state` only.
    function _computeSwap(SwapState memory state, bool zeroForOne, uint160 sqrtPriceLimitX96) private {
        bool exactInput = state.amountSpecifiedRemaining > 0;
        bool revenueClaimed;
        while (state.amountSpecifiedRemaining != 0 && state.sqrtPriceX96 != sqrtPriceLimitX96) {
            SwapStep memory step;
            step.sqrtPriceStartX96 = state.sqrtPriceX96;
            (step.tickNext, step.initialized) =
                tickBitmap.nextInitializedTickWithinOneWord(state.tick, tickSpacing, zeroForOne);
            if (step.tickNext < TickMath.MIN_TICK) step.tickNext = TickMath.MIN_TICK;
            else if (step.tickNext > TickMath.MAX_TICK) step.tickNext = TickMath.MAX_TICK;
            step.sqrtPriceNextX96 = TickMath.getSqrtRatioAtTick(step.tickNext);

            (state.sqrtPriceX96, step.amountIn, step.amountOut, step.feeAmount) = SwapMath.computeSwapStep(
                state.sqrtPriceX96,
                (zeroForOne ? step.sqrtPriceNextX96 < sqrtPriceLimitX96 : step.sqrtPriceNextX96 > sqrtPriceLimitX96)
                    ? sqrtPriceLimitX96
                    : step.sqrtPriceNextX96,
                state.liquidity,
                state.amountSpecifiedRemaining,
                fee
            );

            // Step amounts are below 2^225, so the casts are exact and only the running sums are checked.
            if (exactInput) {
                state.amountSpecifiedRemaining -= int256(step.amountIn + step.feeAmount);
                state.amountCalculated -= int256(step.amountOut);
            } else {
                state.amountSpecifiedRemaining += int256(step.amountOut);
                state.amountCalculated += int256(step.amountIn + step.feeAmount);
            }
            if (state.liquidity > 0) {
                unchecked {
                    state.feeGrowthGlobalX128 += FullMath.mulDiv(step.feeAmount, Q128, state.liquidity);
                }
            }

            if (state.sqrtPriceX96 == step.sqrtPriceNextX96) {
                if (step.initialized) {
                    // In-range liquidity is about to change: first hand it the revenue accrued so far.
                    if (!revenueClaimed) {
                        revenueClaimed = true;
                        _claimRevenueInSwap(state, zeroForOne);
                    }
                    int128 liquidityNet = _ticks.cross(
                        step.tickNext,
                        zeroForOne ? state.feeGrowthGlobalX128 : feeGrowthGlobal0X128,
                        zeroForOne ? feeGrowthGlobal1X128 : state.feeGrowthGlobalX128
                    );
                    // Crossing leftward removes what crossing rightward adds.
                    state.liquidity = LiquidityMath.addDelta(state.liquidity, zeroForOne ? -liquidityNet : liquidityNet);
                }
                unchecked {
                    state.tick = zeroForOne ? step.tickNext - 1 : step.tickNext;
                }
            } else if (state.sqrtPriceX96 != step.sqrtPriceStartX96) {
                state.tick = TickMath.getTickAtSqrtRatio(state.sqrtPriceX96);
            }
        }
    }

    /// @dev Claims revenue in the middle of a swap (before its first crossing, so the liquidity in range is still
    /// the starting one) and adds it to the stablecoin's fee growth, in memory if that is the input token.
    function _claimRevenueInSwap(SwapState memory state, bool zeroForOne) private {
        (, uint256 revenueGrowthX128) = _claimRevenue();
        if (revenueGrowthX128 == 0) return;
        unchecked {
            // The stablecoin is the input token iff it is token0 and token0 is sold, or vice versa.
            if (_shareIsToken0 != zeroForOne) state.feeGrowthGlobalX128 += revenueGrowthX128;
            else if (zeroForOne) feeGrowthGlobal1X128 += revenueGrowthX128;
            else feeGrowthGlobal0X128 += revenueGrowthX128;
        }
    }

    /// @dev Validates a range, updates the position and its ticks, and returns the signed token amounts
    /// (owed to the pool if > 0). Accrues revenue first when the range is in range.
    function _modifyPosition(address owner, int24 tickLower, int24 tickUpper, int128 liquidityDelta)
        private
        returns (Position.Info storage position, int256 amount0, int256 amount1)
    {
        _checkTicks(tickLower, tickUpper);
        Slot0 memory s = _slot0;
        if (s.sqrtPriceX96 == 0) CustomRevert.revertWith(uint32(NotInitialized.selector));
        // Revenue accrued so far belongs to the liquidity in range until now, so liquidity added in range must not
        // share it, and a poke credits the position with it. Out of range, neither the in-range liquidity nor the
        // position's fee growth inside depends on it, so the claim can wait. A removal does not claim either (it
        // would cost the share's two cold accounts on every burn): liquidity removed leaves what streamed since
        // the last accrual to the liquidity that stays (see the revenue rule on `ICognitionPool`).
        if (liquidityDelta >= 0 && tickLower <= s.tick && s.tick < tickUpper) {
            (, uint256 revenueGrowthX128) = _claimRevenue();
            _addStableGrowth(revenueGrowthX128);
        }

        position = _updatePosition(owner, tickLower, tickUpper, liquidityDelta, s);
        if (liquidityDelta == 0) return (position, 0, 0);

        uint160 sqrtLower = TickMath.getSqrtRatioAtTick(tickLower);
        uint160 sqrtUpper = TickMath.getSqrtRatioAtTick(tickUpper);
        if (s.tick < tickLower) {
            amount0 = SqrtPriceMath.getAmount0Delta(sqrtLower, sqrtUpper, liquidityDelta);
        } else if (s.tick < tickUpper) {
            uint128 liquidityBefore = _liquidityState.liquidity;
            (uint16 index, uint16 cardinality) = observations.write(
                s.observationIndex,
                uint32(block.timestamp),
                s.tick,
                liquidityBefore,
                s.observationCardinality,
                s.observationCardinalityNext
            );
            if (index != s.observationIndex) {
                (_slot0.observationIndex, _slot0.observationCardinality) = (index, cardinality);
            }
            amount0 = SqrtPriceMath.getAmount0Delta(s.sqrtPriceX96, sqrtUpper, liquidityDelta);
            amount1 = SqrtPriceMath.getAmount1Delta(sqrtLower, s.sqrtPriceX96, liquidityDelta);
            _liquidityState.liquidity = LiquidityMath.addDelta(liquidityBefore, liquidityDelta);
        } else {
            amount1 = SqrtPriceMath.getAmount1Delta(sqrtLower, sqrtUpper, liquidityDelta);
        }
    }

    /// @dev Applies the delta to both ticks and the bitmap, then credits the position's fees.
    function _updatePosition(address owner, int24 tickLower, int24 tickUpper, int128 liquidityDelta, Slot0 memory s)
        private
        returns (Position.Info storage position)
    {
        position = positions.get(owner, tickLower, tickUpper);
        uint256 feeGrowth0 = feeGrowthGlobal0X128;
        uint256 feeGrowth1 = feeGrowthGlobal1X128;

        bool flippedLower;
        bool flippedUpper;
        if (liquidityDelta != 0) {
            uint128 maxLiquidity = maxLiquidityPerTick;
            flippedLower = _ticks.update(tickLower, s.tick, liquidityDelta, feeGrowth0, feeGrowth1, false, maxLiquidity);
            flippedUpper = _ticks.update(tickUpper, s.tick, liquidityDelta, feeGrowth0, feeGrowth1, true, maxLiquidity);
            if (flippedLower) tickBitmap.flipTick(tickLower, tickSpacing);
            if (flippedUpper) tickBitmap.flipTick(tickUpper, tickSpacing);
        }

        (uint256 inside0, uint256 inside1) =
            _ticks.getFeeGrowthInside(tickLower, tickUpper, s.tick, feeGrowth0, feeGrowth1);
        position.update(liquidityDelta, inside0, inside1);

        // A removal that leaves a tick unused deletes it.
        if (liquidityDelta < 0) {
            if (flippedLower) _ticks.clear(tickLower);
            if (flippedUpper) _ticks.clear(tickUpper);
        }
    }

    /// @dev Claims the share revenue accrued since the last claim (through `ShareRevenueLib`, at most once per block: revenue streams per
    /// second, so a second claim in a block would find nothing) and distributes it, with the slice of the held
    /// revenue released over the same time, as fee growth per unit of the liquidity that was in range all that
    /// time. With no liquidity in range, the claim is held instead; the rounding remainder is held too.
    function _claimRevenue() private returns (uint256 claimed, uint256 growthX128) {
        LiquidityState memory ls = _liquidityState;
        if (ls.revenueAccruedAt == uint32(block.timestamp)) return (0, 0);
        address shareToken = _shareIsToken0 ? token0 : token1;
        // The share's stream only ends later than the last accrual if revenue was released (or deposited) since
        // then: every deposit moves `streamEnd` past its own block, and the claim at the last accrual released
        // everything due by then. Otherwise the claim would pay nothing and change nothing, so the one-slot view
        // stands in for it (the held revenue below is still released as before).
        if (ShareRevenueLib.streamEndOf(shareToken) > ls.revenueAccruedAt) {
            claimed = ShareRevenueLib.claimAll(shareToken);
        }
        uint256 held = ls.pendingRevenue;
        if (claimed == 0 && held == 0) {
            _liquidityState.revenueAccruedAt = uint32(block.timestamp);
            return (0, 0);
        }
        uint256 distributed;
        if (ls.liquidity != 0) {
            uint256 total = claimed;
            unchecked {
                // Modulo 2^32, like the oracle's timestamps.
                uint256 elapsedSeconds = uint32(uint32(block.timestamp) - ls.revenueAccruedAt);
                // held < 2^96 and elapsedSeconds < 2^32: no overflow. Rounded down: the rest stays held. The sum
                // cannot wrap unnoticed: if it did, the checked `held + claimed` below would overflow and revert.
                total += elapsedSeconds < REVENUE_RELEASE_PERIOD ? held * elapsedSeconds / REVENUE_RELEASE_PERIOD : held;
            }
            if (total != 0) {
                growthX128 = FullMath.mulDiv(total, Q128, ls.liquidity);
                distributed = FullMath.mulDiv(growthX128, ls.liquidity, Q128);
            }
        }
        // distributed <= claimed + held.
        held = held + claimed - distributed;
        if (held > type(uint96).max) CustomRevert.revertWith(uint32(SafeCastOverflow.selector));
        (_liquidityState.revenueAccruedAt, _liquidityState.pendingRevenue) = (uint32(block.timestamp), uint96(held));
        if (claimed != 0 || distributed != 0) emit RevenueAccrued(claimed, distributed, held);
    }

    /// @dev Adds revenue fee growth to the stablecoin side.
    function _addStableGrowth(uint256 growthX128) private {
        if (growthX128 == 0) return;
        unchecked {
            if (_shareIsToken0) feeGrowthGlobal1X128 += growthX128;
            else feeGrowthGlobal0X128 += growthX128;
        }
    }

    function _lock() private {
        if (_locked) CustomRevert.revertWith(uint32(Reentrancy.selector));
        _locked = true;
    }

    function _checkTicks(int24 tickLower, int24 tickUpper) private view {
        if (tickLower >= tickUpper) {
            CustomRevert.revertWith(
                uint32(TicksMisordered.selector), uint256(int256(tickLower)), uint256(int256(tickUpper))
            );
        }
        if (tickLower < TickMath.MIN_TICK) {
            CustomRevert.revertWith(uint32(TickOutOfRange.selector), uint256(int256(tickLower)));
        }
        if (tickUpper > TickMath.MAX_TICK) {
            CustomRevert.revertWith(uint32(TickOutOfRange.selector), uint256(int256(tickUpper)));
        }
        if (tickLower % tickSpacing != 0) {
            CustomRevert.revertWith(
                uint32(TickMisaligned.selector), uint256(int256(tickLower)), uint256(int256(tickSpacing))
            );
        }
        if (tickUpper % tickSpacing != 0) {
            CustomRevert.revertWith(
                uint32(TickMisaligned.selector), uint256(int256(tickUpper)), uint256(int256(tickSpacing))
            );
        }
    }

    /// @dev Reverts with `InsufficientPayment` unless the balance of `token` grew by at least `owed`.
    function _checkPaid(address token, uint256 balanceBefore, uint256 owed) private view {
        uint256 balanceAfter = _balance(token);
        if (balanceAfter < balanceBefore + owed) {
            CustomRevert.revertWith(
                uint32(InsufficientPayment.selector),
                uint256(uint160(token)),
                owed,
                balanceAfter > balanceBefore ? balanceAfter - balanceBefore : 0
            );
        }
    }

    /// @dev The pool's balance of `token`.
    function _balance(address token) private view returns (uint256 amount) {
        bytes4 failed = BalanceQueryFailed.selector;
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, address())
            if iszero(and(gt(returndatasize(), 0x1f), staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20))) {
                mstore(0x00, failed)
                mstore(0x04, token)
                revert(0x00, 0x24)
            }
            amount := mload(0x00)
        }
    }

    /// @dev Sends `amount` of `token`; accepts tokens that return nothing or true.
    function _transfer(address token, address to, uint256 amount) private {
        bytes4 failed = TransferFailed.selector;
        assembly ("memory-safe") {
            let freePointer := mload(0x40)
            mstore(0x00, 0xa9059cbb) // transfer(address,uint256)
            mstore(0x20, shr(96, shl(96, to)))
            mstore(0x40, amount)
            let ok := call(gas(), token, 0, 0x1c, 0x44, 0x00, 0x20)
            if iszero(and(ok, or(iszero(returndatasize()), and(gt(returndatasize(), 0x1f), eq(mload(0x00), 1))))) {
                mstore(0x00, failed)
                mstore(0x04, token)
                revert(0x00, 0x24)
            }
            mstore(0x40, freePointer)
        }
    }
}
