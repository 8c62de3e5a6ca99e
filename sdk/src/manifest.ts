/**
 * The one list of the suite's contracts. The ABI generator (`sdk/scripts/generateAbis.ts`), the deployment schema
 * (`parseDeployment`, the type of `deployments/<chainId>.json`'s `contracts`) and the address helpers
 * (`ledgerAddresses`, `ammAddresses`, `lendingAddresses`) and the deploy script's keys (`script/deploy/DeploymentKeys.sol`, generated with
 * the ABIs) all derive from it; `sdk/test/manifest.test.ts` checks that `script/Deploy.s.sol` writes every key once,
 * through those constants. A contract name written as a string anywhere else is a bug.
 */
import type { Address } from "viem";

/** The part of the protocol a contract belongs to. */
export type ContractDomain = "registry" | "inference" | "amm" | "lending" | "insurance" | "periphery" | "mock";

/**
 * Which address helper returns a deployment entry: `core` (on `deployment.contracts`), `ledgerAddresses`,
 * `ammAddresses`, `lendingAddresses`, and `insurance` (the compute-insurance pool).
 */
export type DeploymentGroup = "core" | "ledger" | "amm" | "lending" | "insurance";

/** Where a contract appears in `deployments/<chainId>.json`. */
export type DeploymentEntry = {
  /** Its key under `contracts`, as `script/Deploy.s.sol` writes it. */
  key: string;
  group: DeploymentGroup;
  /** Its property in the group's address helper (`ledgerAddresses(client).inferenceLedger`). */
  field: string;
  /**
   * `always`: every deployment file has it (`parseDeployment` rejects one without it). `group`: checked when its
   * group's helper is used (an address book of a partial deployment still loads). `optional`: may be absent even
   * then (the helper's property is optional).
   */
  need: "always" | "group" | "optional";
};

export type ContractManifestEntry = {
  /** The contract's Solidity name (its forge artifact `out/<file>/<name>.json`). */
  name: string;
  /** Source file, from the repository root. */
  source: string;
  domain: ContractDomain;
  /** Whether the SDK ships its ABI (`<lowerFirst(name)>Abi` in `generated/abis.ts`). */
  abi: boolean;
  /**
   * Whether the SDK ships its creation bytecode (`<lowerFirst(name)>Bytecode` in `generated/bytecode.ts`), for
   * contracts its actions deploy (one per market, not by the deploy script).
   */
  bytecode?: boolean;
  /** Set when the deploy script records an address for it. */
  deployment?: DeploymentEntry;
  /**
   * Deployed by the deploy script on local chains (31337) only. On other chains a required entry holds an
   * external contract with the same interface (the stablecoin and its USD feed), an optional one may be absent.
   */
  localOnly: boolean;
};

/** Every contract of the suite the SDK knows, in the order of `generated/abis.ts`. */
export const CONTRACTS = [
  {
    name: "ModelRegistry",
    source: "src/registry/ModelRegistry.sol",
    domain: "registry",
    abi: true,
    deployment: { key: "ModelRegistry", group: "core", field: "modelRegistry", need: "always" },
    localOnly: false,
  },
  {
    name: "ModelShare",
    source: "src/registry/ModelShare.sol",
    domain: "registry",
    abi: true,
    // The implementation every model's share is a clone of.
    deployment: { key: "ModelShareImplementation", group: "core", field: "modelShareImplementation", need: "always" },
    localOnly: false,
  },
  {
    name: "MockStablecoin",
    source: "src/mocks/MockStablecoin.sol",
    domain: "mock",
    abi: true,
    deployment: { key: "Stablecoin", group: "core", field: "stablecoin", need: "always" },
    localOnly: true,
  },
  {
    name: "MockAggregator",
    source: "src/mocks/MockAggregator.sol",
    domain: "mock",
    abi: true,
    deployment: { key: "StablecoinUsdFeed", group: "core", field: "stablecoinUsdFeed", need: "always" },
    localOnly: true,
  },
  {
    name: "InferenceLedger",
    source: "src/inference/InferenceLedger.sol",
    domain: "inference",
    abi: true,
    deployment: { key: "InferenceLedger", group: "ledger", field: "inferenceLedger", need: "group" },
    localOnly: false,
  },
  {
    name: "InferenceLedgerLens",
    source: "src/periphery/InferenceLedgerLens.sol",
    domain: "periphery",
    abi: true,
    deployment: { key: "InferenceLedgerLens", group: "ledger", field: "inferenceLedgerLens", need: "group" },
    localOnly: false,
  },
  {
    name: "EnclaveRegistry",
    source: "src/inference/EnclaveRegistry.sol",
    domain: "inference",
    abi: true,
    deployment: { key: "EnclaveRegistry", group: "ledger", field: "enclaveRegistry", need: "group" },
    localOnly: false,
  },
  {
    name: "DevAttestationVerifier",
    source: "src/inference/DevAttestationVerifier.sol",
    domain: "inference",
    abi: true,
    // Deployed on local chains, elsewhere only with DEV_PLATFORM_SIGNER set.
    deployment: { key: "DevAttestationVerifier", group: "ledger", field: "devAttestationVerifier", need: "optional" },
    localOnly: false,
  },
  {
    name: "ComputeCostFeed",
    source: "src/inference/ComputeCostFeed.sol",
    domain: "inference",
    abi: true,
    deployment: { key: "ComputeCostFeed", group: "ledger", field: "computeCostFeed", need: "group" },
    localOnly: false,
  },
  {
    name: "ComputeCostAggregator",
    source: "src/inference/ComputeCostFeed.sol",
    domain: "inference",
    abi: true,
    localOnly: false,
  },
  {
    name: "CognitionPoolFactory",
    source: "src/amm/CognitionPoolFactory.sol",
    domain: "amm",
    abi: true,
    deployment: { key: "CognitionPoolFactory", group: "amm", field: "factory", need: "group" },
    localOnly: false,
  },
  {
    name: "CognitionPool",
    source: "src/amm/CognitionPool.sol",
    domain: "amm",
    abi: true,
    localOnly: false,
  },
  {
    name: "CognitionRouter",
    source: "src/periphery/CognitionRouter.sol",
    domain: "periphery",
    abi: true,
    deployment: { key: "CognitionRouter", group: "amm", field: "router", need: "group" },
    localOnly: false,
  },
  {
    name: "LiquidityManager",
    source: "src/periphery/LiquidityManager.sol",
    domain: "periphery",
    abi: true,
    deployment: { key: "LiquidityManager", group: "amm", field: "liquidityManager", need: "group" },
    localOnly: false,
  },
  {
    name: "TickLens",
    source: "src/periphery/TickLens.sol",
    domain: "periphery",
    abi: true,
    deployment: { key: "TickLens", group: "amm", field: "tickLens", need: "group" },
    localOnly: false,
  },
  {
    name: "LendingMarket",
    source: "src/lending/LendingMarket.sol",
    domain: "lending",
    abi: true,
    // The singleton of isolated markets; owned by the protocol owner, with the AdaptiveIrm and `LENDING_LLTVS` enabled.
    deployment: { key: "LendingMarket", group: "lending", field: "lendingMarket", need: "group" },
    localOnly: false,
  },
  {
    name: "AdaptiveIrm",
    source: "src/lending/AdaptiveIrm.sol",
    domain: "lending",
    abi: true,
    deployment: { key: "AdaptiveIrm", group: "lending", field: "adaptiveIrm", need: "group" },
    localOnly: false,
  },
  {
    name: "FlashLiquidator",
    source: "src/periphery/FlashLiquidator.sol",
    domain: "periphery",
    abi: true,
    // Capital-free liquidations for keepers: the seized shares are sold in the share's CognitionPool inside the liquidation.
    deployment: { key: "FlashLiquidator", group: "lending", field: "flashLiquidator", need: "group" },
    localOnly: false,
  },
  {
    name: "InsurancePool",
    source: "src/insurance/InsurancePool.sol",
    domain: "insurance",
    abi: true,
    // The compute-insurance vault and the ledger's coverage (set once by `setCoverage`, docs/insurance.md).
    deployment: { key: "InsurancePool", group: "insurance", field: "insurancePool", need: "group" },
    localOnly: false,
  },
  {
    name: "ShareOracle",
    source: "src/lending/ShareOracle.sol",
    domain: "lending",
    abi: true,
    // One per market (a model's pool and a loan token): `createShareOracle` deploys it.
    bytecode: true,
    localOnly: false,
  },
  {
    name: "MockLendingOracle",
    source: "src/mocks/MockLendingOracle.sol",
    domain: "mock",
    abi: true,
    // A settable IOracle for local markets and tests, deployed per market (`deployMockLendingOracle`).
    bytecode: true,
    localOnly: true,
  },
] as const satisfies readonly ContractManifestEntry[];

type Manifest = (typeof CONTRACTS)[number];
type Deployed = Extract<Manifest, { deployment: DeploymentEntry }>;

/** A contract of the manifest, by Solidity name. */
export type ContractName = Manifest["name"];

/** A key of a deployment file's `contracts`. */
export type DeploymentKey = Deployed["deployment"]["key"];
/** The keys every deployment file has. */
export type RequiredDeploymentKey = Extract<Deployed, { deployment: { need: "always" } }>["deployment"]["key"];
/** The keys a deployment file may lack. */
export type OptionalDeploymentKey = Exclude<DeploymentKey, RequiredDeploymentKey>;

type GroupEntry<group extends DeploymentGroup> = Extract<Deployed, { deployment: { group: group } }>;

/** The addresses of one group, by field: `need: "optional"` entries are optional properties. */
export type GroupAddresses<group extends DeploymentGroup> = {
  [entry in GroupEntry<group> as entry["deployment"]["need"] extends "optional" ? never : entry["deployment"]["field"]]: Address;
} & {
  [entry in GroupEntry<group> as entry["deployment"]["need"] extends "optional" ? entry["deployment"]["field"] : never]?: Address;
};

/** The manifest entries the deploy script records. */
export const DEPLOYED_CONTRACTS: readonly Deployed[] = CONTRACTS.filter((contract): contract is Deployed => "deployment" in contract);

/** Every key a deployment file's `contracts` may have, in manifest order. */
export const DEPLOYMENT_KEYS: readonly DeploymentKey[] = DEPLOYED_CONTRACTS.map((contract) => contract.deployment.key);

/** The keys every deployment file must have. */
export const REQUIRED_DEPLOYMENT_KEYS = DEPLOYED_CONTRACTS.filter((contract) => contract.deployment.need === "always").map(
  (contract) => contract.deployment.key,
) as readonly RequiredDeploymentKey[];

/** The manifest entry of `name`. */
export function contractEntry<name extends ContractName>(name: name): Extract<Manifest, { name: name }> {
  const entry = CONTRACTS.find((contract) => contract.name === name);
  if (!entry) throw new Error(`no contract ${name} in the manifest`);
  return entry as Extract<Manifest, { name: name }>;
}

/** The deployment entries of a group. */
export function groupEntries(group: DeploymentGroup): DeploymentEntry[] {
  return DEPLOYED_CONTRACTS.filter((contract) => contract.deployment.group === group).map((contract) => contract.deployment);
}

/**
 * The addresses of a group of `contracts` (a deployment's), by field; throws `onMissing(key)` for a missing entry
 * the group needs.
 * @example
 * const { factory, tickLens } = groupAddresses(deployment.contracts, "amm", (key) => new Error(`no ${key}`));
 */
export function groupAddresses<group extends DeploymentGroup>(
  contracts: Partial<Record<DeploymentKey, Address>>,
  group: group,
  onMissing: (key: DeploymentKey) => Error,
): GroupAddresses<group> {
  const addresses: Record<string, Address> = {};
  for (const entry of groupEntries(group)) {
    const address = contracts[entry.key as DeploymentKey];
    if (address) addresses[entry.field] = address;
    else if (entry.need !== "optional") throw onMissing(entry.key as DeploymentKey);
  }
  return addresses as GroupAddresses<group>;
}

/** The name of a deployment key's constant in `script/deploy/DeploymentKeys.sol`: `StablecoinUsdFeed` -> `STABLECOIN_USD_FEED`. */
export function deploymentKeyConstant(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}
