// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ICognitionMintCallback} from "../amm/interfaces/ICognitionCallbacks.sol";
import {ICognitionPool} from "../amm/interfaces/ICognitionPool.sol";
import {ICognitionPoolErrors} from "../amm/interfaces/ICognitionPoolErrors.sol";
import {ICognitionPoolFactory} from "../amm/interfaces/ICognitionPoolFactory.sol";
import {Position as PoolPosition} from "../amm/libraries/Position.sol";
import {TickMath} from "../amm/libraries/TickMath.sol";
import {FullMath} from "../libraries/FullMath.sol";
import {ILiquidityManager} from "./interfaces/ILiquidityManager.sol";
import {LiquidityAmounts} from "./libraries/LiquidityAmounts.sol";
import {PoolAddress} from "./libraries/PoolAddress.sol";
import {SafePull} from "./libraries/SafePull.sol";

/// @title LiquidityManager
/// @notice Positions by id for users. See `ILiquidityManager`.
/// @dev All ids over the same (pool, range) share one pool position owned by this contract; each id's fees are
/// its liquidity times the growth of the pool's fee-growth-inside since the id's last update, rounded down, so
/// the ids together never claim more than the pool credited.
contract LiquidityManager is ILiquidityManager {
    uint256 private constant Q128 = 1 << 128;

    /// @inheritdoc ILiquidityManager
    address public immutable factory;
    bytes32 private immutable _poolInitCodeHash;

    /// @inheritdoc ILiquidityManager
    uint256 public nextPositionId = 1;
    /// @inheritdoc ILiquidityManager
    mapping(uint256 positionId => Position) public positions;

    // The mint in progress: only its pool may call back; tokens are pulled from its payer.
    address private transient _pool;
    address private transient _payer;
    address private transient _token0;
    address private transient _token1;

    constructor(address factory_) {
        factory = factory_;
        _poolInitCodeHash = ICognitionPoolFactory(factory_).POOL_INIT_CODE_HASH();
    }

    modifier checkDeadline(uint256 deadline) {
        if (block.timestamp > deadline) revert DeadlineExpired(deadline);
        _;
    }

    /* ACTIONS */

    /// @inheritdoc ILiquidityManager
    function mint(MintParams calldata params)
        external
        checkDeadline(params.deadline)
        returns (uint256 positionId, uint128 liquidity, uint256 amount0, uint256 amount1)
    {
        if (params.token0 >= params.token1) {
            revert TokensNotSorted(params.token0, params.token1);
        }
        if (params.recipient == address(0)) revert ZeroAddress();
        address pool = PoolAddress.compute(factory, _poolInitCodeHash, params.token0, params.token1, params.fee);
        if (pool.code.length == 0) revert PoolNotFound(params.token0, params.token1, params.fee);

        (liquidity, amount0, amount1) = _addLiquidity(
            pool,
            params.tickLower,
            params.tickUpper,
            params.amount0Desired,
            params.amount1Desired,
            params.amount0Min,
            params.amount1Min
        );
        (uint256 inside0, uint256 inside1) = _poolFeeGrowthInside(pool, params.tickLower, params.tickUpper);

        positionId = nextPositionId++;
        positions[positionId] = Position({
            owner: params.recipient,
            pool: pool,
            tickLower: params.tickLower,
            tickUpper: params.tickUpper,
            liquidity: liquidity,
            feeGrowthInside0LastX128: inside0,
            feeGrowthInside1LastX128: inside1,
            tokensOwed0: 0,
            tokensOwed1: 0
        });
        emit PositionMinted(positionId, params.recipient, pool, params.tickLower, params.tickUpper);
        emit IncreaseLiquidity(positionId, liquidity, amount0, amount1);
    }

    /// @inheritdoc ILiquidityManager
    function increaseLiquidity(IncreaseLiquidityParams calldata params)
        external
        checkDeadline(params.deadline)
        returns (uint128 liquidity, uint256 amount0, uint256 amount1)
    {
        Position storage position = _existing(params.positionId);
        (address pool, int24 tickLower, int24 tickUpper) = (position.pool, position.tickLower, position.tickUpper);
        (liquidity, amount0, amount1) = _addLiquidity(
            pool,
            tickLower,
            tickUpper,
            params.amount0Desired,
            params.amount1Desired,
            params.amount0Min,
            params.amount1Min
        );
        _accrueFees(position, pool, tickLower, tickUpper);
        position.liquidity += liquidity;
        emit IncreaseLiquidity(params.positionId, liquidity, amount0, amount1);
    }

    /// @inheritdoc ILiquidityManager
    function decreaseLiquidity(DecreaseLiquidityParams calldata params)
        external
        checkDeadline(params.deadline)
        returns (uint256 amount0, uint256 amount1)
    {
        Position storage position = _owned(params.positionId);
        (address pool, int24 tickLower, int24 tickUpper) = (position.pool, position.tickLower, position.tickUpper);
        if (params.liquidity > position.liquidity) revert ICognitionPoolErrors.LiquidityOverflow();
        // The pool's burn does not accrue share revenue: accrue it first, so that the position is credited with
        // the revenue streamed while it was in range, up to now.
        ICognitionPool(pool).collectRevenue();
        (amount0, amount1) = ICognitionPool(pool).burn(tickLower, tickUpper, params.liquidity);
        if (amount0 < params.amount0Min || amount1 < params.amount1Min) {
            revert SlippageExceeded(amount0, amount1, params.amount0Min, params.amount1Min);
        }
        _accrueFees(position, pool, tickLower, tickUpper);
        unchecked {
            position.liquidity -= params.liquidity;
            // Owed amounts are bounded by the pool's reserves, like the pool's own (wrapping) bookkeeping.
            position.tokensOwed0 += uint128(amount0);
            position.tokensOwed1 += uint128(amount1);
        }
        emit DecreaseLiquidity(params.positionId, params.liquidity, amount0, amount1);
    }

    /// @inheritdoc ILiquidityManager
    function collect(CollectParams calldata params) external returns (uint256 amount0, uint256 amount1) {
        if (params.recipient == address(0)) revert ZeroAddress();
        Position storage position = _owned(params.positionId);
        (address pool, int24 tickLower, int24 tickUpper) = (position.pool, position.tickLower, position.tickUpper);
        if (position.liquidity > 0) {
            // Poke: makes the pool credit the fees (and revenue) earned so far.
            ICognitionPool(pool).burn(tickLower, tickUpper, 0);
            _accrueFees(position, pool, tickLower, tickUpper);
        }
        (uint128 owed0, uint128 owed1) = (position.tokensOwed0, position.tokensOwed1);
        uint128 request0 = params.amount0Max > owed0 ? owed0 : params.amount0Max;
        uint128 request1 = params.amount1Max > owed1 ? owed1 : params.amount1Max;
        (uint128 sent0, uint128 sent1) =
            ICognitionPool(pool).collect(params.recipient, tickLower, tickUpper, request0, request1);
        unchecked {
            (position.tokensOwed0, position.tokensOwed1) = (owed0 - sent0, owed1 - sent1);
        }
        (amount0, amount1) = (sent0, sent1);
        emit Collect(params.positionId, params.recipient, amount0, amount1);
    }

    /// @inheritdoc ILiquidityManager
    function transferPosition(uint256 positionId, address to) external {
        if (to == address(0)) revert ZeroAddress();
        _owned(positionId).owner = to;
        emit PositionTransferred(positionId, msg.sender, to);
    }

    /// @inheritdoc ILiquidityManager
    function burn(uint256 positionId) external {
        Position storage position = _owned(positionId);
        if (position.liquidity != 0 || position.tokensOwed0 != 0 || position.tokensOwed1 != 0) {
            revert PositionNotEmpty(positionId);
        }
        delete positions[positionId];
        emit PositionBurned(positionId);
    }

    /// @inheritdoc ICognitionMintCallback
    function cognitionMintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        if (msg.sender != _pool) revert UnauthorizedCallback(msg.sender);
        address payer = _payer;
        if (amount0Owed > 0) _pull(_token0, payer, amount0Owed);
        if (amount1Owed > 0) _pull(_token1, payer, amount1Owed);
    }

    /* INTERNAL */

    /// @dev Mints the most liquidity the desired amounts buy at the current price, paid by msg.sender.
    function _addLiquidity(
        address pool,
        int24 tickLower,
        int24 tickUpper,
        uint256 amount0Desired,
        uint256 amount1Desired,
        uint256 amount0Min,
        uint256 amount1Min
    ) private returns (uint128 liquidity, uint256 amount0, uint256 amount1) {
        (uint160 sqrtPriceX96,,,,,,) = ICognitionPool(pool).slot0();
        if (sqrtPriceX96 == 0) revert ICognitionPoolErrors.NotInitialized();
        liquidity = LiquidityAmounts.getLiquidityForAmounts(
            sqrtPriceX96,
            TickMath.getSqrtRatioAtTick(tickLower),
            TickMath.getSqrtRatioAtTick(tickUpper),
            amount0Desired,
            amount1Desired
        );
        (_pool, _payer, _token0, _token1) =
        (pool, msg.sender, ICognitionPool(pool).token0(), ICognitionPool(pool).token1());
        (amount0, amount1) = ICognitionPool(pool).mint(address(this), tickLower, tickUpper, liquidity, "");
        _pool = address(0);
        if (amount0 < amount0Min || amount1 < amount1Min) {
            revert SlippageExceeded(amount0, amount1, amount0Min, amount1Min);
        }
    }

    /// @dev Credits the fees earned by the position since its last update and moves its checkpoint.
    function _accrueFees(Position storage position, address pool, int24 tickLower, int24 tickUpper) private {
        (uint256 inside0, uint256 inside1) = _poolFeeGrowthInside(pool, tickLower, tickUpper);
        uint128 liquidity = position.liquidity;
        unchecked {
            position.tokensOwed0 += uint128(
                FullMath.mulDiv(inside0 - position.feeGrowthInside0LastX128, liquidity, Q128)
            );
            position.tokensOwed1 += uint128(
                FullMath.mulDiv(inside1 - position.feeGrowthInside1LastX128, liquidity, Q128)
            );
        }
        (position.feeGrowthInside0LastX128, position.feeGrowthInside1LastX128) = (inside0, inside1);
    }

    /// @dev The fee growth inside the range as of the pool position's last update.
    function _poolFeeGrowthInside(address pool, int24 tickLower, int24 tickUpper)
        private
        view
        returns (uint256 inside0, uint256 inside1)
    {
        (, inside0, inside1,,) = ICognitionPool(pool).positions(PoolPosition.key(address(this), tickLower, tickUpper));
    }

    function _existing(uint256 positionId) private view returns (Position storage position) {
        position = positions[positionId];
        if (position.owner == address(0)) revert UnknownPosition(positionId);
    }

    function _owned(uint256 positionId) private view returns (Position storage position) {
        position = _existing(positionId);
        if (position.owner != msg.sender) revert NotPositionOwner(positionId, msg.sender);
    }

    function _pull(address token, address from, uint256 amount) private {
        if (!SafePull.tryTransferFrom(token, from, msg.sender, amount)) revert PaymentFailed(token);
    }
}
