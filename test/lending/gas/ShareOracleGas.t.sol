// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ShareOracle} from "../../../src/lending/ShareOracle.sol";
import {GasTest} from "../../utils/GasTest.sol";
import {OracleBase} from "../oracle/OracleBase.sol";

/// @notice Full transaction gas of the oracle's reads (`forge test --isolate`, snapshots/ShareOracle.json), on a pool
/// with a full ring of observations (one swap per block over both windows `borrowPrice` reads), so `observe` does
/// its binary searches.
contract ShareOracleGasTest is OracleBase, GasTest {
    ShareOracle internal sameToken;
    ShareOracle internal withFeeds;

    function setUp() public override {
        super.setUp();
        // A tick change every block for longer than the ring: every slot written, the oldest overwritten.
        for (uint256 i; i < 2 * WINDOW / BLOCK_TIME + 10; ++i) {
            _skip(BLOCK_TIME);
            _tradeToTick(attacker, i % 2 == 0 ? startTick + 5 : startTick - 5);
        }
        sameToken = _sameTokenOracle();
        withFeeds = _feedOracle();
        _skip(BLOCK_TIME);
        _isolated();
    }

    function test_gas_price_sameToken() public {
        sameToken.price();
        _snapshotLastCallGas("ShareOracle", "price_sameToken");
    }

    function test_gas_borrowPrice_sameToken() public {
        sameToken.borrowPrice();
        _snapshotLastCallGas("ShareOracle", "borrowPrice_sameToken");
    }

    function test_gas_borrowPrice_twoFeeds() public {
        withFeeds.borrowPrice();
        _snapshotLastCallGas("ShareOracle", "borrowPrice_twoFeeds");
    }

    function test_gas_latestRoundData_twoFeeds() public {
        withFeeds.latestRoundData();
        _snapshotLastCallGas("ShareOracle", "latestRoundData_twoFeeds");
    }
}
