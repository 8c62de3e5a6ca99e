// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {ICognitionPoolErrors} from "./ICognitionPoolErrors.sol";

/// @title ICognitionPool
/// @notice Concentrated-liquidity pool of one model share against the share's revenue stablecoin. The math is
/// bit-for-bit that of Uniswap v3 and the read interface has the same shapes as `IUniswapV3Pool`, so that
/// the Uniswap v3 SDK quotes it to the wei and v3 tooling can read it.
/// @dev Revenue rule: the pool holds model shares, which earn stablecoin revenue streamed in over
/// `REVENUE_STREAM_PERIOD`. The pool claims it (at most once per block) before liquidity enters the range and
/// before crediting an in-range position (mint or poke of a range containing the current tick, the first
/// initialized-tick crossing of a swap, `collectRevenue`; an out-of-range position's fee growth inside does not
/// depend on it), so no liquidity shares revenue streamed before it was in range.
/// - Removal: a burn of a non-zero amount does not claim (claiming touches the share's two cold accounts, its
///   clone and implementation, which would cost every burn ~7.7k gas over Uniswap v3's). The revenue streamed
///   since the last accrual then goes, at the next one, to the liquidity still in range, all of which was in range
///   since the last accrual. Poke (burn 0) or call `collectRevenue` first to be credited with it;
///   `LiquidityManager.decreaseLiquidity` does.
/// - Split: the revenue of all the shares the pool holds goes to the liquidity in range, as
///   `amount * 2^128 / liquidity` added to the stablecoin side's fee growth: in-range LPs collect it exactly like
///   swap fees, pro rata to liquidity and time in range, not to the shares each position holds. A narrow range
///   earns more per unit of capital than a wide one (with 1% of the capital over three tick spacings against a
///   +-6000-tick range, ~37% of the revenue), and a position out of range earns none, though its shares earn part
///   of it. Crediting each position by its own shares is possible in O(1) (two more "outside" accumulators per
///   tick, or one global revenue-per-share accumulator scaled by each bound's sqrt price), but it costs a storage
///   read and a full-precision division on every tick crossing and every position update, a share balance read
///   and a storage write on every claim, and a few hundred bytes of bytecode the pool has no room for.
/// - Held revenue: revenue claimed while no liquidity is in range, and the rounding remainder of every
///   distribution, is held (`pendingRevenue`). Each accrual releases `held * min(elapsed, 1 day) / 1 day` of it
///   (rounded down) to the liquidity that was in range for the `elapsed` seconds since the previous accrual, and
///   none while no liquidity is in range: linear over one day from the last accrual, restarted at each accrual
///   (accrued every block, it decays with a one-day time constant). Liquidity in range for `s` seconds gets at
///   most `s / 1 day` of what is held, whatever its size, so no block can capture it.
/// Claimed revenue is never counted as swap or mint payment: it is claimed before balances are measured.
interface ICognitionPool is ICognitionPoolErrors {
    /* EVENTS */

    /// @notice Emitted once, when the pool's price is first set.
    event Initialize(uint160 sqrtPriceX96, int24 tick);
    /// @notice Emitted when liquidity is minted for a position.
    event Mint(
        address sender,
        address indexed owner,
        int24 indexed tickLower,
        int24 indexed tickUpper,
        uint128 amount,
        uint256 amount0,
        uint256 amount1
    );
    /// @notice Emitted when a position's owed tokens are collected.
    event Collect(
        address indexed owner,
        address recipient,
        int24 indexed tickLower,
        int24 indexed tickUpper,
        uint128 amount0,
        uint128 amount1
    );
    /// @notice Emitted when liquidity is removed from a position (the tokens become owed, not sent).
    event Burn(
        address indexed owner,
        int24 indexed tickLower,
        int24 indexed tickUpper,
        uint128 amount,
        uint256 amount0,
        uint256 amount1
    );
    /// @notice Emitted on every swap, with the pool's deltas (> 0 received, < 0 sent) and the post-swap state.
    event Swap(
        address indexed sender,
        address indexed recipient,
        int256 amount0,
        int256 amount1,
        uint160 sqrtPriceX96,
        uint128 liquidity,
        int24 tick
    );
    /// @notice Emitted when the number of observations the oracle will store is increased.
    event IncreaseObservationCardinalityNext(
        uint16 observationCardinalityNextOld, uint16 observationCardinalityNextNew
    );
    /// @notice Emitted when model-share revenue is claimed, or held revenue released, to in-range liquidity.
    /// @param claimed Stablecoin units received from the share in this accrual.
    /// @param distributed Stablecoin units added to fee growth (claimed plus the released slice of the held
    /// revenue, less the rounding remainder; zero while no liquidity is in range).
    /// @param pending Stablecoin units held after this accrual, released over time (see the revenue rule).
    event RevenueAccrued(uint256 claimed, uint256 distributed, uint256 pending);

    /* IMMUTABLES */

    /// @notice The factory that deployed the pool.
    function factory() external view returns (address);
    /// @notice The lower-addressed token of the pair.
    function token0() external view returns (address);
    /// @notice The higher-addressed token of the pair.
    function token1() external view returns (address);
    /// @notice The swap fee in hundredths of a bip (1e-6).
    function fee() external view returns (uint24);
    /// @notice The spacing of usable ticks.
    function tickSpacing() external view returns (int24);
    /// @notice The maximum gross liquidity that may reference one tick.
    function maxLiquidityPerTick() external view returns (uint128);
    /// @notice The model share of the pair (token0 or token1).
    function share() external view returns (address);
    /// @notice The stablecoin of the pair, the one the share's revenue is paid in.
    function stablecoin() external view returns (address);

    /* STATE */

    /// @notice The packed core state, in `IUniswapV3Pool.slot0` shape.
    /// @return sqrtPriceX96 The current sqrt(token1 / token0) price, Q64.96.
    /// @return tick The current tick: the greatest tick whose sqrt price is at most `sqrtPriceX96` (after a
    /// leftward crossing onto a tick boundary it is one below the boundary, like v3).
    /// @return observationIndex The index of the latest oracle observation.
    /// @return observationCardinality The number of populated observations.
    /// @return observationCardinalityNext The number of observations the oracle will grow to.
    /// @return feeProtocol Always 0: the pool has no protocol fee.
    /// @return unlocked Whether the pool is not in the middle of a locked call.
    function slot0()
        external
        view
        returns (
            uint160 sqrtPriceX96,
            int24 tick,
            uint16 observationIndex,
            uint16 observationCardinality,
            uint16 observationCardinalityNext,
            uint8 feeProtocol,
            bool unlocked
        );
    /// @notice The liquidity in range at the current tick.
    function liquidity() external view returns (uint128);
    /// @notice Fee growth of token0 per unit of liquidity over the pool's life, Q128.128 (may wrap).
    function feeGrowthGlobal0X128() external view returns (uint256);
    /// @notice Fee growth of token1 per unit of liquidity over the pool's life, Q128.128 (may wrap).
    function feeGrowthGlobal1X128() external view returns (uint256);
    /// @notice Revenue held for release to in-range liquidity over time (see the revenue rule), and the timestamp
    /// of the last revenue accrual.
    function revenueState() external view returns (uint96 pendingRevenue, uint32 accruedAt);
    /// @notice Tick data, in `IUniswapV3Pool.ticks` shape. `initialized` is `liquidityGross != 0`; the three
    /// per-tick oracle accumulators (`tickCumulativeOutside`, `secondsPerLiquidityOutsideX128`, `secondsOutside`)
    /// are always 0: they only serve v3's `snapshotCumulativesInside`, which this pool does not offer.
    function ticks(int24 tick)
        external
        view
        returns (
            uint128 liquidityGross,
            int128 liquidityNet,
            uint256 feeGrowthOutside0X128,
            uint256 feeGrowthOutside1X128,
            int56 tickCumulativeOutside,
            uint160 secondsPerLiquidityOutsideX128,
            uint32 secondsOutside,
            bool initialized
        );
    /// @notice One 256-bit word of the initialized-tick bitmap (bit i of word w is compressed tick 256w + i).
    function tickBitmap(int16 wordPosition) external view returns (uint256);
    /// @notice Position data by `keccak256(abi.encodePacked(owner, tickLower, tickUpper))`.
    function positions(bytes32 key)
        external
        view
        returns (
            uint128 liquidity,
            uint256 feeGrowthInside0LastX128,
            uint256 feeGrowthInside1LastX128,
            uint128 tokensOwed0,
            uint128 tokensOwed1
        );
    /// @notice One oracle observation by index.
    function observations(uint256 index)
        external
        view
        returns (
            uint32 blockTimestamp,
            int56 tickCumulative,
            uint160 secondsPerLiquidityCumulativeX128,
            bool initialized
        );
    /// @notice Cumulative tick and seconds-per-liquidity `secondsAgos[i]` seconds ago, interpolated between
    /// observations (v3 semantics). A TWAP tick over `[t - a, t - b]` is `(c[b] - c[a]) / (a - b)`.
    /// @dev Reverts with `ObservationTooOld` if a target precedes the oldest observation.
    /// Manipulation bound: an observation records the tick that held before the block's first change, so a price
    /// moved and restored within one block does not move any TWAP, and a tick moved by `d` and held for `s`
    /// seconds moves a `w`-second TWAP tick by at most `d * s / w` (one 12 s block on a 30 min TWAP: d / 150).
    function observe(uint32[] calldata secondsAgos)
        external
        view
        returns (int56[] memory tickCumulatives, uint160[] memory secondsPerLiquidityCumulativeX128s);

    /* ACTIONS */

    /// @notice Sets the initial price. Callable once.
    /// @param sqrtPriceX96 The initial sqrt(token1 / token0) price, Q64.96.
    function initialize(uint160 sqrtPriceX96) external;

    /// @notice Adds `amount` liquidity to the position (recipient, tickLower, tickUpper); the caller pays in
    /// `cognitionMintCallback`.
    /// @return amount0 Token0 paid, rounded up.
    /// @return amount1 Token1 paid, rounded up.
    function mint(address recipient, int24 tickLower, int24 tickUpper, uint128 amount, bytes calldata data)
        external
        returns (uint256 amount0, uint256 amount1);

    /// @notice Removes `amount` liquidity from the caller's position; the tokens (rounded down) become owed to
    /// the position together with its fees and the revenue accrued so far. `amount == 0` only updates the owed
    /// fees (a poke), after accruing the revenue if the range is in range; a removal does not accrue it (see the
    /// revenue rule: poke or `collectRevenue` first).
    /// @return amount0 Token0 made owed for the liquidity.
    /// @return amount1 Token1 made owed for the liquidity.
    function burn(int24 tickLower, int24 tickUpper, uint128 amount) external returns (uint256 amount0, uint256 amount1);

    /// @notice Sends up to the requested amounts of what the caller's position is owed to `recipient`.
    /// @return amount0 Token0 sent.
    /// @return amount1 Token1 sent.
    function collect(
        address recipient,
        int24 tickLower,
        int24 tickUpper,
        uint128 amount0Requested,
        uint128 amount1Requested
    ) external returns (uint128 amount0, uint128 amount1);

    /// @notice Swaps; exact input if `amountSpecified > 0`, exact output if `< 0`. Sends the output to
    /// `recipient` first, then calls `cognitionSwapCallback` on the caller, which must pay the input (so a
    /// swap is also a flash swap).
    /// @param zeroForOne True to sell token0 for token1 (price goes down).
    /// @param sqrtPriceLimitX96 The price the swap may not pass; below the current price for zeroForOne.
    /// @return amount0 The pool's token0 delta (> 0 received).
    /// @return amount1 The pool's token1 delta (> 0 received).
    function swap(
        address recipient,
        bool zeroForOne,
        int256 amountSpecified,
        uint160 sqrtPriceLimitX96,
        bytes calldata data
    ) external returns (int256 amount0, int256 amount1);

    /// @notice Grows the oracle's ring buffer to at least `observationCardinalityNext` observations.
    function increaseObservationCardinalityNext(uint16 observationCardinalityNext) external;

    /// @notice Claims the share revenue the pool accrued and distributes it, with the slice of the held revenue
    /// due since the last accrual, to in-range liquidity (or holds it while none is in range).
    /// @return claimed Stablecoin units received from the share now (zero if already done this block).
    function collectRevenue() external returns (uint256 claimed);
}
