// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title MockStablecoin
/// @notice 6-decimal USD stablecoin for local chains only: anyone may mint. Never deployed on a real network.
contract MockStablecoin is ERC20Permit {
    constructor() ERC20("CogFi Mock USD", "mUSD") ERC20Permit("CogFi Mock USD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    /// @notice Mints `amount` to `to`. Open to anyone: local faucet.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
