// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {CognitionPoolFactory} from "../../../src/amm/CognitionPoolFactory.sol";
import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {MockStablecoin} from "../../../src/mocks/MockStablecoin.sol";
import {ModelShare} from "../../../src/registry/ModelShare.sol";
import {PoolActor} from "./PoolActor.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Deploys a stablecoin, a real ModelShare (a clone initialized by this test acting as the registry), the
/// factory and a 0.3% pool at price 1, and funds actors.
abstract contract AmmBase is Test {
    uint256 internal constant SHARE_SUPPLY = 1e30;
    uint160 internal constant PRICE_ONE = 1 << 96;
    /// @dev The shares' revenue stream period (the production default; the pool tests' day-long warps assume it).
    uint256 internal constant SHARE_STREAM_PERIOD = 1 days;

    MockStablecoin internal stable;
    ModelShare internal share;
    CognitionPoolFactory internal factory;
    ICognitionPool internal pool;
    address internal token0;
    address internal token1;
    PoolActor internal lp;
    PoolActor internal trader;

    function setUp() public virtual {
        stable = new MockStablecoin();
        share = _newShare("Model One", "MONE", 1);
        factory = new CognitionPoolFactory();
        pool = ICognitionPool(factory.createPool(address(share), 3000));
        token0 = pool.token0();
        token1 = pool.token1();
        pool.initialize(PRICE_ONE);
        lp = _newActor("lp");
        trader = _newActor("trader");
    }

    function _newShare(string memory name, string memory symbol, uint256 modelId) internal returns (ModelShare s) {
        ModelShare implementation = new ModelShare(address(this), address(stable), SHARE_STREAM_PERIOD);
        s = ModelShare(Clones.clone(address(implementation)));
        s.initialize(name, symbol, modelId, address(this), SHARE_SUPPLY);
    }

    /// @dev A fresh share and its 0.3% pool at price 1, with the share as token0 or token1 as asked.
    function _poolWithShareAs(bool asToken0) internal returns (ICognitionPool p, ModelShare s) {
        for (uint256 i = 2;; ++i) {
            s = _newShare("Model", "M", i);
            if ((address(s) < address(stable)) == asToken0) break;
        }
        p = ICognitionPool(factory.createPool(address(s), 3000));
        p.initialize(PRICE_ONE);
    }

    function _newActor(string memory label) internal returns (PoolActor actor) {
        actor = _newActorOn(pool, share, label);
    }

    function _newActorOn(ICognitionPool p, ModelShare s, string memory label) internal returns (PoolActor actor) {
        actor = new PoolActor(p);
        vm.label(address(actor), label);
        stable.mint(address(actor), 1e36);
        s.transfer(address(actor), SHARE_SUPPLY / 8);
    }

    /// @dev Deposits `amount` of revenue into a share (paid by this test).
    function _depositRevenue(ModelShare s, uint256 amount) internal {
        stable.mint(address(this), amount);
        stable.approve(address(s), amount);
        s.depositRevenue(amount);
    }

    function _balance(address token, address who) internal view returns (uint256) {
        return MockStablecoin(token).balanceOf(who);
    }

    function _price() internal view returns (uint160 sqrtPriceX96, int24 tick) {
        (sqrtPriceX96, tick,,,,,) = pool.slot0();
    }

    function _minLimit() internal pure returns (uint160) {
        return TickMath.MIN_SQRT_RATIO + 1;
    }

    function _maxLimit() internal pure returns (uint160) {
        return TickMath.MAX_SQRT_RATIO - 1;
    }
}
