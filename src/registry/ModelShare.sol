// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {IModelShare} from "./interfaces/IModelShare.sol";
import {RevenueStream, RevenueStreamLib} from "./libraries/RevenueStreamLib.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice A holder's balance and the stream's `released` value it was last credited at, in one slot.
struct Holder {
    uint128 balance;
    uint96 checkpoint;
}

/// @title ModelShare
/// @notice ERC-20 + permit share of a model's inference revenue; deployed by the registry as minimal clones.
/// @dev The accumulator is `stream.released`, the revenue released to all holders so far. Because the supply is
/// fixed, a holder's credit since its checkpoint is `balance * (released - checkpoint) / totalSupply`: every
/// credit rounds down, so the sum of credits never exceeds what was released.
contract ModelShare is IModelShare {
    using SafeERC20 for IERC20;
    using RevenueStreamLib for RevenueStream;

    /* CONSTANTS */

    /// @inheritdoc IModelShare
    uint256 public constant MIN_REVENUE_STREAM_PERIOD = 1 minutes;
    /// @inheritdoc IModelShare
    uint256 public constant MAX_REVENUE_STREAM_PERIOD = 30 days;
    uint8 public constant decimals = 18;
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /* IMMUTABLES (shared by every clone: they live in the implementation's code) */

    /// @inheritdoc IModelShare
    address public immutable registry;
    /// @inheritdoc IModelShare
    address public immutable stablecoin;
    /// @inheritdoc IModelShare
    uint256 public immutable REVENUE_STREAM_PERIOD;

    /* STORAGE */

    string public name;
    string public symbol;
    /// @inheritdoc IModelShare
    uint256 public modelId;
    uint256 public totalSupply;
    RevenueStream internal _stream;
    mapping(address => Holder) internal _holders;
    mapping(address => uint256) internal _accrued;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => uint256) public nonces;

    /* CONSTRUCTOR */

    /// @param registry_ The registry that clones and initializes this implementation.
    /// @param stablecoin_ The stablecoin revenue is paid in.
    /// @param revenueStreamPeriodSeconds `REVENUE_STREAM_PERIOD`, within [`MIN_REVENUE_STREAM_PERIOD`,
    /// `MAX_REVENUE_STREAM_PERIOD`].
    constructor(address registry_, address stablecoin_, uint256 revenueStreamPeriodSeconds) {
        if (
            revenueStreamPeriodSeconds < MIN_REVENUE_STREAM_PERIOD
                || revenueStreamPeriodSeconds > MAX_REVENUE_STREAM_PERIOD
        ) revert InvalidRevenueStreamPeriod(revenueStreamPeriodSeconds);
        registry = registry_;
        stablecoin = stablecoin_;
        REVENUE_STREAM_PERIOD = revenueStreamPeriodSeconds;
        // The implementation itself is never initialized: a non-zero supply marks it unusable.
        totalSupply = type(uint256).max;
    }

    /* INITIALIZER */

    /// @inheritdoc IModelShare
    function initialize(
        string calldata name_,
        string calldata symbol_,
        uint256 modelId_,
        address holder,
        uint256 supply
    ) external {
        if (msg.sender != registry) revert OnlyRegistry();
        if (totalSupply != 0) revert AlreadyInitialized();
        if (supply == 0 || supply > type(uint128).max) revert InvalidSupply();
        if (holder == address(0)) revert InvalidReceiver(holder);
        name = name_;
        symbol = symbol_;
        modelId = modelId_;
        totalSupply = supply;
        _holders[holder].balance = uint128(supply);
        emit Transfer(address(0), holder, supply);
    }

    /* ERC-20 */

    function balanceOf(address holder) external view returns (uint256) {
        return _holders[holder].balance;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < amount) revert InsufficientAllowance(msg.sender, allowed, amount);
            unchecked {
                allowance[from][msg.sender] = allowed - amount;
            }
        }
        _transfer(from, to, amount);
        return true;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    /* EIP-2612 */

    function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        if (block.timestamp > deadline) revert PermitExpired(deadline);
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonces[owner]++, deadline));
        (address signer,,) =
            ECDSA.tryRecover(keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR(), structHash)), v, r, s);
        // A malformed signature recovers to the zero address, which is never a valid owner.
        if (signer != owner || signer == address(0)) revert InvalidPermitSigner(signer, owner);
        allowance[owner][spender] = value;
        emit Approval(owner, spender, value);
    }

    // forge-lint: disable-next-line(mixed-case-function)
    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return
            keccak256(abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256("1"), block.chainid, address(this)));
    }

    /* REVENUE VIEWS */

    /// @inheritdoc IModelShare
    function releasedRevenue() external view returns (uint256) {
        return _stream.releasedAt(block.timestamp).released;
    }

    /// @inheritdoc IModelShare
    function streamingRevenue() external view returns (uint256) {
        return _stream.releasedAt(block.timestamp).pending;
    }

    /// @inheritdoc IModelShare
    function depositedRevenue() external view returns (uint256) {
        RevenueStream memory stream = _stream;
        return uint256(stream.released) + stream.pending;
    }

    /// @inheritdoc IModelShare
    function streamEnd() external view returns (uint256) {
        return _stream.end;
    }

    /// @inheritdoc IModelShare
    function claimable(address holder) external view returns (uint256) {
        uint256 released = _stream.releasedAt(block.timestamp).released;
        Holder memory h = _holders[holder];
        return _accrued[holder] + RevenueStreamLib.creditDown(h.balance, released, h.checkpoint, totalSupply);
    }

    /* REVENUE ACTIONS */

    /// @inheritdoc IModelShare
    function depositRevenue(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        RevenueStream memory stream = _stream.releasedAt(block.timestamp);
        if (uint256(stream.released) + stream.pending + amount > type(uint96).max) revert RevenueOverflow();
        // The new deposit and whatever was still streaming are released together over a full period.
        stream.pending += uint96(amount);
        stream.lastUpdate = uint32(block.timestamp);
        stream.end = uint32(block.timestamp + REVENUE_STREAM_PERIOD);
        _stream = stream;
        emit RevenueDeposited(msg.sender, amount, stream.end);
        IERC20(stablecoin).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IModelShare
    function claim(address receiver) external returns (uint256 amount) {
        uint256 released = _syncStream();
        Holder memory h = _holders[msg.sender];
        uint256 stored = _accrued[msg.sender];
        amount = stored + RevenueStreamLib.creditDown(h.balance, released, h.checkpoint, totalSupply);
        if (h.checkpoint != released) {
            h.checkpoint = uint96(released);
            _holders[msg.sender] = h;
        }
        if (amount == 0) return 0;
        if (stored != 0) _accrued[msg.sender] = 0;
        emit RevenueClaimed(msg.sender, receiver, amount);
        IERC20(stablecoin).safeTransfer(receiver, amount);
    }

    /* INTERNAL */

    function _transfer(address from, address to, uint256 amount) internal {
        if (from == address(0)) revert InvalidSender(from);
        if (to == address(0) || to == address(this)) revert InvalidReceiver(to);
        uint256 released = _syncStream();
        uint256 supply = totalSupply;

        Holder memory sender = _holders[from];
        if (sender.balance < amount) revert InsufficientBalance(from, sender.balance, amount);
        _accrue(from, sender, released, supply);

        if (from == to) {
            _holders[from] = sender;
        } else {
            Holder memory receiver = _holders[to];
            _accrue(to, receiver, released, supply);
            unchecked {
                // sender.balance >= amount, and the receiver's balance is bounded by the supply (< 2^128).
                sender.balance -= uint128(amount);
                receiver.balance += uint128(amount);
            }
            _holders[from] = sender;
            _holders[to] = receiver;
        }
        emit Transfer(from, to, amount);
    }

    /// @dev Brings the stream up to now in storage and returns the accumulator.
    function _syncStream() internal returns (uint256 released) {
        RevenueStream memory stream = _stream;
        if (stream.pending != 0 && block.timestamp > stream.lastUpdate) {
            stream = stream.releasedAt(block.timestamp);
            _stream = stream;
        }
        return stream.released;
    }

    /// @dev Credits `holder` up to `released` and moves its checkpoint (in memory; the caller stores it).
    function _accrue(address holder, Holder memory h, uint256 released, uint256 supply) internal {
        if (h.checkpoint == released) return;
        uint256 credit = RevenueStreamLib.creditDown(h.balance, released, h.checkpoint, supply);
        if (credit != 0) _accrued[holder] += credit;
        h.checkpoint = uint96(released);
    }
}
