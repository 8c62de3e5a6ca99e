/**
 * `npm start`: the whole CogFi suite on an embedded local chain.
 * Starts anvil, deploys with script/Deploy.s.sol (writing deployments/31337.json), registers two demo models
 * (a base model and a fine-tune of it), prints the addresses and runs until Ctrl-C, then shuts down cleanly.
 *
 * Flags: --port N (anvil port, default 8545) --deployments-dir DIR --exit-when-ready (CI smoke runs).
 */
import { parseArgs } from "node:util";
import { parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createCogFiClient, registerDerivative, registerModel, type CogFiClient, type Deployment } from "../sdk/src/index.js";
import { ANVIL_PRIVATE_KEYS, deploySuite, startAnvil } from "../sdk/src/node/index.js";

const { values: flags } = parseArgs({
  options: {
    port: { type: "string", default: process.env.COGFI_ANVIL_PORT ?? "8545" },
    "deployments-dir": { type: "string" },
    "exit-when-ready": { type: "boolean", default: false },
  },
});

const port = Number(flags.port);
if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
  console.error(`invalid --port ${flags.port}: expected an integer in 1..65535`);
  process.exit(2);
}

/** Roles played by anvil's dev accounts in the demo. */
const ROLES = { deployer: 0, baseModelOwner: 1, fineTuner: 2 } as const;

function log(msg: string, fields: Record<string, unknown> = {}) {
  console.log(JSON.stringify({ time: new Date().toISOString(), service: "start", msg, ...fields }, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
}

async function registerDemoModels(deployment: Deployment, rpcUrl: string) {
  const clientFor = (index: number): CogFiClient =>
    createCogFiClient({ rpcUrl, deployment, account: privateKeyToAccount(ANVIL_PRIVATE_KEYS[index]!) });
  // $0.20 / $0.80 / $0.80 per million input / output / reasoning tokens.
  const base = await registerModel(clientFor(ROLES.baseModelOwner), {
    name: "cogito-8b",
    metadataURI: "ipfs://cogfi-demo/cogito-8b.json",
    pricing: { inputPerMTok: parseUnits("0.20", 6), outputPerMTok: parseUnits("0.80", 6), reasoningPerMTok: parseUnits("0.80", 6) },
    shareSupply: parseUnits("1000000", 18),
  });
  const fineTune = await registerDerivative(clientFor(ROLES.fineTuner), {
    parentId: base.modelId,
    royaltyBps: 1_500,
    name: "cogito-8b-legal",
    metadataURI: "ipfs://cogfi-demo/cogito-8b-legal.json",
    pricing: { inputPerMTok: parseUnits("0.30", 6), outputPerMTok: parseUnits("1.20", 6), reasoningPerMTok: parseUnits("1.20", 6) },
    shareSupply: parseUnits("500000", 18),
  });
  return { base, fineTune };
}

async function main() {
  const anvil = await startAnvil({ port });
  log("local chain up", { rpcUrl: anvil.rpcUrl, chainId: 31337 });
  const shutdown = async (signal: string) => {
    log("shutting down", { signal });
    await anvil.stop();
    log("stopped");
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    const deployment = await deploySuite({
      rpcUrl: anvil.rpcUrl,
      privateKey: ANVIL_PRIVATE_KEYS[ROLES.deployer],
      deploymentsDir: flags["deployments-dir"],
    });
    log("suite deployed", { contracts: deployment.contracts });
    const demo = await registerDemoModels(deployment, anvil.rpcUrl);

    console.log("\nCogFi local suite is running\n");
    console.log(`  RPC                      ${anvil.rpcUrl}  (chain 31337)`);
    for (const [name, address] of Object.entries(deployment.contracts)) console.log(`  ${name.padEnd(24)} ${address}`);
    console.log(`  model #${demo.base.modelId} cogito-8b        share ${demo.base.share}`);
    console.log(`  model #${demo.fineTune.modelId} cogito-8b-legal  share ${demo.fineTune.share}  (fine-tune of #${demo.base.modelId}, 15% royalty)`);
    console.log("\nPress Ctrl-C to stop.\n");
    log("ready", { baseModel: demo.base, fineTune: demo.fineTune });
  } catch (error) {
    log("startup failed", { error: error instanceof Error ? error.message : String(error) });
    await anvil.stop();
    process.exit(1);
  }

  if (flags["exit-when-ready"]) await shutdown("exit-when-ready");
}

void main();
