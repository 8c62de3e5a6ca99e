/** Entry point of `cogfi-keeper` (see cli.ts): `tsx keeper/src/main.ts run --config keeper.json`. */
import { runKeeperCli } from "./cli.js";

await runKeeperCli(process.argv);
