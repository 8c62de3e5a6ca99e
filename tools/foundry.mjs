#!/usr/bin/env node
// Runs a Foundry tool (forge, cast, anvil) from its npm platform package and exits with the tool's own status.
// The npm packages' bin wrappers exit 0 whatever the tool returns, so a failing `forge test` would look green.
// Usage: node tools/foundry.mjs <forge|cast|anvil> [args...]
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const [tool, ...args] = process.argv.slice(2);
if (!["forge", "cast", "anvil"].includes(tool)) {
  console.error(`tools/foundry.mjs: unknown tool ${tool}; expected forge, cast or anvil`);
  process.exit(2);
}
const arch = { x64: "amd64", arm64: "arm64" }[process.arch] ?? process.arch;
const require = createRequire(import.meta.url);
let binary;
try {
  binary = join(dirname(require.resolve(`@foundry-rs/${tool}-${process.platform}-${arch}/package.json`)), "bin", tool);
} catch (cause) {
  console.error(`tools/foundry.mjs: no ${tool} binary for ${process.platform}-${arch} (npm install first)`, cause.message);
  process.exit(2);
}
const child = spawn(binary, args, { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("error", (error) => {
  console.error(`tools/foundry.mjs: could not start ${binary}: ${error.message}`);
  process.exit(2);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)));
