// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";

/// @notice OpenZeppelin's ERC4626 as it ships, with the same decimals offset as the InsurancePool: the gas anchor of
/// `ozERC4626_deposit`.
contract OzERC4626Vault is ERC4626 {
    constructor(IERC20 asset_) ERC20("OZ vault", "ozV") ERC4626(asset_) {}

    function _decimalsOffset() internal pure override returns (uint8) {
        return 6;
    }
}
