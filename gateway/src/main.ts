/**
 * Command line: `tsx gateway/src/main.ts [--config file.json] [--port N] [--data-dir DIR] [--rpc-url URL] [--chain-id N]`.
 *
 * Configuration is merged from (lowest first) defaults, the JSON file, `COGFI_*` environment variables (see
 * `configFromEnv` in config.ts) and flags by the sdk's service kit, and validated by `startGateway`; the
 * deployment is read from `deployments/<chainId>.json` (or `COGFI_DEPLOYMENTS_DIR`). See gateway/README.md for
 * every variable. SIGINT / SIGTERM shut down gracefully (requests in flight finish, receipts are signed and
 * flushed).
 */
import { loadDeployment } from "@cogfi/sdk/node";
import { mergeConfigSources, parseConfigFlags } from "@cogfi/sdk/service";
import { configFromEnv, GATEWAY_FLAGS, GatewayConfigError } from "./config.js";
import { startGateway } from "./gateway.js";

type Json = Record<string, unknown>;

async function main(): Promise<void> {
  const { file, layer: flags } = parseConfigFlags(process.argv.slice(2), GATEWAY_FLAGS, GatewayConfigError);
  const merged = mergeConfigSources({ defaults: { chain: { rpcUrl: "http://127.0.0.1:8545" } }, file, env: configFromEnv(), flags }, GatewayConfigError);
  // The chain id names the deployment (and the default data dir); it is not a config key itself.
  const { chainId: chainIdInput = 31337, ...input } = merged;
  const chainId = Number(chainIdInput);
  input.dataDir ??= `.cogfi/gateway-${chainId}`;
  const chain = (input.chain ?? {}) as Json;
  if (!chain.deployment) chain.deployment = loadDeployment(chainId);
  input.chain = chain;

  const gateway = await startGateway(input as Parameters<typeof startGateway>[0]);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`gateway: ${signal}, shutting down\n`);
    gateway.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`gateway: shutdown failed: ${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
