// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IModelShare} from "../../../src/interfaces/IModelShare.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title ShareVault
/// @notice Minimal holder contract (the shape of an AMM pool or a lending market): custodies ModelShares for its
/// users, claims the share's revenue for itself and passes it on pro rata to the shares each user deposited.
/// @dev Every external function harvests first, so each harvested amount is split over the deposits that were in
/// place while it accrued (deposits only change after a harvest). Accumulator: `revenuePerShareScaled` grows by
/// `harvested * SCALE / totalShares`, the division remainder carried to the next harvest; a user's credit is
/// `sharesOf * (revenuePerShareScaled - checkpoint) / SCALE`, rounded down. Documented rounding: at most one
/// stablecoin unit per user credit (`creditCount`) stays in the vault, plus less than one unit of carried
/// remainder. Revenue harvested while no user is deposited is carried to the next depositors, never stranded.
contract ShareVault {
    uint256 internal constant SCALE = 1e36;

    IModelShare public immutable share;
    IERC20 public immutable stablecoin;

    uint256 public totalShares;
    uint256 public revenuePerShareScaled;
    /// @dev `harvested * SCALE` not yet turned into `revenuePerShareScaled` (division remainder, or no depositors).
    uint256 public carriedScaled;
    uint256 public totalHarvested;
    uint256 public totalPaid;
    /// @dev Number of user credits that could round down: the bound on the vault's dust.
    uint256 public creditCount;

    mapping(address user => uint256) public sharesOf;
    mapping(address user => uint256) public checkpointOf;
    mapping(address user => uint256) public owedOf;

    constructor(IModelShare share_) {
        share = share_;
        stablecoin = IERC20(share_.stablecoin());
    }

    /// @notice Pulls `amount` shares from the caller (needs an allowance) and books them to the caller.
    function deposit(uint256 amount) external {
        _harvest();
        _update(msg.sender);
        sharesOf[msg.sender] += amount;
        totalShares += amount;
        share.transferFrom(msg.sender, address(this), amount);
    }

    /// @notice Sends `amount` of the caller's shares back to the caller.
    function withdraw(uint256 amount) external {
        _harvest();
        _update(msg.sender);
        sharesOf[msg.sender] -= amount;
        totalShares -= amount;
        share.transfer(msg.sender, amount);
    }

    /// @notice Claims the vault's revenue from the share and books it to the users.
    function harvest() external returns (uint256 harvested) {
        return _harvest();
    }

    /// @notice Pays the caller's revenue to `receiver`.
    function withdrawRevenue(address receiver) external returns (uint256 amount) {
        _harvest();
        _update(msg.sender);
        amount = owedOf[msg.sender];
        owedOf[msg.sender] = 0;
        totalPaid += amount;
        stablecoin.transfer(receiver, amount);
    }

    /// @notice Revenue booked to `user` so far (harvested revenue only), rounded down.
    function revenueOf(address user) external view returns (uint256) {
        return owedOf[user] + Math.mulDiv(sharesOf[user], revenuePerShareScaled - checkpointOf[user], SCALE);
    }

    function _harvest() internal returns (uint256 harvested) {
        harvested = share.claim(address(this));
        totalHarvested += harvested;
        uint256 toSplit = carriedScaled + harvested * SCALE;
        uint256 shares = totalShares;
        if (shares == 0) {
            carriedScaled = toSplit;
            return harvested;
        }
        uint256 perShare = toSplit / shares;
        revenuePerShareScaled += perShare;
        carriedScaled = toSplit - perShare * shares;
    }

    function _update(address user) internal {
        uint256 accumulator = revenuePerShareScaled;
        uint256 delta = accumulator - checkpointOf[user];
        if (delta == 0) return;
        uint256 shares = sharesOf[user];
        if (shares != 0) {
            owedOf[user] += Math.mulDiv(shares, delta, SCALE);
            ++creditCount;
        }
        checkpointOf[user] = accumulator;
    }
}
