import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DeploymentError, parseDeployment, type Deployment } from "../deployment.js";

/** The repository's `deployments/` folder. */
export const DEFAULT_DEPLOYMENTS_DIR = resolve(fileURLToPath(new URL("../../../deployments", import.meta.url)));

/**
 * Reads `<dir>/<chainId>.json` (default dir: `deployments/` at the repository root, or `COGFI_DEPLOYMENTS_DIR`).
 * @example
 * const deployment = loadDeployment(31337);
 * console.log(deployment.contracts.ModelRegistry);
 */
export function loadDeployment(chainId: number, dir = process.env.COGFI_DEPLOYMENTS_DIR ?? DEFAULT_DEPLOYMENTS_DIR): Deployment {
  const path = resolve(dir, `${chainId}.json`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new DeploymentError(`no deployment for chain ${chainId} at ${path}`, { cause });
  }
  return parseDeployment(JSON.parse(text));
}
