import { getAddress, type Address } from "viem";
import { DEPLOYMENT_KEYS, REQUIRED_DEPLOYMENT_KEYS, type OptionalDeploymentKey, type RequiredDeploymentKey } from "./manifest.js";

/** The address book `script/Deploy.s.sol` writes to `deployments/<chainId>.json`. */
export type Deployment = {
  chainId: number;
  deployedAtBlock: number;
  /** True on a local chain, where the stablecoin and its USD feed are mocks. */
  local: boolean;
  /** Keys and which are required: the manifest (`CONTRACTS` in `manifest.ts`). */
  contracts: DeploymentContracts;
};

/** A deployment file's `contracts`: every key of the manifest's deployed contracts, the optional ones maybe absent. */
export type DeploymentContracts = Record<RequiredDeploymentKey, Address> & Partial<Record<OptionalDeploymentKey, Address>>;

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
  const known = new Set<string>(DEPLOYMENT_KEYS);
  const contracts: Record<string, Address> = {};
  for (const [name, address] of Object.entries(rawContracts)) {
    // Entries the manifest does not know (written by a newer deploy script) are not part of the typed address book.
    if (!known.has(name)) continue;
    if (typeof address !== "string") throw new DeploymentError(`deployment.contracts.${name} is not a string`);
    try {
      contracts[name] = getAddress(address);
    } catch (cause) {
      throw new DeploymentError(`deployment.contracts.${name} is not an address: ${address}`, { cause });
    }
  }
  for (const name of REQUIRED_DEPLOYMENT_KEYS) {
    if (!contracts[name]) throw new DeploymentError(`deployment.contracts.${name} is missing`);
  }
  return {
    chainId: raw.chainId,
    deployedAtBlock: typeof raw.deployedAtBlock === "number" ? raw.deployedAtBlock : 0,
    local: raw.local === true,
    contracts: contracts as Deployment["contracts"],
  };
}
