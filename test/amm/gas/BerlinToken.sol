// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A plain ERC20 compiled for the Berlin EVM (see `compilation_restrictions` in foundry.toml), so Uniswap v3
/// can be measured under Berlin's gas rules, the rules its published gas figures were taken under.
contract BerlinToken is ERC20 {
    constructor(string memory symbol) ERC20(symbol, symbol) {
        _mint(msg.sender, 1e36);
    }
}
