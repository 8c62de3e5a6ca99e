import { getAddress, type Address } from "viem";

/** Names of the contracts a deployment records, as written by `script/Deploy.s.sol`. */
export const CONTRACT_NAMES = ["Stablecoin", "StablecoinUsdFeed", "ModelRegistry", "ModelShareImplementation"] as const;

export type ContractName = (typeof CONTRACT_NAMES)[number];

/** The address book `script/Deploy.s.sol` writes to `deployments/<chainId>.json`. */
export type Deployment = {
  chainId: number;
  deployedAtBlock: number;
  /** True on a local chain, where the stablecoin and its USD feed are mocks. */
  local: boolean;
  contracts: Record<ContractName, Address> & Partial<Record<string, Address>>;
};

/** Thrown when a deployment file is missing or malformed. */
export class DeploymentError extends Error {
  override name = "DeploymentError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Validates a parsed deployment file and checksums its addresses.
 * @example
 * const deployment = parseDeployment(JSON.parse(text));
 */
export function parseDeployment(value: unknown): Deployment {
  if (typeof value !== "object" || value === null) throw new DeploymentError("deployment is not an object");
  const raw = value as Record<string, unknown>;
  if (typeof raw.chainId !== "number") throw new DeploymentError("deployment.chainId must be a number");
  const rawContracts = raw.contracts;
  if (typeof rawContracts !== "object" || rawContracts === null) {
    throw new DeploymentError("deployment.contracts must be an object");
  }
  const contracts: Record<string, Address> = {};
  for (const [name, address] of Object.entries(rawContracts)) {
    if (typeof address !== "string") throw new DeploymentError(`deployment.contracts.${name} is not a string`);
    try {
      contracts[name] = getAddress(address);
    } catch (cause) {
      throw new DeploymentError(`deployment.contracts.${name} is not an address: ${address}`, { cause });
    }
  }
  for (const name of CONTRACT_NAMES) {
    if (!contracts[name]) throw new DeploymentError(`deployment.contracts.${name} is missing`);
  }
  return {
    chainId: raw.chainId,
    deployedAtBlock: typeof raw.deployedAtBlock === "number" ? raw.deployedAtBlock : 0,
    local: raw.local === true,
    contracts: contracts as Deployment["contracts"],
  };
}
