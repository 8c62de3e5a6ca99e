// SPDX-License-Identifier: BUSL-1.1
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";

/// @title IModelShare
/// @notice ERC-20 (with EIP-2612 permit) share of one model's inference revenue.
/// @dev Revenue arrives in the protocol stablecoin through `depositRevenue` and is streamed in linearly over
/// `REVENUE_STREAM_PERIOD`: a deposit, together with whatever was still streaming, is released evenly until
/// `REVENUE_STREAM_PERIOD` seconds after the deposit. Released revenue is credited pro rata to the balances
/// held at the moment of release with an O(1) accumulator, so holding shares for one block around a deposit
/// earns only that block's slice (`blockSeconds / REVENUE_STREAM_PERIOD` of what is streaming). Every credit is
/// rounded down; the dust stays in this contract.
/// The period is a deployment parameter, an immutable of the implementation that every clone shares: one day in
/// production, as short as a minute on local chains so that a demo's holders see revenue within its first minute.
/// Contracts that hold shares for others (pools, lending markets) call `claim` for themselves and pass the
/// revenue on to their users.
interface IModelShare is IERC20, IERC20Permit {
    /* ERRORS */

    /// @notice Thrown when `initialize` is called by anyone but the registry, or twice.
    error AlreadyInitialized();
    /// @notice Thrown when a caller other than the registry initializes a share.
    error OnlyRegistry();
    /// @notice Thrown when a supply of zero or one above `type(uint128).max` is requested.
    error InvalidSupply();
    /// @notice Thrown when shares are sent to the zero address or to the share contract itself.
    error InvalidReceiver(address receiver);
    /// @notice Thrown when shares are sent from the zero address.
    error InvalidSender(address sender);
    /// @notice Thrown when the sender's balance is below the amount.
    error InsufficientBalance(address holder, uint256 balance, uint256 needed);
    /// @notice Thrown when the spender's allowance is below the amount.
    error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
    /// @notice Thrown when a permit's deadline has passed.
    error PermitExpired(uint256 deadline);
    /// @notice Thrown when a permit is not signed by the owner it names.
    error InvalidPermitSigner(address signer, address owner);
    /// @notice Thrown when `depositRevenue` is called with zero.
    error ZeroAmount();
    /// @notice Thrown when cumulative deposits would exceed `type(uint96).max` stablecoin units.
    error RevenueOverflow();
    /// @notice Thrown when the implementation is deployed with a stream period outside
    /// [`MIN_REVENUE_STREAM_PERIOD`, `MAX_REVENUE_STREAM_PERIOD`].
    error InvalidRevenueStreamPeriod(uint256 periodSeconds);

    /* EVENTS */

    /// @notice Emitted when `amount` of stablecoin is added to the stream by `payer`.
    /// @param streamEnd The timestamp at which everything deposited so far is fully released.
    event RevenueDeposited(address indexed payer, uint256 amount, uint256 streamEnd);
    /// @notice Emitted when `holder` claims `amount` of accrued revenue, paid to `receiver`.
    event RevenueClaimed(address indexed holder, address indexed receiver, uint256 amount);

    /* INITIALIZER */

    /// @notice Sets up a freshly cloned share. Callable once, by the registry only.
    /// @param name_ ERC-20 name.
    /// @param symbol_ ERC-20 symbol.
    /// @param modelId_ Registry id of the model this share pays for.
    /// @param holder Receiver of the whole fixed supply (the model owner).
    /// @param supply Fixed total supply (18 decimals), at most `type(uint128).max`.
    function initialize(
        string calldata name_,
        string calldata symbol_,
        uint256 modelId_,
        address holder,
        uint256 supply
    ) external;

    /* VIEWS */

    /// @notice Shortest stream period a share implementation accepts, in seconds (1 minute; local chains).
    function MIN_REVENUE_STREAM_PERIOD() external view returns (uint256);
    /// @notice Longest stream period a share implementation accepts, in seconds (30 days).
    function MAX_REVENUE_STREAM_PERIOD() external view returns (uint256);
    /// @notice Seconds over which each deposit (plus the unreleased rest) is streamed in. Set when the
    /// implementation is deployed (by the registry's constructor) and shared by every clone; 1 day in production.
    function REVENUE_STREAM_PERIOD() external view returns (uint256);
    /// @notice The registry that deployed this share.
    function registry() external view returns (address);
    /// @notice The stablecoin revenue is paid in.
    function stablecoin() external view returns (address);
    /// @notice Registry id of the model.
    function modelId() external view returns (uint256);
    /// @notice Stablecoin units released to holders so far (including what is already claimed).
    function releasedRevenue() external view returns (uint256);
    /// @notice Stablecoin units deposited but not yet released.
    function streamingRevenue() external view returns (uint256);
    /// @notice Total stablecoin units ever deposited.
    function depositedRevenue() external view returns (uint256);
    /// @notice Timestamp at which the current stream is fully released.
    function streamEnd() external view returns (uint256);
    /// @notice Revenue `holder` can claim now (accrued up to this block), rounded down.
    function claimable(address holder) external view returns (uint256);

    /* ACTIONS */

    /// @notice Pulls `amount` of stablecoin from the caller (needs an allowance) and streams it to holders.
    function depositRevenue(uint256 amount) external;

    /// @notice Pays everything the caller has accrued to `receiver`.
    /// @return amount Stablecoin units paid.
    function claim(address receiver) external returns (uint256 amount);
}
