/** Keeper CLI: configuration from COGFI_* environment variables (see keeper/src/config.ts). */
import { keeperConfigFromEnv, KeeperConfigError } from "./config.js";
import { startKeeper } from "./index.js";

try {
  const keeper = await startKeeper(keeperConfigFromEnv());
  const stop = async () => {
    await keeper.stop();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop());
  process.once("SIGTERM", () => void stop());
} catch (error) {
  console.error(error instanceof KeeperConfigError ? error.message : error);
  process.exit(1);
}
