/**
 * Keeper CLI: `tsx keeper/src/main.ts [--config file.json] [--port N] [--rpc-url URL] [--chain-id N] [--data-dir DIR]`.
 * Configuration is merged from (lowest first) the JSON file, `COGFI_*` environment variables (see
 * `keeperEnvLayer` in config.ts) and flags; SIGINT / SIGTERM stop the jobs and drain the HTTP API.
 */
import { ConfigError, mergeConfigSources, parseConfigFlags } from "@cogfi/sdk/service";
import { KEEPER_FLAGS, KeeperConfigError, keeperEnvLayer, type KeeperConfigInput } from "./config.js";
import { startKeeper } from "./index.js";

try {
  const { file, layer: flags } = parseConfigFlags(process.argv.slice(2), KEEPER_FLAGS, KeeperConfigError);
  // startKeeper validates the merged input (a KeeperConfigError lists every bad field).
  const keeper = await startKeeper(mergeConfigSources({ file, env: keeperEnvLayer(), flags }, KeeperConfigError) as KeeperConfigInput);
  const stop = async () => {
    await keeper.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
