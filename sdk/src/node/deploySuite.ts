import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import type { Deployment } from "../deployment.js";
import { REPO_ROOT, rpc } from "./anvil.js";
import { loadDeployment } from "./loadDeployment.js";

const run = promisify(execFile);

export type DeploySuiteParameters = {
  rpcUrl: string;
  /** The broadcasting key (hex). */
  privateKey: `0x${string}`;
  /** Where `<chainId>.json` is written (default: the repository's deployments/). */
  deploymentsDir?: string;
  /** Extra environment for the script (STABLECOIN, STABLECOIN_USD_FEED, ...). */
  env?: Record<string, string>;
};

/**
 * Runs `script/Deploy.s.sol` with forge against `rpcUrl` and returns the address book it wrote.
 * @example
 * const deployment = await deploySuite({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_PRIVATE_KEYS[0] });
 */
export async function deploySuite(parameters: DeploySuiteParameters): Promise<Deployment> {
  const deploymentsDir = resolve(parameters.deploymentsDir ?? resolve(REPO_ROOT, "deployments"));
  try {
    await run(
      process.execPath,
      // tools/foundry.mjs passes forge's exit status through (the npm wrapper does not).
      [resolve(REPO_ROOT, "tools/foundry.mjs"), "forge", "script", "script/Deploy.s.sol", "--rpc-url", parameters.rpcUrl, "--broadcast", "--slow", "--quiet"],
      {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...parameters.env,
          DEPLOYER_PRIVATE_KEY: parameters.privateKey,
          DEPLOYMENTS_DIR: deploymentsDir,
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    );
  } catch (cause) {
    const detail = (cause as { stderr?: string; stdout?: string }).stderr || (cause as { stdout?: string }).stdout;
    throw new Error(`forge script Deploy failed: ${detail ?? cause}`, { cause });
  }
  const chainId = Number.parseInt(await rpc<string>(parameters.rpcUrl, "eth_chainId"), 16);
  return loadDeployment(chainId, deploymentsDir);
}
