// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {ICognitionMintCallback} from "../../amm/interfaces/ICognitionCallbacks.sol";

/// @title ILiquidityManager
/// @notice Liquidity positions in CognitionPools for users, kept by id with an owner. The manager owns the pool
/// positions and accounts fees (including model-share revenue, which pools pay as stablecoin fees) per id.
interface ILiquidityManager is ICognitionMintCallback {
    /* ERRORS */

    /// @notice Thrown when the block timestamp is after the deadline.
    error DeadlineExpired(uint256 deadline);
    /// @notice Thrown when no pool exists for the pair and fee.
    error PoolNotFound(address token0, address token1, uint24 fee);
    /// @notice Thrown when `token0 >= token1`.
    error TokensNotSorted(address token0, address token1);
    /// @notice Thrown when the amounts added or removed are below the minimums.
    error SlippageExceeded(uint256 amount0, uint256 amount1, uint256 amount0Min, uint256 amount1Min);
    /// @notice Thrown when the caller does not own the position.
    error NotPositionOwner(uint256 positionId, address caller);
    /// @notice Thrown when a position id does not exist.
    error UnknownPosition(uint256 positionId);
    /// @notice Thrown when burning a position that still has liquidity or owed tokens.
    error PositionNotEmpty(uint256 positionId);
    /// @notice Thrown when the mint callback is called by anyone but the pool being minted in.
    error UnauthorizedCallback(address caller);
    /// @notice Thrown when pulling a payment from the payer fails.
    error PaymentFailed(address token);
    /// @notice Thrown when the recipient or new owner is the zero address.
    error ZeroAddress();

    /* EVENTS */

    /// @notice Emitted when a position id is created.
    event PositionMinted(
        uint256 indexed positionId, address indexed owner, address indexed pool, int24 tickLower, int24 tickUpper
    );
    /// @notice Emitted when liquidity is added to a position.
    event IncreaseLiquidity(uint256 indexed positionId, uint128 liquidity, uint256 amount0, uint256 amount1);
    /// @notice Emitted when liquidity is removed from a position (the tokens become owed).
    event DecreaseLiquidity(uint256 indexed positionId, uint128 liquidity, uint256 amount0, uint256 amount1);
    /// @notice Emitted when owed tokens are sent out.
    event Collect(uint256 indexed positionId, address recipient, uint256 amount0, uint256 amount1);
    /// @notice Emitted when a position changes owner.
    event PositionTransferred(uint256 indexed positionId, address indexed from, address indexed to);
    /// @notice Emitted when an empty position id is deleted.
    event PositionBurned(uint256 indexed positionId);

    /* TYPES */

    struct Position {
        address owner;
        address pool;
        int24 tickLower;
        int24 tickUpper;
        uint128 liquidity;
        uint256 feeGrowthInside0LastX128;
        uint256 feeGrowthInside1LastX128;
        uint128 tokensOwed0;
        uint128 tokensOwed1;
    }

    struct MintParams {
        address token0;
        address token1;
        uint24 fee;
        int24 tickLower;
        int24 tickUpper;
        uint256 amount0Desired;
        uint256 amount1Desired;
        uint256 amount0Min;
        uint256 amount1Min;
        address recipient;
        uint256 deadline;
    }

    struct IncreaseLiquidityParams {
        uint256 positionId;
        uint256 amount0Desired;
        uint256 amount1Desired;
        uint256 amount0Min;
        uint256 amount1Min;
        uint256 deadline;
    }

    struct DecreaseLiquidityParams {
        uint256 positionId;
        uint128 liquidity;
        uint256 amount0Min;
        uint256 amount1Min;
        uint256 deadline;
    }

    struct CollectParams {
        uint256 positionId;
        address recipient;
        uint128 amount0Max;
        uint128 amount1Max;
    }

    /* VIEWS */

    /// @notice The factory whose pools this manager uses.
    function factory() external view returns (address);
    /// @notice The id the next minted position will get (ids start at 1).
    function nextPositionId() external view returns (uint256);
    /// @notice A position by id; `owner` is zero if it does not exist. Owed amounts exclude fees accrued in the
    /// pool since the position's last update.
    function positions(uint256 positionId)
        external
        view
        returns (
            address owner,
            address pool,
            int24 tickLower,
            int24 tickUpper,
            uint128 liquidity,
            uint256 feeGrowthInside0LastX128,
            uint256 feeGrowthInside1LastX128,
            uint128 tokensOwed0,
            uint128 tokensOwed1
        );

    /* ACTIONS */

    /// @notice Creates a position with the most liquidity the desired amounts buy; pulls the tokens from the
    /// caller (who must have approved the manager).
    /// @return positionId The new position's id, owned by `recipient`.
    /// @return liquidity The liquidity minted.
    /// @return amount0 Token0 paid.
    /// @return amount1 Token1 paid.
    function mint(MintParams calldata params)
        external
        returns (uint256 positionId, uint128 liquidity, uint256 amount0, uint256 amount1);

    /// @notice Adds liquidity to a position, paid by the caller (anyone may add to any position).
    function increaseLiquidity(IncreaseLiquidityParams calldata params)
        external
        returns (uint128 liquidity, uint256 amount0, uint256 amount1);

    /// @notice Removes liquidity from the caller's position; the tokens become owed (see `collect`), with the
    /// fees and the model-share revenue earned up to now (it accrues the pool's revenue before the burn).
    function decreaseLiquidity(DecreaseLiquidityParams calldata params)
        external
        returns (uint256 amount0, uint256 amount1);

    /// @notice Sends up to the given amounts of the tokens owed to the caller's position (removed liquidity,
    /// fees and revenue) to `recipient`.
    function collect(CollectParams calldata params) external returns (uint256 amount0, uint256 amount1);

    /// @notice Gives the caller's position to `to`.
    function transferPosition(uint256 positionId, address to) external;

    /// @notice Deletes the caller's position once it has no liquidity and nothing owed.
    function burn(uint256 positionId) external;
}
