// SPDX-License-Identifier: BUSL-1.1
pragma solidity 0.8.30;

import {MockAggregator} from "../src/mocks/MockAggregator.sol";
import {MockStablecoin} from "../src/mocks/MockStablecoin.sol";
import {FlashLiquidator} from "../src/periphery/FlashLiquidator.sol";
import {ModelRegistry} from "../src/registry/ModelRegistry.sol";
import {AmmDeployer} from "./deploy/AmmDeployer.sol";
import {DeploymentKeys} from "./deploy/DeploymentKeys.sol";
import {InsuranceDeployer} from "./deploy/InsuranceDeployer.sol";
import {LedgerDeployer} from "./deploy/LedgerDeployer.sol";
import {LendingDeployer} from "./deploy/LendingDeployer.sol";
import {Script} from "forge-std/Script.sol";

/// @title Deploy
/// @notice Deploys the CogFi suite and writes `<DEPLOYMENTS_DIR>/<chainId>.json`.
/// @dev Environment:
///  - DEPLOYER_PRIVATE_KEY (required): the broadcasting key.
///  - STABLECOIN, STABLECOIN_USD_FEED: the stablecoin and its Chainlink stablecoin/USD feed. Required on real
///    networks; on a local chain (31337) they default to a fresh 6-decimal mock and a mock feed at 1.00.
///  - REVENUE_STREAM_PERIOD_SECONDS (default 86400, one day): the model shares' `REVENUE_STREAM_PERIOD`, within
///    the share's bounds (1 minute .. 30 days), at least 1 hour outside a local chain. Keep the day in production: a holder for one block around a
///    deposit earns `blockSeconds / period` of it. `npm start` sets 60 for its local chain (see script/start.ts).
///  - PROTOCOL_OWNER (default: the deployer): owner of the ledger's admin functions, and owner and fee recipient of the
///    LendingMarket (which the deployer sets up first: the AdaptiveIrm and the LLTVs 38.5%, 62.5%, 77%, 86%, 91.5%).
///    The InsurancePool becomes the ledger's coverage here when the deployer is the protocol owner; otherwise the
///    owner calls `InferenceLedger.setCoverage(pool)` once.
///  The InsurancePool's loading is the one `cogfi-sim search` recommends (sdk/src/recommended-params.json, read with
///  vm.readFile; docs/risk/recommended-parameters.md justifies it), and the recommended LLTV must be an enabled one.
///  - DEPLOYMENTS_DIR (default `deployments`): where the address book is written.
/// Run: forge script script/Deploy.s.sol --rpc-url $RPC_URL --broadcast
contract Deploy is Script, LedgerDeployer, AmmDeployer, LendingDeployer, InsuranceDeployer {
    uint256 internal constant LOCAL_CHAIN_ID = 31_337;
    uint256 internal constant DEFAULT_REVENUE_STREAM_PERIOD = 1 days;
    /// @dev Shortest stream a deployment to a real network accepts: a stray short value (the local suite's 60 s) would
    /// let a holder for one block around a deposit take `blockSeconds / period` of it.
    uint256 internal constant MIN_PUBLIC_REVENUE_STREAM_PERIOD = 1 hours;

    struct Deployment {
        address stablecoin;
        address stablecoinUsdFeed;
        address modelRegistry;
        address modelShareImplementation;
        LedgerDeployment ledger;
        address cognitionPoolFactory;
        address cognitionRouter;
        address liquidityManager;
        address tickLens;
        address lendingMarket;
        address flashLiquidator;
        address adaptiveIrm;
        address insurancePool;
    }

    error MissingEnv(string name);
    /// @notice Thrown when the recommended LLTV (sdk/src/recommended-params.json) is not one the deployment enables.
    error RecommendedLltvNotEnabled(uint256 lltv);
    /// @notice Thrown outside a local chain when REVENUE_STREAM_PERIOD_SECONDS is below `minimum`.
    error RevenueStreamTooShort(uint256 period, uint256 minimum);

    function run() external returns (Deployment memory deployment) {
        uint256 deployerKey = vm.envUint("DEPLOYER_PRIVATE_KEY");
        string memory dir = vm.envOr("DEPLOYMENTS_DIR", string("deployments"));
        bool local = block.chainid == LOCAL_CHAIN_ID;

        _checkRecommendedLltv();
        vm.startBroadcast(deployerKey);
        deployment.stablecoin = vm.envOr("STABLECOIN", address(0));
        deployment.stablecoinUsdFeed = vm.envOr("STABLECOIN_USD_FEED", address(0));
        if (deployment.stablecoin == address(0)) {
            if (!local) revert MissingEnv("STABLECOIN");
            deployment.stablecoin = address(new MockStablecoin());
        }
        if (deployment.stablecoinUsdFeed == address(0)) {
            if (!local) revert MissingEnv("STABLECOIN_USD_FEED");
            // Chainlink USD feeds use 8 decimals: 1e8 is $1.00.
            deployment.stablecoinUsdFeed = address(new MockAggregator(8, "mUSD / USD", 1e8));
        }
        uint256 revenueStreamPeriod = vm.envOr("REVENUE_STREAM_PERIOD_SECONDS", DEFAULT_REVENUE_STREAM_PERIOD);
        if (!local && revenueStreamPeriod < MIN_PUBLIC_REVENUE_STREAM_PERIOD) {
            revert RevenueStreamTooShort(revenueStreamPeriod, MIN_PUBLIC_REVENUE_STREAM_PERIOD);
        }
        ModelRegistry registry = new ModelRegistry(deployment.stablecoin, revenueStreamPeriod);
        deployment.modelRegistry = address(registry);
        deployment.modelShareImplementation = registry.shareImplementation();
        // Local chains: anvil account 9 is the dev TEE platform; elsewhere only with DEV_PLATFORM_SIGNER set.
        address devPlatform = vm.envOr(
            "DEV_PLATFORM_SIGNER",
            local ? vm.addr(0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6) : address(0)
        );
        address protocolOwner = vm.envOr("PROTOCOL_OWNER", vm.addr(deployerKey));
        deployment.ledger = _deployLedger(address(registry), deployment.stablecoin, protocolOwner, devPlatform);
        if (local && protocolOwner == vm.addr(deployerKey)) _allowDevMeasurement(deployment.ledger.enclaveRegistry);
        (
            deployment.cognitionPoolFactory,
            deployment.cognitionRouter,
            deployment.liquidityManager,
            deployment.tickLens
        ) = _deployAmm();
        (deployment.lendingMarket, deployment.adaptiveIrm) = _deployLending(vm.addr(deployerKey), protocolOwner);
        deployment.flashLiquidator =
            address(new FlashLiquidator(deployment.lendingMarket, deployment.cognitionPoolFactory));
        deployment.insurancePool =
            _deployInsurance(deployment.ledger.inferenceLedger, protocolOwner == vm.addr(deployerKey));
        vm.stopBroadcast();

        _write(dir, deployment);
    }

    /// @dev The recommended LLTV must be one the LendingMarket enables, or markets could not be opened at it.
    function _checkRecommendedLltv() internal view {
        uint256 lltv = _recommendedParams().lltv;
        uint256[5] memory lltvs = _lendingLltvs();
        for (uint256 i; i < lltvs.length; ++i) {
            if (lltvs[i] == lltv) return;
        }
        revert RecommendedLltvNotEnabled(lltv);
    }

    function _write(string memory dir, Deployment memory deployment) internal {
        string memory key = "contracts";
        vm.serializeAddress(key, DeploymentKeys.STABLECOIN, deployment.stablecoin);
        vm.serializeAddress(key, DeploymentKeys.STABLECOIN_USD_FEED, deployment.stablecoinUsdFeed);
        vm.serializeAddress(key, DeploymentKeys.MODEL_SHARE_IMPLEMENTATION, deployment.modelShareImplementation);
        vm.serializeAddress(key, DeploymentKeys.INFERENCE_LEDGER, deployment.ledger.inferenceLedger);
        vm.serializeAddress(key, DeploymentKeys.INFERENCE_LEDGER_LENS, deployment.ledger.inferenceLedgerLens);
        vm.serializeAddress(key, DeploymentKeys.COGNITION_POOL_FACTORY, deployment.cognitionPoolFactory);
        vm.serializeAddress(key, DeploymentKeys.COGNITION_ROUTER, deployment.cognitionRouter);
        vm.serializeAddress(key, DeploymentKeys.LIQUIDITY_MANAGER, deployment.liquidityManager);
        vm.serializeAddress(key, DeploymentKeys.TICK_LENS, deployment.tickLens);
        vm.serializeAddress(key, DeploymentKeys.LENDING_MARKET, deployment.lendingMarket);
        vm.serializeAddress(key, DeploymentKeys.ADAPTIVE_IRM, deployment.adaptiveIrm);
        vm.serializeAddress(key, DeploymentKeys.FLASH_LIQUIDATOR, deployment.flashLiquidator);
        vm.serializeAddress(key, DeploymentKeys.INSURANCE_POOL, deployment.insurancePool);
        vm.serializeAddress(key, DeploymentKeys.ENCLAVE_REGISTRY, deployment.ledger.enclaveRegistry);
        vm.serializeAddress(key, DeploymentKeys.COMPUTE_COST_FEED, deployment.ledger.computeCostFeed);
        if (deployment.ledger.devAttestationVerifier != address(0)) {
            vm.serializeAddress(key, DeploymentKeys.DEV_ATTESTATION_VERIFIER, deployment.ledger.devAttestationVerifier);
        }
        string memory contracts = vm.serializeAddress(key, DeploymentKeys.MODEL_REGISTRY, deployment.modelRegistry);

        string memory root = "deployment";
        vm.serializeUint(root, "chainId", block.chainid);
        vm.serializeUint(root, "deployedAtBlock", block.number);
        vm.serializeBool(root, "local", block.chainid == LOCAL_CHAIN_ID);
        string memory json = vm.serializeString(root, "contracts", contracts);
        vm.createDir(dir, true);
        vm.writeJson(json, string.concat(dir, "/", vm.toString(block.chainid), ".json"));
    }
}
