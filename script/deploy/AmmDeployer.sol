// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {CognitionPoolFactory} from "../../src/amm/CognitionPoolFactory.sol";
import {CognitionRouter} from "../../src/periphery/CognitionRouter.sol";
import {LiquidityManager} from "../../src/periphery/LiquidityManager.sol";
import {TickLens} from "../../src/periphery/TickLens.sol";

/// @title AmmDeployer
/// @notice Deploys the CognitionPool factory and its periphery. Call inside the caller's broadcast.
abstract contract AmmDeployer {
    /// @return factory The CognitionPoolFactory.
    /// @return router The CognitionRouter.
    /// @return liquidityManager The LiquidityManager.
    /// @return tickLens The TickLens.
    function _deployAmm()
        internal
        returns (address factory, address router, address liquidityManager, address tickLens)
    {
        factory = address(new CognitionPoolFactory());
        router = address(new CognitionRouter(factory));
        liquidityManager = address(new LiquidityManager(factory));
        tickLens = address(new TickLens());
    }
}
