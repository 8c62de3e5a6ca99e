// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {ICognitionMintCallback, ICognitionSwapCallback} from "../../../src/amm/interfaces/ICognitionCallbacks.sol";
import {ICognitionPool} from "../../../src/amm/interfaces/ICognitionPool.sol";
import {TickMath} from "../../../src/amm/libraries/TickMath.sol";
import {CognitionRouter} from "../../../src/periphery/CognitionRouter.sol";
import {ICognitionRouter} from "../../../src/periphery/interfaces/ICognitionRouter.sol";
import {GasTest} from "../../utils/GasTest.sol";
import {AmmBase} from "../utils/AmmBase.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

interface IUniswapV3FactoryLike {
    function createPool(address tokenA, address tokenB, uint24 fee) external returns (address pool);
}

/// @notice Transaction gas of the pool's hot paths, recorded with `forge test --isolate` into
/// snapshots/CognitionPool.json.
/// Scenario: a live pool at price 1 with three ranges; a swap per block has filled the oracle and accrued fees;
/// the measured position (-300, 300) is past its first fee update (its checkpoint and owed slots are non-zero);
/// every measured call is the first pool interaction of a new block (12 s later), so per-block work (oracle
/// write, revenue claim where the call makes one: not `burn`, see `ICognitionPool`) is included, except where the anchor's own definition differs (`mint_existingRange`:
/// same block as a previous mint, like v3's "add to position existing"; `collect`: one token's fees, like v3's
/// "collect close to worst case"). `PoolGasTest` has no revenue streaming; `PoolGasRevenueTest` repeats the
/// revenue-sensitive paths while a deposit streams in; `UniswapV3GasTest` runs the very same scenario and tokens
/// on the published Uniswap v3 bytecode, for a like-for-like anchor (`uniswapV3_*` keys). Each concrete suite
/// declares the keys it records as `test_gas_*` functions calling the `_measure_*` steps below, so no key is
/// skipped, and every key fails outside `--isolate` (see `GasTest`).
abstract contract GasScenario is AmmBase, GasTest, ICognitionMintCallback, ICognitionSwapCallback {
    ICognitionRouter internal swapRouter;

    function setUp() public virtual override {
        super.setUp();
        (pool, swapRouter) = _deploy();
        token0 = pool.token0();
        token1 = pool.token1();
        stable.mint(address(this), 1e36);
        IERC20(address(stable)).approve(address(swapRouter), type(uint256).max);
        IERC20(address(share)).approve(address(swapRouter), type(uint256).max);
        pool.increaseObservationCardinalityNext(8);
        pool.mint(address(this), -600, 600, 1e24, "");
        pool.mint(address(this), 600, 1200, 1e24, "");
        pool.mint(address(this), -1200, -600, 1e24, "");
        for (uint256 i; i < 8; ++i) {
            vm.warp(block.timestamp + 12);
            pool.swap(address(this), i % 2 == 0, 1e18, i % 2 == 0 ? _minLimit() : _maxLimit(), "");
            if (i == 4) pool.mint(address(this), -300, 300, 1e22, "");
            if (i == 6) pool.burn(-300, 300, 0);
        }
        _beforeMeasure();
        vm.warp(block.timestamp + 12);
        // Detected here, while the EVM still runs Cancun code (the Berlin suite switches rules per measured call).
        _isolated();
    }

    /// @dev The pool (already initialized at price 1) and router to measure.
    function _deploy() internal virtual returns (ICognitionPool, ICognitionRouter);

    function _beforeMeasure() internal virtual {}

    /// @dev Runs right before each measured call.
    function _beforeMeasuredCall() internal virtual {}

    function _key(string memory name) internal view virtual returns (string memory) {
        return name;
    }

    function _pay(uint256 amount0, uint256 amount1) private {
        if (amount0 > 0) IERC20(token0).transfer(msg.sender, amount0);
        if (amount1 > 0) IERC20(token1).transfer(msg.sender, amount1);
    }

    function cognitionMintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        _pay(amount0Owed, amount1Owed);
    }

    function cognitionSwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        _pay(amount0Delta > 0 ? uint256(amount0Delta) : 0, amount1Delta > 0 ? uint256(amount1Delta) : 0);
    }

    function uniswapV3MintCallback(uint256 amount0Owed, uint256 amount1Owed, bytes calldata) external {
        _pay(amount0Owed, amount1Owed);
    }

    function uniswapV3SwapCallback(int256 amount0Delta, int256 amount1Delta, bytes calldata) external {
        _pay(amount0Delta > 0 ? uint256(amount0Delta) : 0, amount1Delta > 0 ? uint256(amount1Delta) : 0);
    }

    function _measure_swap_withinTick() internal {
        _beforeMeasuredCall();
        pool.swap(address(this), true, 1e15, _minLimit(), "");
        _snapshotLastCallGas("CognitionPool", _key("swap_withinTick"));
    }

    function _measure_swap_crossOneTick() internal {
        _beforeMeasuredCall();
        pool.swap(address(this), true, 1e30, TickMath.getSqrtRatioAtTick(-400), "");
        _snapshotLastCallGas("CognitionPool", _key("swap_crossOneTick"));
    }

    function _measure_swap_router_exactInputSingle() internal {
        _beforeMeasuredCall();
        swapRouter.exactInputSingle(
            ICognitionRouter.ExactInputSingleParams({
                tokenIn: token0,
                tokenOut: token1,
                fee: 3000,
                recipient: address(this),
                deadline: block.timestamp,
                amountIn: 1e15,
                amountOutMinimum: 0,
                sqrtPriceLimitX96: 0
            })
        );
        _snapshotLastCallGas("CognitionPool", _key("swap_router_exactInputSingle"));
    }

    /// @dev Uniswap v3's anchor ("#mint add to position existing"): a second mint to the position at the same
    /// time as the one before it, so without the per-block work. The first-in-a-new-block variant (v3's "add to
    /// position after some time passes") is `mint_existingRange_newBlock`.
    function _measure_mint_existingRange() internal {
        pool.mint(address(this), -300, 300, 1e20, "");
        _beforeMeasuredCall();
        pool.mint(address(this), -300, 300, 1e20, "");
        _snapshotLastCallGas("CognitionPool", _key("mint_existingRange"));
    }

    function _measure_mint_existingRange_newBlock() internal {
        _beforeMeasuredCall();
        pool.mint(address(this), -300, 300, 1e20, "");
        _snapshotLastCallGas("CognitionPool", _key("mint_existingRange_newBlock"));
    }

    function _measure_mint_newRange() internal {
        _beforeMeasuredCall();
        pool.mint(address(this), -240, 360, 1e20, "");
        _snapshotLastCallGas("CognitionPool", _key("mint_newRange"));
    }

    function _measure_burn() internal {
        _beforeMeasuredCall();
        pool.burn(-300, 300, 1e20);
        _snapshotLastCallGas("CognitionPool", _key("burn"));
    }

    /// @dev Uniswap v3's anchor ("#collect close to worst case"): the fees of one swap of token0 for token1, so
    /// owed in token0 only, poked into the position earlier and collected to a recipient holding that token.
    function _measure_collect() internal {
        pool.burn(-300, 300, 0);
        pool.collect(address(this), -300, 300, type(uint128).max, type(uint128).max);
        pool.swap(address(this), true, 1e18, _minLimit(), "");
        pool.burn(-300, 300, 0);
        vm.warp(block.timestamp + 12);
        _beforeMeasuredCall();
        pool.collect(address(this), -300, 300, type(uint128).max, type(uint128).max);
        _snapshotLastCallGas("CognitionPool", _key("collect"));
    }
}

/// @notice The CognitionPool under measurement (the pool AmmBase deploys, initialized at price 1).
abstract contract CognitionPoolScenario is GasScenario {
    function _deploy() internal virtual override returns (ICognitionPool, ICognitionRouter) {
        return (pool, new CognitionRouter(address(factory)));
    }
}

contract PoolGasTest is CognitionPoolScenario {
    function test_gas_swap_withinTick() public {
        _measure_swap_withinTick();
    }

    function test_gas_swap_crossOneTick() public {
        _measure_swap_crossOneTick();
    }

    function test_gas_swap_router_exactInputSingle() public {
        _measure_swap_router_exactInputSingle();
    }

    function test_gas_mint_existingRange() public {
        _measure_mint_existingRange();
    }

    function test_gas_mint_existingRange_newBlock() public {
        _measure_mint_existingRange_newBlock();
    }

    function test_gas_mint_newRange() public {
        _measure_mint_newRange();
    }

    function test_gas_burn() public {
        _measure_burn();
    }

    function test_gas_collect() public {
        _measure_collect();
    }
}

/// @notice The revenue-sensitive paths (those that claim from the share) while a deposit streams in. The router
/// swap, the same-block mint, the new range and `collect` do no more revenue work than the keys above measure.
contract PoolGasRevenueTest is CognitionPoolScenario {
    function _beforeMeasure() internal override {
        _depositRevenue(share, 1e12);
        vm.warp(block.timestamp + 1 hours);
        // Holders that accrued before (non-zero accrual slots), like long-lived ones.
        pool.collectRevenue();
        share.transfer(address(this), 0);
    }

    function _key(string memory name) internal pure override returns (string memory) {
        return string.concat(name, "_revenueStreaming");
    }

    function test_gas_swap_withinTick() public {
        _measure_swap_withinTick();
    }

    function test_gas_swap_crossOneTick() public {
        _measure_swap_crossOneTick();
    }

    function test_gas_mint_existingRange_newBlock() public {
        _measure_mint_existingRange_newBlock();
    }

    function test_gas_burn() public {
        _measure_burn();
    }
}

/// @notice The published Uniswap v3 bytecode on the same scenario.
abstract contract UniswapV3Scenario is GasScenario {
    string internal constant V3_FACTORY_ARTIFACT =
        "node_modules/@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
    string internal constant V3_ROUTER_ARTIFACT =
        "node_modules/@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json";

    function _deployV3(address tokenA, address tokenB) internal returns (ICognitionPool p, ICognitionRouter r) {
        // The published Uniswap v3 creation code, read from the npm artifacts at test time (never committed here).
        bytes memory code = vm.parseJsonBytes(vm.readFile(V3_FACTORY_ARTIFACT), ".bytecode");
        address v3Factory;
        assembly {
            v3Factory := create(0, add(code, 0x20), mload(code))
        }
        p = ICognitionPool(IUniswapV3FactoryLike(v3Factory).createPool(tokenA, tokenB, 3000));
        p.initialize(PRICE_ONE);
        code = abi.encodePacked(
            vm.parseJsonBytes(vm.readFile(V3_ROUTER_ARTIFACT), ".bytecode"), abi.encode(v3Factory, address(0xE7))
        );
        assembly {
            r := create(0, add(code, 0x20), mload(code))
        }
        require(address(r) != address(0) && v3Factory != address(0), "deploy");
    }

    function _key(string memory name) internal pure virtual override returns (string memory) {
        return string.concat("uniswapV3_", name);
    }
}

contract UniswapV3GasTest is UniswapV3Scenario {
    function _deploy() internal override returns (ICognitionPool p, ICognitionRouter r) {
        return _deployV3(address(share), address(stable));
    }

    function test_gas_swap_withinTick() public {
        _measure_swap_withinTick();
    }

    function test_gas_swap_crossOneTick() public {
        _measure_swap_crossOneTick();
    }

    function test_gas_swap_router_exactInputSingle() public {
        _measure_swap_router_exactInputSingle();
    }

    function test_gas_mint_existingRange() public {
        _measure_mint_existingRange();
    }

    function test_gas_mint_existingRange_newBlock() public {
        _measure_mint_existingRange_newBlock();
    }

    function test_gas_mint_newRange() public {
        _measure_mint_newRange();
    }

    function test_gas_burn() public {
        _measure_burn();
    }

    function test_gas_collect() public {
        _measure_collect();
    }
}

interface IVmEvmVersion {
    function setEvmVersion(string calldata evm) external;
}

/// @notice The same Uniswap v3 scenario, with each measured call run under Berlin's gas rules (EIP-2929 access
/// costs, pre-EIP-3529 refunds: 15,000 per cleared slot, capped at half the gas used), the rules of the hardhat
/// network on which Uniswap's published v3 gas figures (the issue's anchors) were recorded. Berlin predates PUSH0,
/// so the pool trades two tokens built for Berlin instead of the model share and the stablecoin.
contract UniswapV3BerlinRulesGasTest is UniswapV3Scenario {
    function _deploy() internal override returns (ICognitionPool p, ICognitionRouter r) {
        string memory artifact = "BerlinToken.sol:BerlinToken";
        address tokenA = deployCode(artifact, abi.encode("A"));
        address tokenB = deployCode(artifact, abi.encode("B"));
        (p, r) = _deployV3(tokenA, tokenB);
        IERC20(tokenA).approve(address(r), type(uint256).max);
        IERC20(tokenB).approve(address(r), type(uint256).max);
    }

    function _beforeMeasuredCall() internal override {
        IVmEvmVersion(address(vm)).setEvmVersion("berlin");
    }

    function _key(string memory name) internal pure override returns (string memory) {
        return string.concat("uniswapV3_berlinRules_", name);
    }

    // Only the keys whose calls never run this test contract's code: the swap and mint callbacks land here, and
    // this contract is built for Cancun (PUSH0), which Berlin cannot run.
    function test_gas_swap_router_exactInputSingle() public {
        _measure_swap_router_exactInputSingle();
    }

    function test_gas_burn() public {
        _measure_burn();
    }

    function test_gas_collect() public {
        _measure_collect();
    }
}
